"""Järva's rules enforced by the engine (seed 002, JV-01 to JV-22): a case is
built fact by fact and the engine says what it allows."""

from dataclasses import replace
from datetime import date

import pytest
from iop_jarva.plugin import ROLES
from iop_jarva.process import ORGANISATION_DOCUMENTS, PROCESS_V1

from core.engine import TransitionRefused, check_new_meeting, deadline_state
from core.process import NO, YES, due_windows
from tests.casebuilder import Case, refused

INITIATIVE = date(2026, 9, 1)
START, END = date(2027, 1, 1), date(2029, 12, 31)


def case(today: date = date(2026, 9, 10)) -> Case:
    return Case(PROCESS_V1, ROLES, today).dates(initiative=INITIATIVE).fields("samhallsutmaning")


def received(c: Case) -> Case:
    return c.complete_form("initiativ").complete("initiativ", role="handlaggare")


def first_meeting_held(c: Case) -> Case:
    c = received(c).fields("organisation").meeting("forsta_mote")
    for kind in ORGANISATION_DOCUMENTS:
        c.document(kind.key)
    return c.complete("forsta_mote", role="stabsenhet")


def reviewed(c: Case) -> Case:
    c = first_meeting_held(c).complete_form("checklista_overvagande").complete("overvagande", role="stabsenhet")
    c.complete("direktorens_bedomning", role="stadsdelsdirektor", motivation="Initiativet är lämpligt.")
    return c.complete_form("granskning").complete("granskning", role="stabsenhet")


def proposed(c: Case, start: date = START, end: date = END, motivation: str = "") -> Case:
    c = reviewed(c).meeting("idemote").meeting("idemote").complete("idemoten", role="stabsenhet")
    c.fields("goals", "period_start", "period_end").contributions("offentlig", "ideburen")
    c.dates(agreement_start=start, agreement_end=end).document("overenskommelse_forslag")
    return c.complete("forslag", role="stabsenhet", motivation=motivation)


def positioned(c: Case) -> Case:
    c = proposed(c).complete_form("stallningstagande").complete("stallningstagande", role="avdelningschef")
    return c.complete("direktorens_stallningstagande", role="stadsdelsdirektor")


def signed(c: Case) -> Case:
    c = positioned(c).document("tjansteutlatande").complete("namndbeslut", role="stadsdelsnamnd")
    return c.document("overenskommelse_signerad").complete("undertecknande", role="stadsdelsdirektor")


def followed_up(c: Case) -> Case:
    """Every year's follow-up whose time has come, approved by the nämnd (JV-16)."""
    while (step := c.progress.step("uppfoljning")).state == "current":
        c.document("uppfoljning").document("tjansteutlatande").complete("uppfoljning", "godkand", role="stadsdelsnamnd")
    return c


def test_jv_01_the_same_process_whatever_the_initiatives_origin():
    for origin in ("civilsamhallet", "forvaltningen", "namnden"):
        c = case().complete_form("initiativ", ursprung=origin).complete("initiativ", role="stabsenhet")
        assert [s.key for s in c.progress.current] == ["forsta_mote"]
    conditions = [cond for step in PROCESS_V1.steps() for o in step.outcomes for cond in o.when]
    assert not any(cond.form == "initiativ" for cond in conditions)


def test_jv_03_the_initiative_is_received_by_a_case_officer_or_the_stabsenhet():
    c = case().complete_form("initiativ")
    assert "Stabsenhet" in refused(c, "initiativ", role="avdelningschef").message
    assert c.complete("initiativ", role="stabsenhet").state("initiativ") == "done"


def test_jv_04_first_meeting_overdue_four_weeks_after_the_initiative():
    c = received(case())
    step = c.progress.step("forsta_mote")
    assert step.window.due == date(2026, 9, 29)
    assert deadline_state(step.window, date(2026, 9, 20)) == "soon"
    assert deadline_state(step.window, date(2026, 9, 30)) == "overdue"
    assert "Stabsenhet" in refused(c, "forsta_mote", role="handlaggare").message


def test_jv_05_the_first_meeting_needs_the_organisations_documents():
    c = received(case()).fields("organisation").meeting("forsta_mote")
    error = refused(c, "forsta_mote", role="stabsenhet")
    assert len(error.missing) == 5 and "Senaste revisionsberättelsen saknas." in error.missing
    for kind in ORGANISATION_DOCUMENTS:
        c.document(kind.key)
    assert c.complete("forsta_mote", role="stabsenhet").state("forsta_mote") == "done"
    assert c.progress.status == "beredning"


def test_jv_06_consideration_on_the_checklist_then_the_directors_motivated_assessment():
    c = first_meeting_held(case())
    assert "checklistan" in refused(c, "overvagande", role="stabsenhet").missing[0]
    # The stabsenhet hands over its consideration whatever it recommends; it decides nothing.
    c.complete_form("checklista_overvagande", bedomning="annan_form").complete("overvagande", role="stabsenhet")
    assert "Stadsdelsdirektör" in refused(c, "direktorens_bedomning", role="stabsenhet").message
    assert "motivering" in refused(c, "direktorens_bedomning", role="stadsdelsdirektor").message
    c.complete("direktorens_bedomning", role="stadsdelsdirektor", motivation="Går vidare; återkopplat till parten.")
    assert c.state("granskning") == "current"


def test_jv_06_only_the_stadsdelsdirektor_stops_or_redirects_and_always_with_reasons():
    stab_outcomes = {o.kind for o in PROCESS_V1.step("overvagande").outcomes}
    assert stab_outcomes == {"continue"}
    c = first_meeting_held(case()).complete_form("checklista_overvagande", bedomning="annan_form")
    c.complete("overvagande", role="stabsenhet")
    for outcome in ("foreningsbidrag", "avbryt"):
        assert "Stadsdelsdirektör" in refused(c, "direktorens_bedomning", outcome, role="stabsenhet",
                                              motivation="x").message
    assert "motivering" in refused(c, "direktorens_bedomning", "foreningsbidrag", role="stadsdelsdirektor").message
    c.complete("direktorens_bedomning", "foreningsbidrag", role="stadsdelsdirektor",
               motivation="Stöd till allmän verksamhet; parten hänvisas till föreningsbidrag.")
    assert c.progress.status == "avbruten" and c.progress.ended.outcome_key == "foreningsbidrag"
    assert c.progress.current == []
    assert "avbrutet" in refused(c, "granskning", role="stabsenhet").message


def test_jv_07_review_must_find_an_ideburen_party_sharing_the_values_and_a_lawful_partnership():
    c = first_meeting_held(case()).complete_form("checklista_overvagande").complete("overvagande", role="stabsenhet")
    c.complete("direktorens_bedomning", role="stadsdelsdirektor", motivation="Ja.")
    c.complete_form("granskning", vardegrund=NO, vardegrund__motivering="Parten delar inte värdegrunden.")
    assert "värdegrund" in refused(c, "granskning", role="stabsenhet").message
    c.complete("granskning", "avbryt", role="stabsenhet", motivation="Parten delar inte stadens värdegrund.")
    assert c.progress.status == "avbruten"


def test_jv_08_two_idea_meetings_needed_stop_offered_after_three_a_sixth_refused():
    c = reviewed(case())
    c.meeting("idemote")
    assert "Minst två idémöten" in refused(c, "idemoten", role="stabsenhet").missing[0]
    c.meeting("idemote")
    assert c.progress.step("idemoten").notices == ()
    c.meeting("idemote")
    assert "kan processen avbrytas" in c.progress.step("idemoten").notices[0]
    c.meeting("idemote").meeting("idemote")
    with pytest.raises(TransitionRefused, match="högsta antalet"):
        check_new_meeting(c.progress, c.facts, "idemote", c.today, c.today)
    c.complete("idemoten", "avbryt", role="stabsenhet", motivation="Ingen samsyn efter fem idémöten.")
    assert c.progress.status == "avbruten"


def test_jv_09_a_one_year_agreement_needs_a_recorded_reason():
    c = reviewed(case()).meeting("idemote").meeting("idemote").complete("idemoten", role="stabsenhet")
    c.fields("goals", "period_start", "period_end").contributions("offentlig", "ideburen").document("overenskommelse_forslag")
    c.dates(agreement_start=date(2027, 1, 1), agreement_end=date(2027, 12, 31))
    assert "undantagsvis" in refused(c, "forslag", role="stabsenhet").message
    c.complete("forslag", role="stabsenhet", motivation="Pilotår innan en längre överenskommelse.")
    assert c.progress.step("forslag").decision.motivation.startswith("Pilotår")


def test_jv_09_a_long_agreement_needs_no_reason():
    assert proposed(case()).state("forslag") == "done"


def test_jv_10_position_by_the_avdelningschef_with_the_organisations_authorised_body_then_the_director():
    c = proposed(case())
    c.complete_form("stallningstagande", ideburen_part_staller_sig_bakom=NO,
                    ideburen_part_staller_sig_bakom__motivering="Styrelsen har inte beslutat.")
    assert "behöriga instans" in refused(c, "stallningstagande", role="avdelningschef").message
    c.complete_form("stallningstagande").complete("stallningstagande", role="avdelningschef")
    assert c.progress.status == "beslut"
    # The stadsdelsdirektör takes part in the position and starts the nämnd's matter; the nämnd waits for it.
    assert [s.key for s in c.progress.current] == ["direktorens_stallningstagande"]
    assert "Stadsdelsdirektör" in refused(c, "direktorens_stallningstagande", role="avdelningschef").message
    c.document("tjansteutlatande")
    assert "Först behöver ”Stadsdelsdirektörens" in refused(c, "namndbeslut", role="stadsdelsnamnd").message
    c.complete("direktorens_stallningstagande", role="stadsdelsdirektor")
    assert [s.key for s in c.progress.current] == ["namndbeslut"]


def test_jv_11_the_namnd_decides_on_the_tjansteutlatande_and_the_director_signs():
    c = positioned(case())
    assert refused(c, "namndbeslut", role="stadsdelsnamnd").missing == ("Tjänsteutlåtandet till nämnden saknas.",)
    c.document("tjansteutlatande")
    assert "Stadsdelsnämnd" in refused(c, "namndbeslut", role="stadsdelsdirektor").message
    c.complete("namndbeslut", role="stadsdelsnamnd")
    assert refused(c, "undertecknande", role="stadsdelsdirektor").missing
    c.document("overenskommelse_signerad").complete("undertecknande", role="stadsdelsdirektor")
    assert c.progress.status == "pagaende"


def test_jv_12_steering_group_three_and_working_group_four_meetings_a_year():
    c = signed(case())
    c.today = date(2028, 3, 1)
    for day in (date(2027, 2, 1), date(2027, 6, 1)):
        c.meeting("styrgrupp", day)
    for day in (date(2027, 2, 1), date(2027, 4, 1), date(2027, 8, 1), date(2027, 11, 1)):
        c.meeting("arbetsgrupp", day)
    year_2027 = {ob.rule.kind: ob for ob in c.progress.obligations if ob.year == 2027}
    assert not year_2027["styrgrupp"].met and year_2027["styrgrupp"].held == 2
    assert deadline_state(year_2027["styrgrupp"].window, c.today) == "overdue"
    assert year_2027["arbetsgrupp"].met
    assert {ob.year for ob in c.progress.obligations} == {2027, 2028}


def test_jv_12_meetings_are_not_required_before_the_agreement_is_signed():
    assert proposed(case()).progress.obligations == ()


def test_jv_13_a_named_iop_koordinator_is_appointed_before_the_running_obligations_start():
    c = signed(case())
    step = c.progress.step("utse_koordinator")
    assert step.state == "current" and step.window.due == START
    c.complete_form("grupper")
    assert "namngiven person" in refused(c, "utse_koordinator", role="avdelningschef").missing[0]
    c.fields("coordinator").complete("utse_koordinator", role="avdelningschef")
    assert c.state("utse_koordinator") == "done"


def test_jv_14_budget_and_reporting_templates_go_with_running_the_partnership():
    assert {"budget", "ekonomisk_redovisning"} <= set(PROCESS_V1.step("utse_koordinator").templates)
    assert "ekonomisk_redovisning" in PROCESS_V1.step("uppfoljning").templates


def test_jv_15_only_held_meetings_count_a_planned_one_does_not():
    c = signed(case())
    c.today = date(2027, 3, 1)
    c.meeting("styrgrupp", date(2027, 2, 1)).meeting("styrgrupp", date(2027, 5, 1))
    assert next(ob for ob in c.progress.obligations if ob.rule.kind == "styrgrupp").held == 1


def test_jv_16_follow_up_due_in_quarter_four_of_every_year_approved_by_the_namnd():
    c = signed(case())
    c.today = date(2027, 10, 15)
    step = c.progress.step("uppfoljning")
    assert (step.state, step.period, step.window.due) == ("current", "2027", date(2027, 12, 31))
    assert "Stadsdelsnämnd" in refused(c, "uppfoljning", "godkand", role="stabsenhet").message
    # The tjänsteutlåtande for the nämnd's decision to sign does not count for the follow-up.
    assert len(refused(c, "uppfoljning", "godkand", role="stadsdelsnamnd").missing) == 2
    c.document("uppfoljning").document("tjansteutlatande").complete("uppfoljning", "godkand", role="stadsdelsnamnd")
    step = c.progress.step("uppfoljning")
    assert (step.state, step.period, step.window.due) == ("upcoming", "2028", date(2028, 12, 31))
    c.today = date(2028, 10, 2)
    # Last year's underlag does not count for this year's follow-up.
    assert len(refused(c, "uppfoljning", "godkand", role="stadsdelsnamnd").missing) == 2


def test_jv_16_a_missed_follow_up_stays_overdue():
    c = signed(case())
    c.today = date(2028, 2, 1)
    step = c.progress.step("uppfoljning")
    assert step.period == "2027" and deadline_state(step.window, c.today) == "overdue"


def test_jv_17_evaluation_in_quarter_one_or_two_of_the_final_year():
    c = signed(case())
    c.today = date(2028, 6, 1)
    followed_up(c)
    step = c.progress.step("utvardering")
    assert step.state == "upcoming" and (step.window.opens, step.window.due) == (date(2029, 1, 1), date(2029, 6, 30))
    c.document("utvardering")
    assert "tidigast" in refused(c, "utvardering", role="iop_koordinator").message
    c.today = date(2029, 2, 1)
    assert c.state("utvardering") == "current"
    followed_up(c).complete("utvardering", role="iop_koordinator")
    assert c.state("slutrapport") == "current"


def test_jv_18_final_report_due_three_months_before_the_end_with_every_partys_position():
    c = signed(case())
    c.today = date(2029, 3, 1)
    followed_up(c).document("utvardering").complete("utvardering", role="iop_koordinator")
    step = c.progress.step("slutrapport")
    assert step.window.due == date(2029, 9, 30)
    assert deadline_state(step.window, date(2029, 10, 1)) == "overdue"
    assert {"Slutrapporten saknas.", "Fyll i ställningstagandet till omförhandling.",
            "Den idéburna partens ställningstagande (ordförande eller motsvarande) saknas."} == set(
        refused(c, "slutrapport", role="stadsdelsdirektor").missing)
    c.document("slutrapport").document("stallningstagande_part").complete_form("omforhandling")
    c.complete("slutrapport", role="stadsdelsdirektor")
    assert c.state("avslut") == "upcoming"


def test_jv_18_the_position_on_renegotiation_is_taken_with_the_avdelningschef_for_administration():
    """The seed names three who take the position: the direktör, the
    avdelningschef for administration and the organisation's chair."""
    c = _final_year(signed(case())).complete_form(
        "omforhandling", avdelningschef_administration=NO,
        avdelningschef_administration__motivering="Avdelningschefen är inte tillfrågad.")
    assert "Avdelningschefen för administrativa avdelningen har inte tagit ställning." in refused(
        c, "slutrapport", role="stadsdelsdirektor").message
    c.complete_form("omforhandling").complete("slutrapport", role="stadsdelsdirektor")
    assert c.state("slutrapport_beslut") == "current"


def test_jv_18_the_namnd_decides_on_the_final_report_not_the_director():
    c = _reported(signed(case()))
    assert c.state("slutrapport_beslut") == "current"
    assert "Stadsdelsnämnd" in refused(c, "slutrapport_beslut", "avsluta", role="stadsdelsdirektor").message
    c.complete("slutrapport_beslut", "avsluta", role="stadsdelsnamnd")
    assert c.state("slutrapport_beslut") == "done"


def _final_year(c: Case) -> Case:
    c.today = date(2029, 3, 1)
    c = followed_up(c).document("utvardering").complete("utvardering", role="iop_koordinator")
    return c.document("slutrapport").document("stallningstagande_part")


def _reported(c: Case, **answers) -> Case:
    return _final_year(c).complete_form("omforhandling", **answers).complete("slutrapport", role="stadsdelsdirektor")


def test_jv_19_renegotiation_needs_its_grounds_and_restarts_the_idea_meetings():
    c = _reported(signed(case()), samverkan_fruktsam=NO)
    assert "fruktsam" in refused(c, "slutrapport_beslut", "omforhandla", role="stadsdelsnamnd", motivation="x").message
    c.complete_form("omforhandling", vasentliga_forandringar=YES)
    assert "nya idémöten" in refused(c, "slutrapport_beslut", "revidera", role="stadsdelsnamnd", motivation="x").message
    c.complete("slutrapport_beslut", "omforhandla", role="stadsdelsnamnd", motivation="Utmaningen kvarstår.")
    progress = c.progress
    assert progress.round == 1 and [s.key for s in progress.current] == ["idemoten"]
    # The idea meetings of the first round do not count for the new one.
    assert refused(c, "idemoten", role="stabsenhet").missing
    assert progress.status == "beredning"


def test_jv_19_renegotiation_without_substantial_change_goes_straight_to_a_new_proposal():
    c = _reported(signed(case()), vasentliga_forandringar=NO)
    c.complete("slutrapport_beslut", "revidera", role="stadsdelsnamnd", motivation="Samma verksamhet, nya datum.")
    assert [s.key for s in c.progress.current] == ["forslag"]


def test_jv_20_the_partnership_ends_when_the_agreement_expires_with_the_evaluation_and_the_final_report():
    c = signed(case())
    c.today = date(2028, 5, 1)
    step = c.progress.step("avslut")
    assert step.state == "upcoming" and step.window.due == END
    c = _reported(c)
    c.complete("slutrapport_beslut", "avsluta", role="stadsdelsnamnd")
    c.today = END
    c = followed_up(c)
    c.complete("avslut", "avsluta", role="stadsdelsdirektor")
    assert c.progress.status == "avslutad" and c.progress.current == [] and c.progress.obligations == ()


def test_jv_20_an_agreement_that_expires_without_evaluation_and_final_report_stays_flagged():
    c = signed(case())
    c.today = date(2030, 1, 15)
    c = followed_up(c)
    error = refused(c, "avslut", "avsluta", role="stadsdelsdirektor")
    assert set(error.missing) == {"Utvärderingen är inte gjord.", "Nämnden har inte beslutat om slutrapporten."}
    step = c.progress.step("avslut")
    assert step.state == "current" and deadline_state(step.window, c.today) == "overdue"


def test_jv_20_it_may_end_earlier_on_the_agreements_terms_with_reasons():
    c = signed(case())
    c.today = date(2028, 5, 1)
    c = followed_up(c)
    assert "motivering" in refused(c, "avslut", "i_fortid", role="stadsdelsdirektor").message
    c.complete("avslut", "i_fortid", role="stadsdelsdirektor",
               motivation="Föreningen upphör; överenskommelsens punkt 9 om förtida upphörande.")
    assert c.progress.status == "avslutad"


def test_jv_16_a_year_whose_follow_up_is_not_approved_blocks_all_but_that_follow_up_and_ending():
    c = signed(case())
    c.complete_form("grupper").fields("coordinator")
    c.today = date(2028, 1, 10)  # 2027's follow-up was due by 31 December
    error = refused(c, "utse_koordinator", role="avdelningschef")
    assert "förutsättning för att partnerskapet ska fortsätta" in error.message and "2027" in error.message
    assert any("förutsättning" in n for n in c.progress.step("utse_koordinator").notices)
    c.document("uppfoljning").document("tjansteutlatande").complete("uppfoljning", "godkand", role="stadsdelsnamnd")
    c.complete("utse_koordinator", role="avdelningschef")
    assert c.state("utse_koordinator") == "done"


def test_jv_16_ending_is_not_blocked_by_a_missing_follow_up():
    c = signed(case())
    c.today = date(2028, 2, 1)
    c.complete("avslut", "i_fortid", role="stadsdelsdirektor", motivation="Parterna är överens om att avsluta.")
    assert c.progress.status == "avslutad"


def test_jv_21_and_jv_22_the_checklist_asks_the_general_conditions_and_a_no_must_be_motivated():
    form = PROCESS_V1.form("checklista_overvagande")
    keys = {f.key for f in form.fields}
    assert {"ansvarsomrade", "oppen_for_alla", "tydlig_samverkan", "ingen_fardig_losning", "langsiktig",
            "kostnadseffektiv"} <= keys  # JV-21
    assert {"lokalt_perspektiv", "verifierbar", "koppling_till_mal"} <= keys  # JV-22
    c = first_meeting_held(case()).complete_form("checklista_overvagande", verifierbar=NO)
    assert refused(c, "overvagande", role="stabsenhet").missing == ("Fyll i checklistan inför övervägandet.",)


def test_jv_21_a_general_condition_answered_no_stops_the_case_unless_the_director_motivates_an_exception():
    c = first_meeting_held(case()).complete_form(
        "checklista_overvagande", ingen_fardig_losning=NO,
        ingen_fardig_losning__motivering="Liknande läxhjälp kan köpas av flera företag.")
    c.complete("overvagande", role="stabsenhet")
    error = refused(c, "direktorens_bedomning", "fortsatt", role="stadsdelsdirektor", motivation="Vi vill ändå.")
    assert "färdiga lösningar" in error.message
    assert "motivering" in refused(c, "direktorens_bedomning", "undantag", role="stadsdelsdirektor").message
    c.complete("direktorens_bedomning", "undantag", role="stadsdelsdirektor",
               motivation="Ingen av de köpbara tjänsterna når målgruppen i Rinkeby; undantag enligt JV-21.")
    assert c.state("granskning") == "current"
    assert c.progress.step("direktorens_bedomning").decision.outcome_key == "undantag"


def test_jv_21_no_exception_is_recorded_when_every_general_condition_holds():
    c = first_meeting_held(case()).complete_form("checklista_overvagande").complete("overvagande", role="stabsenhet")
    error = refused(c, "direktorens_bedomning", "undantag", role="stadsdelsdirektor", motivation="Undantag.")
    assert "Inget undantag behövs" in error.message


# ---------------------------------------------------------------- dates at the edges (issue 11, point 3)


def test_jv_04_a_meeting_dated_before_the_initiative_is_not_its_first_meeting():
    c = received(case()).fields("organisation")
    for kind in ORGANISATION_DOCUMENTS:
        c.document(kind.key)
    c.meeting("forsta_mote", date(2026, 8, 31))  # the day before the initiative came in
    assert refused(c, "forsta_mote", role="stabsenhet").missing == ("Det första mötet är inte registrerat.",)
    with pytest.raises(TransitionRefused, match="före initiativet"):
        check_new_meeting(c.progress, c.facts, "forsta_mote", date(2026, 8, 31), c.today)
    c.meeting("forsta_mote", INITIATIVE)  # the same day counts
    assert c.complete("forsta_mote", role="stabsenhet").state("forsta_mote") == "done"


def test_jv_04_a_first_meeting_held_late_is_recorded_with_its_lateness_and_a_reason():
    c = received(case(date(2026, 10, 20))).fields("organisation")
    for kind in ORGANISATION_DOCUMENTS:
        c.document(kind.key)
    c.meeting("forsta_mote", date(2026, 10, 1))  # four weeks ran out on 29 September
    error = refused(c, "forsta_mote", role="stabsenhet")
    assert "skulle vara klart 2026-09-29 och är 2 dagar sent" in error.message
    completion = c.check("forsta_mote", role="stabsenhet", motivation="Föreningens styrelse kunde inte tidigare.")
    assert completion.late_days == 2
    # Held on the last day of the four weeks, completed later: not late.
    on_time = received(case(date(2026, 10, 20))).fields("organisation").meeting("forsta_mote", date(2026, 9, 29))
    for kind in ORGANISATION_DOCUMENTS:
        on_time.document(kind.key)
    assert on_time.check("forsta_mote", role="stabsenhet").late_days == 0


def test_jv_07_idea_meetings_count_only_once_the_review_is_done():
    c = first_meeting_held(case()).complete_form("checklista_overvagande").complete("overvagande", role="stabsenhet")
    c.complete("direktorens_bedomning", role="stadsdelsdirektor", motivation="Ja.")
    early = c.today
    c.meeting("idemote", early).meeting("idemote", early)  # held while the review was still going on
    c.today = date(2026, 9, 20)
    c.complete_form("granskning").complete("granskning", role="stabsenhet")
    assert "Minst två idémöten" in refused(c, "idemoten", role="stabsenhet").missing[0]
    c.meeting("idemote").meeting("idemote")
    assert c.complete("idemoten", role="stabsenhet").state("idemoten") == "done"


@pytest.mark.parametrize(("start", "end", "short"), [
    (date(2028, 2, 29), date(2029, 2, 28), True),   # one year from a leap day
    (date(2028, 2, 29), date(2029, 3, 1), False),   # a year and a day
    (date(2027, 3, 1), date(2028, 2, 29), True),    # one year across a leap day
    (date(2027, 3, 1), date(2028, 3, 1), False),
    (date(2027, 1, 1), date(2027, 12, 31), True),
    (date(2027, 1, 1), date(2028, 1, 1), False),
])
def test_jv_09_one_year_is_measured_on_the_calendar_leap_days_included(start, end, short):
    c = reviewed(case()).meeting("idemote").meeting("idemote").complete("idemoten", role="stabsenhet")
    c.fields("goals", "period_start", "period_end").contributions("offentlig", "ideburen")
    c.dates(agreement_start=start, agreement_end=end).document("overenskommelse_forslag")
    if short:
        assert "undantagsvis" in refused(c, "forslag", role="stabsenhet").message
    else:
        assert c.complete("forslag", role="stabsenhet").state("forslag") == "done"


def _signed_for(start: date, end: date) -> Case:
    c = signed(case())
    return c.dates(agreement_start=start, agreement_end=end)


def test_jv_12_meeting_minimums_are_pro_rata_in_partial_calendar_years():
    c = _signed_for(date(2027, 7, 1), date(2030, 3, 31))  # six months in 2027, three in 2030
    c.today = date(2030, 6, 1)
    required = {(ob.rule.kind, ob.year): ob.required for ob in c.progress.obligations}
    assert required[("styrgrupp", 2027)] == 2 and required[("arbetsgrupp", 2027)] == 2  # 3·6/12, 4·6/12
    assert required[("styrgrupp", 2028)] == 3 and required[("arbetsgrupp", 2028)] == 4
    assert required[("styrgrupp", 2030)] == 1 and required[("arbetsgrupp", 2030)] == 1  # 3·3/12, 4·3/12 rounded up
    # A partial month counts as a month the agreement runs.
    c.dates(agreement_start=date(2027, 11, 15))
    assert {ob.required for ob in c.progress.obligations if ob.year == 2027} == {1}


@pytest.mark.parametrize(("start", "end", "window"), [
    # By calendar year: January to June of the last year.
    (date(2027, 1, 1), date(2029, 12, 31), (date(2029, 1, 1), date(2029, 6, 30))),
    # Starting mid-year and ending in the first half: the final year counted from the start.
    (date(2026, 7, 1), date(2029, 6, 30), (date(2028, 7, 1), date(2028, 12, 31))),
    # Starting mid-quarter.
    (date(2027, 2, 15), date(2030, 2, 14), (date(2029, 2, 15), date(2029, 8, 14))),
    # Ending in the first quarter: still six months before the end.
    (date(2027, 1, 1), date(2029, 3, 31), (date(2028, 4, 1), date(2028, 9, 30))),
])
def test_jv_17_the_evaluation_falls_in_the_first_half_of_the_final_year_before_the_final_report(start, end, window):
    c = _signed_for(start, end)
    evaluation = c.progress.step("utvardering").window
    assert (evaluation.opens, evaluation.due) == window
    [report] = due_windows(PROCESS_V1.step("slutrapport").deadline, c.facts.dates)
    assert evaluation.due < report.due


def test_jv_19_a_renegotiation_runs_beside_the_agreement_in_force_with_its_follow_ups_and_meetings():
    c = _reported(signed(case()), vasentliga_forandringar=YES)
    c.complete("slutrapport_beslut", "omforhandla", role="stadsdelsnamnd", motivation="Utmaningen kvarstår.")
    assert c.state("idemoten") == "current"
    c.today = date(2029, 10, 15)
    follow_up = c.progress.step("uppfoljning")
    assert (follow_up.state, follow_up.period) == ("current", "2029")
    assert {ob.year for ob in c.progress.obligations} >= {2027, 2028, 2029}


def test_gen_08_jv_18_with_several_idéburna_parties_each_takes_its_own_position():
    c = signed(case())
    c.facts = replace(c.facts, ideburna=((7, "Föreningen Brobyggarna"), (8, "Tensta Idrottsklubb")))
    c = _final_year(c)  # one position, uploaded by staff
    c.complete_form("omforhandling")
    missing = refused(c, "slutrapport", role="stadsdelsdirektor").missing
    assert set(missing) == {
        "Föreningen Brobyggarna: Den idéburna partens ställningstagande (ordförande eller motsvarande) saknas.",
        "Tensta Idrottsklubb: Den idéburna partens ställningstagande (ordförande eller motsvarande) saknas."}
    c.document("stallningstagande_part", organisation_id=7)
    assert len(refused(c, "slutrapport", role="stadsdelsdirektor").missing) == 1
    c.document("stallningstagande_part", organisation_id=8)
    assert c.complete("slutrapport", role="stadsdelsdirektor").state("slutrapport") == "done"
