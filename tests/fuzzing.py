"""Settings shared by the fuzz tests (forms, query strings, the API)."""

import os

from hypothesis import HealthCheck, settings

# Enough to reach every form and operation several times in the suite; more
# for a hunt: IOP_FUZZ_EXAMPLES=5000 pytest tests/integration/test_form_fuzz.py
EXAMPLES = int(os.environ.get("IOP_FUZZ_EXAMPLES", "150"))
# Reproducible in the suite; a longer hunt draws new examples each time.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 200,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
