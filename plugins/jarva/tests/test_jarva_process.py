"""Järva's process definition: the steps, owners and deadlines of seed 002.

These prove what the definition declares; the engine's enforcement is tested
with the engine."""

from datetime import date

from core.process import CaseDates, due_windows
from core.registry import build_plugin_manager, build_registry
from iop_jarva import plugin

DATES = CaseDates(initiative=date(2026, 9, 1), agreement_start=date(2027, 1, 1), agreement_end=date(2030, 12, 31))


def _process():
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"jarva": plugin})
    return build_registry(pm).kommuner["jarva"].process()


def test_jv_01_one_process_with_four_parts_whatever_the_origin():
    assert [p.title for p in _process().phases] == [
        "Inleda", "Genomföra", "Följa upp, utvärdera och slutrapportera", "Avsluta"]


def test_jv_04_first_meeting_due_four_weeks_after_the_initiative():
    step = _process().step("forsta_mote")
    assert step.owner_roles == ("stabsenhet",)
    assert [w.due for w in due_windows(step.deadline, DATES)] == [date(2026, 9, 29)]


def test_jv_05_organisation_brings_its_documents_to_the_first_meeting():
    kinds = {r.ref for r in _process().step("forsta_mote").requires if r.kind == "document"}
    assert kinds == {"arsmotesprotokoll", "verksamhetsberattelse", "resultat_och_balansrakning", "revisionsberattelse",
                     "verksamhetsplan"}


def test_jv_06_only_the_director_may_redirect_to_another_form_of_support():
    process = _process()
    assert not any(o.kind in ("redirect", "stop") for o in process.step("overvagande").outcomes)
    outcomes = {o.redirect_to for o in process.step("direktorens_bedomning").outcomes if o.kind == "redirect"}
    assert outcomes == {"foreningsbidrag", "upphandling", "annan_samverkan"}
    assert process.step("overvagande").form == "checklista_overvagande"
    assert process.step("direktorens_bedomning").owner_roles == ("stadsdelsdirektor",)


def test_jv_08_idea_meetings_two_to_three_stop_offered_after_three_at_most_five():
    rule = _process().meeting_rule("idemote")
    assert (rule.offer_stop_after, rule.total_max) == (3, 5)


def test_jv_12_steering_and_working_groups_meet_three_and_four_times_a_year():
    process = _process()
    assert process.meeting_rule("styrgrupp").per_year_min == 3
    assert process.meeting_rule("arbetsgrupp").per_year_min == 4


def test_jv_16_follow_up_due_in_quarter_four_of_every_year():
    step = _process().step("uppfoljning")
    assert [w.due for w in due_windows(step.deadline, DATES)] == [date(y, 12, 31) for y in (2027, 2028, 2029, 2030)]
    assert step.recurring


def test_jv_17_evaluation_in_quarter_one_or_two_of_the_final_year():
    windows = due_windows(_process().step("utvardering").deadline, DATES)
    assert [(w.opens, w.due) for w in windows] == [(date(2030, 1, 1), date(2030, 6, 30))]


def test_jv_18_final_report_due_three_months_before_the_end():
    windows = due_windows(_process().step("slutrapport").deadline, DATES)
    assert [w.due for w in windows] == [date(2030, 9, 30)]


def test_jv_11_the_namnd_decides_and_the_director_signs():
    process = _process()
    assert process.step("namndbeslut").owner_roles == ("stadsdelsnamnd",)
    assert process.step("undertecknande").owner_roles == ("stadsdelsdirektor",)
