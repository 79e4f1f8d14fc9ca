"""The process definition format: deadlines from the case's own dates, and
validation that stops start-up on a broken definition."""

from dataclasses import replace
from datetime import date

import pytest

from core.plugin_api import PluginError, Role, RolesTable, TemplateRef
from core.process import (
    AgreementRule,
    After,
    Before,
    CaseDates,
    DocumentKind,
    DueWindow,
    FormDefinition,
    FormField,
    MeetingRule,
    Outcome,
    Phase,
    ProcessDefinition,
    QuarterEachYear,
    QuartersOfFinalYear,
    Requirement,
    Step,
    add_months,
    due_windows,
    validate_process,
)

AGREEMENT = CaseDates(initiative=date(2026, 3, 2), agreement_start=date(2027, 1, 1), agreement_end=date(2029, 12, 31))


def test_four_weeks_after_the_initiative():
    assert due_windows(After("initiative", weeks=4), AGREEMENT) == [DueWindow(date(2026, 3, 2), date(2026, 3, 30))]


def test_three_months_before_the_end():
    assert due_windows(Before("agreement_end", months=3), AGREEMENT) == [DueWindow(None, date(2029, 9, 30))]


def test_quarter_four_of_every_year_of_the_agreement():
    assert due_windows(QuarterEachYear(4), AGREEMENT) == [
        DueWindow(date(2027, 10, 1), date(2027, 12, 31)),
        DueWindow(date(2028, 10, 1), date(2028, 12, 31)),
        DueWindow(date(2029, 10, 1), date(2029, 12, 31)),
    ]


def test_a_year_that_ends_before_quarter_four_has_no_follow_up_window():
    dates = CaseDates(agreement_start=date(2027, 1, 1), agreement_end=date(2028, 6, 30))
    assert [w.due for w in due_windows(QuarterEachYear(4), dates)] == [date(2027, 12, 31)]


def test_quarters_one_or_two_of_the_final_year():
    assert due_windows(QuartersOfFinalYear((1, 2)), AGREEMENT) == [DueWindow(date(2029, 1, 1), date(2029, 6, 30))]


def test_no_deadline_while_its_date_is_unknown():
    assert due_windows(After("initiative", weeks=4), CaseDates()) == []
    assert due_windows(QuarterEachYear(4), CaseDates(agreement_start=date(2027, 1, 1))) == []


def test_calendar_months_are_clamped_to_the_months_end():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 5, 31), -3) == date(2028, 2, 29)


ROLES = RolesTable(kommun="test", roles=(Role("stab", "Stab", "coordinator_unit", "x"), Role("chef", "Chef", "manager", "y")))
TEMPLATES = (TemplateRef("test", "checklista", "Checklista", fields=(FormField("lagligt", "Är det lagligt?", "text"),)),)


def _process(**step_overrides) -> ProcessDefinition:
    first = Step("forsta_mote", "Första möte", ("stab",), deadline=After("initiative", weeks=4), templates=("checklista",))
    second = Step("overvagande", "Övervägande", ("chef",), after=("forsta_mote",), form="checklista",
                  requires=(Requirement("decision", "forsta_mote", "Första mötet är inte hållet."),),
                  outcomes=(Outcome("fortsatt", "Gå vidare"), Outcome("annat", "Föreningsbidrag", "redirect", "foreningsbidrag")))
    second = replace(second, **step_overrides)
    return ProcessDefinition(
        kommun="test", version=1, title="Test",
        phases=(Phase("inleda", "Inleda", (first, second)),),
        forms=(FormDefinition("checklista", "Checklista", (FormField("lagligt", "Är det lagligt?", "yesno", motivation_when=False),)),),
        meeting_rules=(MeetingRule("idemote", "Idémöte", total_max=5, offer_stop_after=3),),
    )


def test_a_valid_process_passes():
    validate_process(_process(), ROLES, TEMPLATES, "test")


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"owner_roles": ("pope",)}, "owner role 'pope'"),
        ({"owner_roles": ()}, "no owner role"),
        ({"after": ("missing",)}, "unknown step 'missing'"),
        ({"templates": ("missing",)}, "unknown template 'missing'"),
        ({"form": "missing"}, "unknown form 'missing'"),
        ({"outcomes": (Outcome("fortsatt", "Gå vidare"), Outcome("annat", "X", "redirect", "nowhere"))}, "unknown form of support"),
        ({"requires": (Requirement("meetings", "styrgrupp", "Saknas."),)}, "unknown kind 'styrgrupp'"),
        ({"requires": (Requirement("decision", "overvagande", ""),)}, "without a message"),
        ({"deadline": QuarterEachYear(5)}, "quarter 5"),
    ],
)
def test_a_broken_process_stops_start_up_with_a_clear_message(overrides, message):
    with pytest.raises(PluginError, match=message):
        validate_process(_process(**overrides), ROLES, TEMPLATES, "test")


def test_steps_waiting_for_each_other_in_a_circle_are_refused():
    process = _process()
    first, second = process.phases[0].steps
    circular = replace(process, phases=(Phase("inleda", "Inleda", (replace(first, after=("overvagande",)), second)),))
    with pytest.raises(PluginError, match="circle"):
        validate_process(circular, ROLES, TEMPLATES, "test")


def _process_plugin(*versions: int):
    from types import SimpleNamespace

    from core.plugin_api import KommunProfile, RegistrationNumberFormat, hookimpl

    profile = KommunProfile(code="test", name="Test", kind="kommun", decision_body="KS",
                            registration_number=RegistrationNumberFormat(r"\d{4}/\d+", "{year}/{serial}", "2026/1"))
    return SimpleNamespace(
        iop_register_kommuner=hookimpl(lambda: [profile]),
        iop_register_roles=hookimpl(lambda: [ROLES]),
        iop_register_templates=hookimpl(lambda: list(TEMPLATES)),
        iop_register_processes=hookimpl(lambda: [replace(_process(), version=v) for v in versions]),
    )


def test_registry_keeps_every_version_and_offers_the_newest_to_new_cases():
    from core.registry import build_plugin_manager, build_registry

    registry = build_registry(build_plugin_manager(load_entry_points=False, extra_plugins={"test": _process_plugin(2, 1)}))
    entry = registry.kommuner["test"]
    assert [p.version for p in entry.processes] == [1, 2]
    assert entry.process().version == 2
    assert entry.process(1).version == 1
    assert entry.process(3) is None


def test_one_version_declared_twice_stops_start_up():
    from core.registry import build_plugin_manager, build_registry

    with pytest.raises(PluginError, match="version 1 of 'test' twice"):
        build_registry(build_plugin_manager(load_entry_points=False, extra_plugins={"test": _process_plugin(1, 1)}))


REPORT = FormDefinition("redovisning", "Redovisning", (FormField("arbete", "Hur har ni arbetat?", "text"),),
                        produces="uppfoljning")


@pytest.mark.parametrize(
    "forms,kinds,message",
    [
        ((*_process().forms, REPORT), (), "produces unknown document kind 'uppfoljning'"),
        ((*_process().forms, REPORT, replace(REPORT, key="igen")), (DocumentKind("uppfoljning", "Uppföljning"),),
         "both produce 'uppfoljning'"),
        ((replace(REPORT, key="checklista"),), (DocumentKind("uppfoljning", "Uppföljning"),),
         "cannot be a step's form"),
        ((*_process().forms, replace(REPORT, key="standpunkt", produces=None, signatory_only=True)), (),
         "for the organisation's signatory but produces no document kind"),
    ],
)
def test_a_form_the_organisation_fills_in_must_produce_one_declared_kind(forms, kinds, message):
    process = _process()
    process = replace(process, forms=forms, document_kinds=kinds)
    with pytest.raises(PluginError, match=message):
        validate_process(process, ROLES, TEMPLATES, "test")


def test_the_organisations_form_is_found_by_the_kind_it_produces():
    process = replace(_process(), forms=(*_process().forms, REPORT),
                      document_kinds=(DocumentKind("uppfoljning", "Uppföljning"),))
    validate_process(process, ROLES, TEMPLATES, "test")
    assert process.organisation_form("uppfoljning") is REPORT and process.organisation_form("budget") is None


@pytest.mark.parametrize(
    "rule,message",
    [
        (AgreementRule("missing", ("chef",), ("chef",)), "decided at unknown step 'missing'"),
        (AgreementRule("overvagande", ("pope",), ("chef",)), "role 'pope'"),
        (AgreementRule("overvagande", (), ("chef",)), "roles that sign it"),
        (AgreementRule("overvagande", ("chef",), ("chef",), assessed_at_step="missing"), "assessed at unknown step"),
        (AgreementRule("overvagande", ("chef",), ("chef",), draft_kind="inget"), "document kind 'inget'"),
    ],
)
def test_gen_09_a_broken_agreement_rule_stops_start_up(rule, message):
    kinds = (DocumentKind("overenskommelse_forslag", "Förslag"), DocumentKind("overenskommelse_signerad", "Signerad"))
    with pytest.raises(PluginError, match=message):
        validate_process(replace(_process(), document_kinds=kinds, agreement=rule), ROLES, TEMPLATES, "test")
