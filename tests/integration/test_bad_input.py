"""Input that no form expects, as the outside testers sent it: each gets a
clear Swedish message or a 404, never a server error, and nothing already
saved is lost."""

import pytest
from sqlalchemy import text

from core.models import Partnership
from core.services import partnerships
from tests import factories
from tests.factories import login, post


def test_an_impossible_end_date_is_refused_and_the_start_page_stays_up(client, world, db):
    """period_end=0001-01-01 was accepted, and then /k/jarva/ answered 500 for every user (year 0)."""
    login(client, world.jarva_staff.email)
    response = post(client, "/k/jarva/partnerskap/ny", {"title": "x", "initiated_on": "2026-11-01",
                                                        "period_end": "0001-01-01"})
    assert response.status_code == 422
    assert "Skriv ett datum mellan år 1900 och 2199." in response.text
    assert client.get("/k/jarva/").status_code == 200


@pytest.mark.parametrize("start,end", [("0001-01-01", "0001-01-02"), ("9999-01-01", "9999-12-31"),
                                       ("0001-01-01", "9999-12-31")])
def test_no_stored_date_breaks_the_deadline_arithmetic(client, world, db, start, end):
    """Dates that no form lets in may still be in the database (an old import,
    a hand edit): the pages that compute deadlines from them stay up."""
    db.execute(text("UPDATE partnership SET period_start = :s, period_end = :e, initiated_on = :s WHERE id = :id"),
               {"s": start, "e": end, "id": world.jarva_partnership.id})
    db.commit()
    login(client, world.jarva_staff.email)
    assert client.get("/k/jarva/").status_code == 200
    assert client.get(f"/k/jarva/partnerskap/{world.jarva_partnership.id}").status_code == 200


@pytest.mark.parametrize("sida", ["²", "١", "+1", "1_0", "99999999999999999999999", "-1"])
def test_a_page_number_that_is_not_one_shows_the_first_page(client, world, sida):
    login(client, world.jarva_staff.email)
    response = client.get("/k/jarva/", params={"sida": sida})
    assert response.status_code == 200 and "Järvas hemliga läxhjälp" in response.text


@pytest.mark.parametrize("amount", ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "1e999", "٣"])
def test_an_amount_that_is_not_a_number_gets_a_message(client, world, amount):
    login(client, world.jarva_staff.email)
    response = post(client, "/k/jarva/partnerskap/ny", {"title": "Belopp", "offentlig_pengar_amount": amount})
    assert response.status_code == 422
    assert "Skriv ett tal" in response.text or "Skriv ett positivt tal" in response.text


@pytest.mark.parametrize("raw", ["99999999999999999999999", "9223372036854775808", "2147483648", "١٢", "+1", "1_0"])
def test_ids_beyond_a_key_answer_404(client, world, raw):
    """Beyond 64 bits on SQLite and beyond 32 bits on PostgreSQL gave 500."""
    login(client, world.jarva_staff.email)
    for url in (f"/k/jarva/partnerskap/{raw}", f"/k/jarva/organisationer/{raw}", f"/k/jarva/dokument/{raw}",
                f"/api/v1/k/jarva/partnerships/{raw}"):
        assert client.get(url).status_code == 404, url


def test_a_nul_byte_in_text_is_not_kept_and_breaks_nothing(client, world, db):
    login(client, world.jarva_staff.email)
    response = post(client, "/k/jarva/partnerskap/ny", {"title": "Nul\x00byte", "goals": "Mål\x00"})
    assert response.status_code == 303
    row = partnerships.list_partnerships(db, world.jarva, query="Nulbyte").items[0]
    assert partnerships.get_partnership(db, world.jarva, row.id).goals == "Mål"
    assert client.get("/k/jarva/", params={"q": "a\x00b"}).status_code == 200
    assert client.get("/api/v1/k/jarva/partnerships", params={"q": "a\x00b"}).status_code == 200


def test_text_longer_than_its_column_gets_a_message_on_both_databases(client, world, db):
    """PostgreSQL refused it with a server error; SQLite stored it silently."""
    login(client, world.jarva_staff.email)
    response = post(client, "/k/jarva/organisationer/ny", {
        "name": "N" * 301, "organisationsnummer": "802481-1666", "legal_form": "ideell_forening",
        "contact_phone": "0" * 41, "contact_name": "Kim"})
    assert response.status_code == 422
    assert "högst 300 tecken" in response.text and "högst 40 tecken" in response.text
    title = post(client, "/k/jarva/partnerskap/ny", {"title": "T" * 301})
    assert title.status_code == 422 and "högst 300 tecken" in title.text


def test_the_flush_refuses_text_longer_than_its_column_whatever_the_service(db, world):
    from core.services import ValidationError

    p = db.get(Partnership, world.jarva_partnership.id)
    p.title = "x" * 301
    with pytest.raises(ValidationError) as exc:
        db.flush()
    assert "högst 300 tecken" in exc.value.errors["title"]
    db.rollback()


def test_search_folds_swedish_letters_on_both_databases(db, world):
    """SQLite's lower() folds ASCII only: 'öppen' did not find 'Öppen förskola'."""
    factories.partnership(db, world.jarva, "Öppen förskola")
    factories.partnership(db, world.jarva, "ÅRETS ÄNGAR")
    db.commit()
    for query in ("öppen", "Öppen", "ÖPPEN", "FÖRSKOLA"):
        assert [p.title for p in partnerships.list_partnerships(db, world.jarva, query=query).items] == \
            ["Öppen förskola"], query
    assert [p.title for p in partnerships.list_partnerships(db, world.jarva, query="årets än").items] == ["ÅRETS ÄNGAR"]


def test_percent_and_underscore_are_searched_for_as_themselves(db, world):
    factories.partnership(db, world.jarva, "100% läxhjälp")
    factories.partnership(db, world.jarva, "Läxhjälp_ny")
    db.commit()
    assert [p.title for p in partnerships.list_partnerships(db, world.jarva, query="%").items] == ["100% läxhjälp"]
    assert [p.title for p in partnerships.list_partnerships(db, world.jarva, query="_").items] == ["Läxhjälp_ny"]
    assert partnerships.list_partnerships(db, world.jarva, query="100%l").total == 0
