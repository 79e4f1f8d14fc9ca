"""Hässelby-Vällingby's process definition: the routine of seed 000.

These prove what the definition declares; the engine's enforcement is tested
with the engine."""

from datetime import date

from core.process import YES, After, CaseDates, EachYear, due_windows
from core.registry import build_plugin_manager, build_registry
from iop_hasselby_vallingby import plugin

DATES = CaseDates(initiative=date(2026, 9, 1), agreement_start=date(2027, 3, 1), agreement_end=date(2029, 8, 31))


def _process():
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"hasselby-vallingby": plugin})
    return build_registry(pm).kommuner["hasselby-vallingby"].process()


def _outcome(step, key):
    return next(o for o in step.outcomes if o.key == key)


def _conditions(step, key):
    return {(c.form, c.field, c.equals) for c in _outcome(step, key).when}


def test_the_registry_validates_and_serves_the_routine():
    process = _process()
    assert process is plugin.PROCESS_V1
    assert process.kommun == "hasselby-vallingby" and process.version == 1


def test_hv_01_one_routine_for_every_initiative_checks_agreement_and_follow_up():
    """HV-01: what is checked, what the agreement contains, what is followed up."""
    process = _process()
    assert [p.key for p in process.phases] == ["bedoma", "overenskommelse", "folja_upp", "avsluta"]
    assert process.phase_of("bedomning").key == "bedoma"
    assert process.phase_of("overenskommelse").key == "overenskommelse"
    assert process.phase_of("uppfoljning").key == "folja_upp"
    assert process.step("initiativ").owner_roles == ("handlaggare", "stab")
    assert not process.step("initiativ").after


def test_hv_02_assessment_uses_the_template_and_covers_gen_st_and_legal_checks():
    """HV-02 (with GEN-01..GEN-04, ST-01): the documented assessment before an agreement."""
    process = _process()
    step = process.step("bedomning")
    assert step.form == "bedomning" and step.templates == ("bedomning",)
    assert step.after == ("initiativ",)
    assert ("form", "bedomning") in {(r.kind, r.ref) for r in step.requires}
    form = process.form("bedomning")
    assert form.template == "bedomning"
    assert form.title == "Bedömning inför en överenskommelse om IOP"
    keys = {f.key for f in form.fields}
    assert {"gemensamt_behov", "allmannyttigt", "ingen_fardig_losning", "bada_bidrar"} <= keys  # GEN-01..03
    assert {"upphandling", "kommunallagen", "statsstod"} <= keys  # GEN-04
    assert {"ideburet_initiativ", "politiskt_program", "utanfor_foreningsbidrag", "ingen_marknad", "bada_bidrar",
            "ingen_detaljstyrning"} <= keys  # ST-01


def test_hv_02_continuing_depends_on_the_key_answers():
    """HV-02, GEN-04: no continuing unless the checks hold and the conclusion is IOP."""
    step = _process().step("bedomning")
    conditions = _conditions(step, "fortsatt")
    assert ("bedomning", "slutsats", "iop") in conditions
    for field in ("gemensamt_behov", "allmannyttigt", "ingen_fardig_losning", "bada_bidrar", "upphandling",
                  "kommunallagen", "statsstod", "aktiviteter_vasentliga", "politiskt_program"):
        assert ("bedomning", field, YES) in conditions
    redirects = {o.redirect_to: o for o in step.outcomes if o.kind == "redirect"}
    assert set(redirects) == {"foreningsbidrag", "upphandling"}
    assert all(o.needs_reason for o in redirects.values())
    assert {o.kind for o in step.outcomes} == {"continue", "redirect", "stop"}


def test_hv_04_assessment_describes_challenge_solution_and_political_programme():
    """HV-04: the shared challenge and solution, and how it realises a politically decided programme or plan."""
    fields = {f.key: f for f in _process().form("bedomning").fields}
    assert fields["utmaning_och_losning"].kind == "text"
    assert fields["program_eller_plan"].kind == "text"
    assert "politiskt beslutat program" in fields["program_eller_plan"].label


def test_hv_05_activities_and_commitments_must_be_essential_to_the_solution():
    """HV-05: the planned activities and commitments are essential to solving the challenge."""
    process = _process()
    fields = {f.key: f for f in process.form("bedomning").fields}
    assert fields["aktiviteter"].kind == "text"
    assert fields["aktiviteter_vasentliga"].kind == "yesno"
    assert ("bedomning", "aktiviteter_vasentliga", YES) in _conditions(process.step("bedomning"), "fortsatt")
    assert ("innehall_overenskommelse", "vasentliga_aktiviteter", YES) in _conditions(
        process.step("overenskommelse"), "fortsatt")


def test_hv_04_hv_05_the_agreement_itself_states_challenge_programme_and_essential_activities():
    """HV-04, HV-05: the proposal goes to the nämnd only if it contains what the auditors demand."""
    step = _process().step("overenskommelse")
    assert step.form == "innehall_overenskommelse"
    conditions = _conditions(step, "fortsatt")
    for field in ("beskriver_utmaning_och_losning", "beskriver_program", "vasentliga_aktiviteter"):
        assert ("innehall_overenskommelse", field, YES) in conditions


def test_gen_06_agreement_requires_goals_period_contributions_and_proposal():
    """GEN-03, GEN-06, GEN-07: goals, a fixed period, both parties' resources and the proposal document."""
    step = _process().step("overenskommelse")
    requires = {(r.kind, r.ref) for r in step.requires}
    assert {("field", "goals"), ("field", "period_start"), ("field", "period_end"), ("contributions", ""),
            ("document", "overenskommelse_forslag")} <= requires
    assert step.after == ("stallningstagande",)


def test_hv_06_the_directors_position_is_motivated_in_writing():
    """HV-06: considerations and positions are documented."""
    process = _process()
    step = process.step("stallningstagande")
    assert step.owner_roles == ("stadsdelsdirektor",)
    assert step.after == ("bedomning",)
    assert _outcome(step, "fortsatt").needs_reason
    assert _outcome(step, "avbryt").kind == "stop" and _outcome(step, "avbryt").needs_reason
    # Every answer against the partnership is motivated: a "nej", or a "ja" to ST-03's statutory duties.
    assert all(f.motivation_when is (f.key == "myndighetsuppdrag") for f in process.form("bedomning").fields
               if f.kind == "yesno")
    assert {"slutsats", "motivering"} <= {f.key for f in process.form("bedomning").fields}


def test_the_namnd_decides_and_the_signing_starts_the_partnership():
    process = _process()
    assert process.step("namndbeslut").owner_roles == ("stadsdelsnamnd",)
    assert ("document", "tjansteutlatande") in {(r.kind, r.ref) for r in process.step("namndbeslut").requires}
    signing = process.step("undertecknande")
    assert signing.after == ("namndbeslut",)
    assert ("document", "overenskommelse_signerad") in {(r.kind, r.ref) for r in signing.requires}
    assert [(s.key, s.sets_status) for s in process.steps() if s.sets_status] == [
        ("bedomning", "beredning"), ("overenskommelse", "beslut"), ("undertecknande", "pagaende")]


def test_hv_03_follow_up_with_the_template_every_year_of_the_agreement():
    """HV-03 (yearly is inferred): Uppföljning av överenskommelse, once per calendar year."""
    step = _process().step("uppfoljning")
    assert step.recurring and isinstance(step.deadline, EachYear)
    assert step.templates == ("uppfoljning",)
    assert step.after == ("undertecknande",)
    assert ("document", "uppfoljning") in {(r.kind, r.ref) for r in step.requires}
    assert [w.due for w in due_windows(step.deadline, DATES)] == [
        date(2027, 12, 31), date(2028, 12, 31), date(2029, 8, 31)]


def test_gen_07_the_partnership_ends_when_the_agreement_expires():
    """GEN-07: a fixed period; the end step is due on the agreement's last day."""
    step = _process().step("avslut")
    assert step.deadline == After("agreement_end")
    assert [o.kind for o in step.outcomes] == ["end"]
    assert [w.due for w in due_windows(step.deadline, DATES)] == [date(2029, 8, 31)]


def test_hv_07_every_owner_is_in_the_roles_table():
    """HV-07: owners come from the routine's roles table; every role has work in the process."""
    process = _process()
    owners = {role for s in process.steps() for role in s.owner_roles}
    assert owners == {r.key for r in plugin.ROLES.roles}
