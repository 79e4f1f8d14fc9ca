"""Hässelby-Vällingby's routine enforced by the engine (seed 000, HV-01 to HV-07)."""

from datetime import date

from iop_hasselby_vallingby.plugin import ROLES
from iop_hasselby_vallingby.process import PROCESS_V1

from core.engine import deadline_state
from core.process import NO
from tests.casebuilder import Case, refused

TODAY = date(2026, 3, 2)


def case() -> Case:
    return Case(PROCESS_V1, ROLES, TODAY).dates(initiative=date(2026, 3, 1)).fields("samhallsutmaning", "organisation")


def test_hv_01_one_routine_checks_agrees_and_follows_up_every_initiative():
    c = case().walk_until("undertecknande").go_on("undertecknande")
    assert c.progress.status == "pagaende"
    assert {"uppfoljning", "avslut"} <= {s.key for s in c.progress.steps if s.state in ("current", "upcoming")}


def test_hv_02_the_documented_assessment_must_support_iop_before_going_on():
    c = case().walk_until("bedomning")
    assert "Bedömning inför en överenskommelse" in PROCESS_V1.form("bedomning").title
    c.complete_form("bedomning", slutsats="iop", statsstod=NO, statsstod__motivering="Oklart.")
    assert "Bedömningen visar inte" in refused(c, "bedomning", role="handlaggare").message
    c.complete_form("bedomning", slutsats="foreningsbidrag")
    c.complete("bedomning", "foreningsbidrag", role="handlaggare", motivation="Allmänt stöd till föreningen.")
    assert c.progress.status == "avbruten"


def test_hv_04_hv_05_the_proposal_must_describe_the_challenge_the_programme_and_essential_activities():
    c = case().walk_until("overenskommelse")
    c.supply("overenskommelse").complete_form("innehall_overenskommelse", vasentliga_aktiviteter=NO)
    assert "Förslaget" in refused(c, "overenskommelse", role="handlaggare").message
    c.complete_form("innehall_overenskommelse").complete("overenskommelse", role="handlaggare")
    assert c.progress.status == "beslut"


def test_hv_06_the_directors_position_is_documented_with_reasons():
    c = case().walk_until("stallningstagande")
    assert "motivering" in refused(c, "stallningstagande", role="stadsdelsdirektor").message
    assert "Stadsdelsdirektör" in refused(c, "stallningstagande", role="stab", motivation="x").message
    c.complete("stallningstagande", role="stadsdelsdirektor", motivation="Förslaget tas fram.")
    assert c.progress.step("stallningstagande").decision.motivation == "Förslaget tas fram."


def test_hv_03_the_agreement_is_followed_up_every_year():
    c = case().walk_until("undertecknande").go_on("undertecknande")
    start = c.facts.dates.agreement_start
    c.today = date(start.year, 12, 15)
    step = c.progress.step("uppfoljning")
    assert (step.state, step.period, step.window.due) == ("current", str(start.year), date(start.year, 12, 31))
    c.today = date(start.year + 1, 1, 10)
    assert deadline_state(c.progress.step("uppfoljning").window, c.today) == "overdue"
    c.go_on("uppfoljning")
    assert c.progress.step("uppfoljning").period == str(start.year + 1)


def test_hv_07_steps_are_owned_by_the_roles_of_the_routine():
    owners = {role for step in PROCESS_V1.steps() for role in step.owner_roles}
    assert owners == {r.key for r in ROLES.roles}
