"""The guide to the right form of collaboration (core.guide): ST-01, ST-02, ST-03."""

from __future__ import annotations

from core import guide
from core.registry import build_plugin_manager, build_registry

ALL_YES_FOR_IOP = {"myndighet": "nej", "allmant_stod": "nej", "marknad": "nej", "initiativ": "ja", "program": "ja",
                   "egna_resurser": "ja", "frihet": "ja", "gemensamt_mal": "ja"}


def test_st_03_an_activity_within_the_kommuns_statutory_duties_is_not_iop():
    at = guide.step(guide.QUESTIONS, {"myndighet": "ja"})
    assert at.recommendation is not None and not at.recommendation.iop
    assert "lagstadgade uppgifter" in at.recommendation.reasons[0]


def test_st_02_general_support_is_foreningsbidrag_and_a_market_service_is_upphandling():
    support = guide.step(guide.QUESTIONS, {"myndighet": "nej", "allmant_stod": "ja"}).recommendation
    market = guide.step(guide.QUESTIONS, {"myndighet": "nej", "allmant_stod": "nej", "marknad": "ja"}).recommendation
    assert support.other_form == "Föreningsbidrag" and "föreningsbidrag" in support.title
    assert market.other_form == "Upphandling" and "upphandling" in market.title


def test_st_01_all_six_criteria_met_recommends_iop():
    at = guide.step(guide.QUESTIONS, ALL_YES_FOR_IOP)
    assert at.recommendation.iop and not at.recommendation.unmet
    assert at.recommendation.title == "Ett IOP ser ut att vara rätt form"


def test_st_01_an_unmet_criterion_is_named_with_what_to_do():
    at = guide.step(guide.QUESTIONS, {**ALL_YES_FOR_IOP, "egna_resurser": "nej"})
    assert at.recommendation.iop and len(at.recommendation.unmet) == 1
    assert "båda parter" in at.recommendation.unmet[0]


def test_the_guide_asks_one_question_at_a_time_and_ignores_what_it_cannot_use():
    at = guide.step(guide.QUESTIONS, {"myndighet": "nej", "allmant_stod": "kanske", "marknad": "ja"})
    assert at.question.key == "allmant_stod" and at.number == 2
    assert [q.key for q, _ in at.answered] == ["myndighet"]


def test_jv_21_jarvas_conditions_follow_the_core_questions_when_jarva_is_chosen():
    jarva = build_registry(build_plugin_manager()).kommuner["jarva"]
    questions = guide.questions_for(jarva.guide_questions)
    assert len(questions) == len(guide.QUESTIONS) + 6
    at = guide.step(questions, ALL_YES_FOR_IOP)
    assert at.question.key == "k_ansvarsomrade"
    answers = {**ALL_YES_FOR_IOP, **{q.key: "ja" for q in questions[len(guide.QUESTIONS):]}, "k_oppen": "nej"}
    assert "öppen för alla" in guide.step(questions, answers).recommendation.unmet[0]
