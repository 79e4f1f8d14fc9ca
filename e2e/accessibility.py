"""The accessibility check every e2e test uses: axe-core finds no serious or
critical violation on the page as it stands (also after htmx swaps)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

BLOCKING_IMPACTS = {"serious", "critical"}


def assert_no_serious_violations(page: Page, where: str) -> None:
    results = Axe().run(page)
    violations = results.response.get("violations", [])
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe hittade {len(blocking)} allvarliga brister på {where} ({page.url}):"]
        for v in blocking:
            targets = [", ".join(map(str, node.get("target", []))) for node in v.get("nodes", [])]
            shown = "; ".join(targets[:5]) + (f" (+{len(targets) - 5} till)" if len(targets) > 5 else "")
            lines.append(f"- {v.get('id')} [{v.get('impact')}]: {v.get('help')} – {shown}")
        pytest.fail("\n".join(lines), pytrace=False)
