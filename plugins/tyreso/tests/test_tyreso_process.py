"""Tyresö's process definition: IOP as pilot projects (seed 003).

These prove what the definition declares; the engine's enforcement is tested
with the engine."""

from datetime import date

from core.process import NO, YES, After, CaseDates, due_windows
from core.registry import build_plugin_manager, build_registry
from iop_tyreso import plugin

DATES = CaseDates(initiative=date(2026, 2, 1), agreement_start=date(2026, 9, 1), agreement_end=date(2027, 8, 31))


def _process():
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"tyreso": plugin})
    return build_registry(pm).kommuner["tyreso"].process()


def _outcome(step, key):
    return next(o for o in step.outcomes if o.key == key)


def _conditions(step, key):
    return {(c.form, c.field, c.equals) for c in _outcome(step, key).when}


def test_the_registry_validates_and_serves_the_process():
    process = _process()
    assert process is plugin.PROCESS_V1
    assert process.kommun == "tyreso" and process.version == 1


def test_ty_04_both_parties_must_want_the_partnership():
    """TY-04: continuing needs both parties' will; the kommun does not order unilaterally."""
    process = _process()
    step = process.step("initiativ")
    assert step.form == "initiativ" and not step.after
    assert _conditions(step, "fortsatt") == {("initiativ", "bada_vill", YES), ("initiativ", "ensidig_bestallning", NO)}
    origins = dict(next(f for f in process.form("initiativ").fields if f.key == "ursprung").choices)
    assert set(origins) == {"civilsamhallet", "kommunen"}


def test_ty_03_procurement_is_checked_first():
    """TY-03: first establish that procurement does not apply, else redirect to upphandling."""
    process = _process()
    step = process.step("upphandlingsprovning")
    assert step.after == ("initiativ",)
    assert step.form == "upphandlingsprovning" and step.templates == ("upphandlingsprovning",)
    assert process.form("upphandlingsprovning").title == "Prövning av upphandlingsplikt"
    assert ("upphandlingsprovning", "upphandlingsplikt", NO) in _conditions(step, "fortsatt")
    redirect = _outcome(step, "upphandling")
    assert (redirect.kind, redirect.redirect_to) == ("redirect", "upphandling")
    assert ("upphandlingsprovning", "upphandlingsplikt", YES) in _conditions(step, "upphandling")
    # Every later step waits for the procurement check.
    assert process.steps_from("upphandlingsprovning") == {s.key for s in process.steps()} - {"initiativ"}


def test_gen_04_the_procurement_check_also_covers_kommunallagen_and_state_aid():
    """GEN-04: kommunallagen and EU state-aid rules are respected."""
    step = _process().step("upphandlingsprovning")
    conditions = _conditions(step, "fortsatt")
    assert ("upphandlingsprovning", "kommunallagen", YES) in conditions
    assert ("upphandlingsprovning", "statsstod", YES) in conditions


def test_ty_03_the_short_requirements_after_procurement():
    """TY-03 (GEN-01..GEN-03): shared need, trust not a commercial contract, allmännyttigt, nothing to buy, both contribute."""
    process = _process()
    step = process.step("krav")
    assert step.after == ("upphandlingsprovning",)
    assert step.form == "krav_iop"
    assert _conditions(step, "fortsatt") == {("krav_iop", key, YES) for key in (
        "gemensamt_behov", "tillit", "allmannyttigt", "ingen_fardig_losning", "bada_bidrar")} | {
        ("krav_iop", "myndighetsuppdrag", NO)}  # ST-03
    assert "kommersiellt avtal" in next(f.label for f in process.form("krav_iop").fields if f.key == "tillit")


def test_ty_05_a_barnets_basta_assessment_from_purpose_and_content():
    """TY-05: a barnets bästa assessment for every IOP, from its purpose and content."""
    process = _process()
    step = process.step("barnets_basta")
    assert step.form == "barnets_basta" and step.templates == ("barnets_basta",)
    assert process.form("barnets_basta").template == "barnets_basta"
    assert ("form", "barnets_basta") in {(r.kind, r.ref) for r in step.requires}
    assert "syfte_och_innehall" in {f.key for f in process.form("barnets_basta").fields}
    assert step.after == ("forslag",)


def test_ty_05_no_agreement_without_the_barnets_basta_assessment():
    """TY-05: signing requires the barnets bästa step's decision."""
    step = _process().step("undertecknande")
    assert ("decision", "barnets_basta") in {(r.kind, r.ref) for r in step.requires}
    assert "barnets_basta" in step.after
    assert step.sets_status == "pagaende"


def test_ty_01_the_kommundirektor_decides_to_run_it_as_a_pilot_project():
    """TY-01: pilot projects under the kommundirektör; the decision is motivated (GEN-05)."""
    process = _process()
    step = process.step("pilotbeslut")
    assert step.owner_roles == ("kommundirektor",)
    assert step.after == ("barnets_basta",)
    assert _outcome(step, "fortsatt").needs_reason
    assert "pilotbeslut" in process.step("undertecknande").after


def test_gen_06_the_agreement_states_goals_period_and_contributions():
    """GEN-03, GEN-06, GEN-07: goals, a fixed period, both parties' resources, the proposal."""
    step = _process().step("forslag")
    assert {("field", "goals"), ("field", "period_start"), ("field", "period_end"), ("contributions", ""),
            ("document", "overenskommelse_forslag")} <= {(r.kind, r.ref) for r in step.requires}


def test_ty_02_results_go_through_the_kommunledningsutskottet_to_the_kommunstyrelsen():
    """TY-01, TY-02: results prepared in the kommunledningsutskottet, reported to the kommunstyrelsen."""
    process = _process()
    klu, ks = process.step("beredning_klu"), process.step("redovisning_ks")
    assert klu.owner_roles == ("kommunledningsutskottet",)
    assert klu.after == ("genomforande",)
    assert ks.owner_roles == ("kommunstyrelsen",)
    assert ks.after == ("beredning_klu",)
    assert process.step("genomforande").after == ("undertecknande",)


def test_ty_01_the_partnership_ends_only_after_its_results_are_reported():
    """TY-01: the pilot's results reach the kommunstyrelsen before the partnership is closed."""
    step = _process().step("avslut")
    assert step.after == ("redovisning_ks",)
    assert step.deadline == After("agreement_end")
    assert [o.kind for o in step.outcomes] == ["end"]
    assert [w.due for w in due_windows(step.deadline, DATES)] == [date(2027, 8, 31)]


def test_ty_06_every_owner_is_in_the_roles_table():
    """TY-06: owners come from Tyresö's roles table; every role has work in the process."""
    owners = {role for s in _process().steps() for role in s.owner_roles}
    assert owners == {r.key for r in plugin.ROLES.roles}
