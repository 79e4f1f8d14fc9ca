"""The national guidance enforced by the engine (GEN-01 to GEN-07, ST-01, ST-02):
what a tenant without a kommun plugin works with."""

from datetime import date

from core import generic
from core.process import NO
from tests.casebuilder import Case, refused

TODAY = date(2026, 3, 2)


def case() -> Case:
    return (Case(generic.PROCESS_V1, generic.ROLES, TODAY).dates(initiative=date(2026, 3, 1))
            .fields("samhallsutmaning", "organisation"))


def test_st_02_general_support_goes_to_foreningsbidrag_a_service_to_upphandling():
    c = case().walk_until("val_av_form").complete_form("val_av_form", stodform="allmant_arbete")
    assert refused(c, "val_av_form", role="samordnare").message.startswith("”Pröva om IOP är möjligt” kan inte väljas")
    assert refused(c, "val_av_form", "upphandling", role="samordnare", motivation="x").message
    c.complete("val_av_form", "foreningsbidrag", role="samordnare", motivation="Stöd till föreningens allmänna arbete.")
    assert c.progress.status == "avbruten" and c.progress.ended.outcome_key == "foreningsbidrag"


def test_st_02_a_specific_activity_goes_on_to_be_tried_as_iop():
    c = case().walk_until("val_av_form").complete_form("val_av_form", stodform="specifik_verksamhet")
    c.complete("val_av_form", role="samordnare")
    assert c.state("kriterier") == "current"


def test_st_01_all_six_of_forums_criteria_must_hold():
    c = case().walk_until("kriterier")
    c.complete_form("kriterier_forum", ingen_detaljstyrning=NO, ingen_detaljstyrning__motivering="Kommunen styr.")
    assert "Kriteriet är inte uppfyllt" in refused(c, "kriterier", role="samordnare").message


def test_gen_01_gen_02_a_shared_need_and_an_allmannyttigt_goal_with_nothing_to_buy():
    c = case().walk_until("forutsattningar")
    c.complete_form("forutsattningar", gemensamt_behov=NO, gemensamt_behov__motivering="Bara kommunen vill.")
    assert "Förutsättningen saknas" in refused(c, "forutsattningar", role="samordnare").message
    c.complete_form("forutsattningar", ingen_fardig_losning=NO, ingen_fardig_losning__motivering="Tjänsten finns att köpa.")
    c.complete("forutsattningar", "upphandling", role="samordnare", motivation="Tjänsten finns att köpa.")
    assert c.progress.ended.outcome_key == "upphandling"


def test_gen_04_the_legal_check_covers_procurement_kommunallagen_and_state_aid():
    c = case().walk_until("rattslig_provning")
    c.complete_form("rattslig_provning", statsstod=NO, statsstod__motivering="Otillåtet stöd.")
    assert refused(c, "rattslig_provning", role="samordnare").message


def test_gen_03_both_parties_must_contribute_resources():
    c = case().walk_until("forslag").supply("forslag")
    c.facts = type(c.facts)(**{**c.facts.__dict__, "contributions": frozenset({"offentlig"})})
    assert "Ange vad" in " ".join(refused(c, "forslag", role="samordnare").missing)


def test_gen_06_the_agreement_states_goals_period_resources_and_the_proposal():
    c = case().walk_until("forslag")
    kinds = {r.kind + ":" + r.ref for r in c.progress.step("forslag").missing}
    assert {"field:goals", "field:period_start", "field:period_end", "contributions:"} <= kinds


def test_gen_05_the_namnds_decision_is_documented_with_its_reasons():
    c = case().walk_until("namndbeslut").supply("namndbeslut")
    assert "motivering" in refused(c, "namndbeslut", role="namnd").message
    assert "Nämnd" in refused(c, "namndbeslut", role="samordnare", motivation="x").message


def test_gen_07_a_fixed_period_evaluated_before_it_ends_and_nothing_beyond_it():
    c = case().walk_until("undertecknande").go_on("undertecknande")
    end = c.facts.dates.agreement_end
    assert c.progress.step("utvardering").window.due == date(end.year, 9, 30)
    assert c.state("avslut") == "waiting"
    c.today = date(end.year, 9, 1)
    c.go_on("utvardering")
    c.today = end
    c.go_on("avslut")
    assert c.progress.status == "avslutad" and not c.progress.current
