"""Tyresö's rules enforced by the engine (seed 003, TY-01 to TY-06)."""

from datetime import date

from iop_tyreso.plugin import ROLES
from iop_tyreso.process import PROCESS_V1

from core.process import NO, YES
from tests.casebuilder import Case, refused

TODAY = date(2026, 3, 2)


def case() -> Case:
    return Case(PROCESS_V1, ROLES, TODAY).dates(initiative=date(2026, 3, 1)).fields("samhallsutmaning", "organisation")


def test_ty_04_both_parties_must_want_it_the_kommun_does_not_order_unilaterally():
    c = case().complete_form("initiativ", ensidig_bestallning=YES)
    assert "ensidigt beställa" in refused(c, "initiativ", role="handlaggare").message
    c.complete_form("initiativ", ensidig_bestallning=NO, bada_vill=NO)
    assert "Båda parter" in refused(c, "initiativ", role="handlaggare").message
    c.complete_form("initiativ", ensidig_bestallning=NO).complete("initiativ", role="handlaggare")
    assert [s.key for s in c.progress.current] == ["upphandlingsprovning"]


def test_ty_03_procurement_first_if_it_applies_the_case_goes_to_upphandling():
    c = case().walk_until("upphandlingsprovning").complete_form("upphandlingsprovning", upphandlingsplikt=YES)
    assert "upphandling" in refused(c, "upphandlingsprovning", role="kommunstyrelseforvaltningen").message.lower()
    c.complete("upphandlingsprovning", "upphandling", role="kommunstyrelseforvaltningen",
               motivation="Flera leverantörer kan utföra tjänsten.")
    assert c.progress.status == "avbruten" and c.progress.ended.outcome_key == "upphandling"


def test_ty_03_then_the_short_requirements():
    c = case().walk_until("krav").complete_form("krav_iop", tillit=NO, tillit__motivering="Det liknar ett köpeavtal.")
    assert "Kraven för ett IOP är inte uppfyllda" in refused(c, "krav", role="kommunstyrelseforvaltningen").message
    c.complete_form("krav_iop").complete("krav", role="kommunstyrelseforvaltningen")
    assert c.state("forslag") == "current"


def test_ty_05_no_agreement_without_the_barnets_basta_assessment():
    c = case().walk_until("barnets_basta")
    assert "”Bedömning av barnets bästa”" in refused(c, "undertecknande", role="kommundirektor").message
    assert refused(c, "barnets_basta", role="kommunstyrelseforvaltningen").missing
    c.go_on("barnets_basta")
    c.walk_until("undertecknande")
    c.go_on("undertecknande")
    assert c.progress.status == "pagaende"


def test_ty_01_the_kommundirektor_decides_the_pilot_with_reasons():
    c = case().walk_until("pilotbeslut")
    assert "Kommundirektör" in refused(c, "pilotbeslut", role="kommunstyrelseforvaltningen").message
    assert "motivering" in refused(c, "pilotbeslut", role="kommundirektor").message


def test_ty_01_ty_02_results_go_through_the_utskott_to_the_kommunstyrelse_before_the_end():
    c = case().walk_until("beredning_klu")
    assert "Kommunledningsutskottet" in refused(c, "beredning_klu", role="kommundirektor").message
    c.go_on("beredning_klu")
    assert "Kommunstyrelsen" in refused(c, "redovisning_ks", role="kommunledningsutskottet").message
    assert c.state("avslut") == "waiting"
    c.go_on("redovisning_ks")
    c.today = c.facts.dates.agreement_end
    c.complete("avslut", "avsluta", role="kommundirektor")
    assert c.progress.status == "avslutad"


def test_ty_02_and_ty_06_every_decision_is_taken_in_a_role_of_tyresos_table():
    owners = {role for step in PROCESS_V1.steps() for role in step.owner_roles}
    assert owners <= {r.key for r in ROLES.roles}
    assert {"kommunledningsutskottet", "kommunstyrelsen", "kommundirektor"} <= owners
