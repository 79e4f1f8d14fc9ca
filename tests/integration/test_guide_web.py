"""/portal/vagledning without an account and without JavaScript (ST-02)."""

from __future__ import annotations

import re


def _follow(client, url: str, answer: str):
    """Submits the page's question form with ``answer`` as a browser without JavaScript would."""
    page = client.get(url)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    question = re.search(r'name="(svar_[a-z_]+)" value="ja"', page.text).group(1)
    return client.get("/portal/vagledning", params={**hidden, question: answer})


def test_the_guide_works_without_an_account_one_question_at_a_time(client):
    first = client.get("/portal/vagledning")
    assert first.status_code == 200 and "Fråga 1 av 8" in first.text
    assert "lagstadgade uppgifter" in first.text
    page = _follow(client, "/portal/vagledning", "nej")
    assert "Fråga 2 av 8" in page.text and "föreningens verksamhet i stort" in page.text
    # Sent without a choice: the same question, with a message.
    again = client.get("/portal/vagledning", params={"fraga": "allmant_stod", "svar_myndighet": "nej"})
    assert "Välj ja eller nej." in again.text and "Fråga 2 av 8" in again.text


def test_the_guide_says_plainly_when_iop_is_not_the_form(client):
    page = client.get("/portal/vagledning", params={"svar_myndighet": "nej", "svar_allmant_stod": "nej",
                                                    "svar_marknad": "ja"})
    assert "Ett IOP är inte rätt form" in page.text and "upphandla" in page.text


def test_the_recommendation_lists_the_answers_and_jarvas_own_conditions(client, world):
    params = {"kommun": "jarva", "svar_myndighet": "nej", "svar_allmant_stod": "nej", "svar_marknad": "nej",
              "svar_initiativ": "ja", "svar_program": "ja", "svar_egna_resurser": "ja", "svar_frihet": "ja",
              "svar_gemensamt_mal": "ja"}
    page = client.get("/portal/vagledning", params=params)
    assert "Fråga 9 av 14" in page.text and "stadsdelsnämndens ansvarsområden" in page.text
    for key in ("ansvarsomrade", "oppen", "samverkan", "langsiktig", "kostnadseffektiv", "lokal_utmaning"):
        params[f"svar_k_{key}"] = "ja"
    done = client.get("/portal/vagledning", params=params)
    assert "Ett IOP ser ut att vara rätt form" in done.text
    assert "villkor som Järva" in done.text and "Era svar" in done.text


def test_htmx_gets_the_guide_alone(client):
    page = client.get("/portal/vagledning", params={"svar_myndighet": "nej"},
                      headers={"HX-Request": "true", "HX-Target": "guide"})
    assert page.text.lstrip().startswith('<div id="guide"') and "<html" not in page.text
