"""Swedish full-text search (issue 8): titles, societal challenges and
organisations; case-insensitive for every Swedish letter, å, ä and ö kept
apart from a and o, parts of words found, what is typed taken literally, the
best match first, and never another tenant's partnerships."""

from __future__ import annotations

from core.services import partnerships
from tests import factories


def titles(db, tenant, query: str, **kwargs) -> list[str]:
    return [row.title for row in partnerships.list_partnerships(db, tenant, query=query,
                                                                sort=partnerships.RELEVANCE, **kwargs).items]


def test_search_finds_swedish_words_in_any_case_and_parts_of_words(db, world):
    factories.partnership(db, world.jarva, "Öppen förskola i Rinkeby", samhallsutmaning="Barn som inte går i förskola")
    factories.partnership(db, world.jarva, "Oppen verkstad")
    factories.partnership(db, world.jarva, "Läxhjälp", samhallsutmaning="Elever i årskurs 7 behöver stöd")
    db.commit()
    for query in ("öppen", "ÖPPEN", "Öppen förskola", "förskola", "rinkeby", "inkeb"):
        assert titles(db, world.jarva, query) == ["Öppen förskola i Rinkeby"], query
    # ö is a letter of its own: "oppen" is not "öppen", and the other way round.
    assert titles(db, world.jarva, "oppen") == ["Oppen verkstad"]
    # The societal challenge is searched too, and every word must match.
    assert titles(db, world.jarva, "årskurs stöd") == ["Läxhjälp"]
    assert titles(db, world.jarva, "årskurs rinkeby") == []


def test_search_finds_the_organisation_by_name(db, world):
    org = factories.organisation(db, world.jarva, "Kulturföreningen Tusenfärg")
    factories.partnership(db, world.jarva, "Sommarkollo", organisation_id=org.id)
    db.commit()
    assert titles(db, world.jarva, "tusenfärg") == ["Sommarkollo"]
    assert titles(db, world.jarva, "TUSENFÄRG") == ["Sommarkollo"]


def test_search_takes_quotes_and_wildcards_literally(db, world):
    factories.partnership(db, world.jarva, 'Projektet "Trygg"')
    factories.partnership(db, world.jarva, "100% läxhjälp")
    db.commit()
    assert titles(db, world.jarva, '"trygg"') == ['Projektet "Trygg"']
    assert titles(db, world.jarva, '"') == ['Projektet "Trygg"']
    assert titles(db, world.jarva, "100%") == ["100% läxhjälp"]
    assert titles(db, world.jarva, "%%%") == []
    assert titles(db, world.jarva, "NEAR(a b)") == []


def test_the_best_match_comes_first(db, world):
    factories.partnership(db, world.jarva, "Idrott för alla", samhallsutmaning="Unga rör sig för lite")
    factories.partnership(db, world.jarva, "Idrott, idrott och idrott", samhallsutmaning="Idrott i parken")
    db.commit()
    assert titles(db, world.jarva, "idrott")[0] == "Idrott, idrott och idrott"


def test_search_never_reaches_another_tenant(db, world):
    factories.partnership(db, world.tyreso, "Öppen förskola i Tyresö")
    db.commit()
    assert titles(db, world.jarva, "tyresö") == []
    assert titles(db, world.tyreso, "förskola i tyresö") == ["Öppen förskola i Tyresö"]


def test_an_edited_title_is_found_by_its_new_words(db, world):
    p = factories.partnership(db, world.jarva, "Gammal titel")
    db.commit()
    values = partnerships.form_values(p)
    values["title"] = "Ny rubrik"
    partnerships.update_partnership(db, world.jarva, None, p, factories.pform(values), p.version)
    db.commit()
    assert titles(db, world.jarva, "rubrik") == ["Ny rubrik"]
    assert titles(db, world.jarva, "gammal") == []
