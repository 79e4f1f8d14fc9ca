"""ST-03: the kommun's own statutory duties and myndighetsutövning are not
IOP. The guide asks it (tests/unit/test_guide.py), and so does every
kommun's assessment: answered "ja", the case cannot go on as an IOP, and no
exception is offered."""

from datetime import date

import pytest

from core.process import NO, STATUTORY_DUTY, YES
from core.registry import build_plugin_manager, build_registry
from tests.casebuilder import Case, refused

REGISTRY = build_registry(build_plugin_manager())
# The kommun, the assessment's step, its form, and the outcome that goes on.
ASSESSMENTS = [
    ("jarva", "direktorens_bedomning", "checklista_overvagande", "fortsatt"),
    ("jarva", "direktorens_bedomning", "checklista_overvagande", "undantag"),
    ("hasselby-vallingby", "bedomning", "bedomning", "fortsatt"),
    ("tyreso", "krav", "krav_iop", "fortsatt"),
    ("generic", "val_av_form", "val_av_form", "fortsatt"),
]


def test_st_03_every_kommuns_assessment_asks_about_its_statutory_duties():
    for code, entry in REGISTRY.kommuner.items():
        forms = {key for c, _, key, _ in ASSESSMENTS if c == code}
        assert forms, f"{code} has no assessment that asks ST-03's question"
        for key in forms:
            assert STATUTORY_DUTY in {f.key for f in entry.process().form(key).fields}


@pytest.mark.parametrize(("code", "step", "form", "outcome"), ASSESSMENTS)
def test_st_03_an_activity_within_the_statutory_duties_cannot_go_on_as_iop(code, step, form, outcome):
    entry = REGISTRY.kommuner[code]
    c = Case(entry.process(), entry.roles, date(2026, 9, 10)).dates(initiative=date(2026, 9, 1))
    c.fields("samhallsutmaning").walk_until(step)
    going_on = next(o for o in entry.process().step(step).outcomes if o.key == outcome)
    otherwise_fine = {cond.field: cond.equals for cond in going_on.when if cond.form == form}
    c.supply(step).complete_form(form, **{**otherwise_fine, STATUTORY_DUTY: YES,
                                          f"{STATUTORY_DUTY}__motivering": "Hemtjänst enligt socialtjänstlagen."})
    owner = c.progress.step(step).step.owner_roles[0]
    error = refused(c, step, outcome, role=owner, motivation="Vi vill ändå.")
    assert "Då är IOP inte formen." in error.message
    c.complete_form(form, **{**otherwise_fine, STATUTORY_DUTY: NO})
    choice = next(ch for ch in c.progress.step(step).outcomes if ch.outcome.key == outcome)
    assert choice.blocked is None or "IOP inte formen" not in choice.blocked
