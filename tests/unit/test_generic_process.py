"""The generic default process (national guidance: GEN and ST rules, seed 004).

These prove what the definition declares; the engine's enforcement is tested
with the engine."""

from datetime import date

from core import generic
from core.process import NO, YES, After, Before, CaseDates, EachYear, due_windows
from core.registry import build_plugin_manager, build_registry

DATES = CaseDates(initiative=date(2026, 4, 1), agreement_start=date(2027, 1, 1), agreement_end=date(2028, 12, 31))


def _registry():
    return build_registry(build_plugin_manager(load_entry_points=False))


def _process():
    return _registry().generic.process()


def _outcome(step, key):
    return next(o for o in step.outcomes if o.key == key)


def _conditions(step, key):
    return {(c.form, c.field, c.equals) for c in _outcome(step, key).when}


def test_the_generic_process_applies_to_a_tenant_without_a_kommun_plugin():
    registry = _registry()
    assert registry.generic.process() is generic.PROCESS_V1
    assert registry.for_tenant("norrmalm", set()).process() is generic.PROCESS_V1
    assert [p.key for p in generic.PROCESS_V1.phases] == ["prova", "overenskommelse", "folja_upp", "avsluta"]


def test_st_02_choice_of_form_redirects_or_continues_as_iop():
    """ST-02: general support → föreningsbidrag; a service with several suppliers → upphandling; a specific activity → IOP."""
    process = _process()
    step = process.step("val_av_form")
    assert step.after == ("initiativ",) and step.form == "val_av_form" and step.templates == ("val_av_form",)
    choices = dict(next(f for f in process.form("val_av_form").fields if f.key == "stodform").choices)
    assert set(choices) == {"allmant_arbete", "specifik_tjanst", "specifik_verksamhet"}
    assert _conditions(step, "fortsatt") == {("val_av_form", "stodform", "specifik_verksamhet"),
                                             ("val_av_form", "myndighetsuppdrag", "nej")}  # ST-03
    assert _outcome(step, "foreningsbidrag").redirect_to == "foreningsbidrag"
    assert _conditions(step, "foreningsbidrag") == {("val_av_form", "stodform", "allmant_arbete")}
    assert _outcome(step, "upphandling").redirect_to == "upphandling"
    assert _conditions(step, "upphandling") == {("val_av_form", "stodform", "specifik_tjanst")}


def test_st_01_forums_six_criteria_must_all_hold():
    """ST-01: six yes/no questions; continuing needs all six."""
    process = _process()
    form = process.form("kriterier_forum")
    assert form.template == "kriterier_forum"
    assert len(form.fields) == 6 and all(f.kind == "yesno" for f in form.fields)
    step = process.step("kriterier")
    assert step.after == ("val_av_form",)
    assert _conditions(step, "fortsatt") == {("kriterier_forum", f.key, YES) for f in form.fields}
    assert ("kriterier_forum", "utanfor_foreningsbidrag", NO) in _conditions(step, "foreningsbidrag")
    assert ("kriterier_forum", "ingen_marknad", NO) in _conditions(step, "upphandling")


def test_gen_01_gen_02_shared_need_joint_goal_allmannyttigt_nothing_to_buy():
    """GEN-01, GEN-02: shared need, mutual engagement for a jointly formulated goal; allmännyttigt; nothing to buy."""
    step = _process().step("forutsattningar")
    assert step.after == ("kriterier",)
    assert _conditions(step, "fortsatt") == {("forutsattningar", key, YES) for key in (
        "gemensamt_behov", "gemensamt_ansvar", "allmannyttigt", "ingen_fardig_losning")}


def test_gen_04_legal_check_of_procurement_kommunallagen_and_state_aid():
    """GEN-04: procurement rules, kommunallagen and EU state-aid rules, before the agreement."""
    process = _process()
    step = process.step("rattslig_provning")
    assert _conditions(step, "fortsatt") == {("rattslig_provning", key, YES) for key in (
        "upphandling", "kommunallagen", "statsstod")}
    assert _outcome(step, "upphandling").redirect_to == "upphandling"
    assert process.step("forslag").after == ("rattslig_provning",)


def test_gen_03_gen_06_agreement_states_goals_period_and_both_parties_contributions():
    """GEN-03, GEN-06: what it covers, each party's resources, its duration; with the proposal document."""
    step = _process().step("forslag")
    assert {("field", "goals"), ("field", "period_start"), ("field", "period_end"), ("contributions", ""),
            ("document", "overenskommelse_forslag")} <= {(r.kind, r.ref) for r in step.requires}
    assert step.templates == ("overenskommelse",)


def test_gen_05_the_namnds_decision_is_documented_with_its_reasons():
    """GEN-05: the decision needs a written reason whichever way it goes."""
    process = _process()
    step = process.step("namndbeslut")
    assert step.owner_roles == ("namnd",)
    assert all(o.needs_reason for o in step.outcomes)
    assert {o.kind for o in step.outcomes} == {"continue", "stop"}
    assert all(f.motivation_when is False for f in process.form("kriterier_forum").fields)


def test_gen_07_yearly_follow_up_during_the_agreement():
    """GEN-07 (yearly is inferred): followed up every year of the agreement."""
    step = _process().step("uppfoljning")
    assert step.recurring and isinstance(step.deadline, EachYear)
    assert step.after == ("undertecknande",)
    assert [w.due for w in due_windows(step.deadline, DATES)] == [date(2027, 12, 31), date(2028, 12, 31)]


def test_gen_07_evaluated_before_the_fixed_period_ends_and_then_ended():
    """GEN-07: a fixed period, evaluated before it ends; the end is due when the agreement expires."""
    process = _process()
    evaluation = process.step("utvardering")
    assert evaluation.deadline == Before("agreement_end", months=3)
    assert [w.due for w in due_windows(evaluation.deadline, DATES)] == [date(2028, 9, 30)]
    end = process.step("avslut")
    assert end.after == ("utvardering",)
    assert end.deadline == After("agreement_end")
    assert [o.kind for o in end.outcomes] == ["end"]


def test_statuses_follow_the_process():
    process = _process()
    assert [(s.key, s.sets_status) for s in process.steps() if s.sets_status] == [
        ("val_av_form", "beredning"), ("forslag", "beslut"), ("undertecknande", "pagaende")]


def test_every_owner_is_in_the_generic_roles_table():
    owners = {role for s in _process().steps() for role in s.owner_roles}
    assert owners <= {r.key for r in generic.ROLES.roles}
