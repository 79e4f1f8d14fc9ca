"""Staff pages kept as rendered (web.page_cache) until the data under them
moves (core.data_version): served again with one statement, never after a
write, never to another person or a closed session, never on another day."""

from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import delete, select, update

from core import clock, data_version
from core.config import parse_page_cache_mb
from core.db import make_sessionmaker, utcnow
from core.models import DataVersion, Partnership, RoleAssignment, UserSession
from core.services import auth
from core.tenancy import Scope, set_scope
from tests import factories
from tests.statements import counting
from tests.factories import login, post

START = "/k/jarva/"


def _selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_a_page_seen_again_costs_one_statement_and_is_the_same_page(client, world):
    login(client, world.jarva_staff.email)
    first = client.get(START)
    with counting() as statements:
        again = client.get(START)
    assert again.status_code == 200 and again.text == first.text
    assert len(_selects(statements)) == 1
    # The security headers are added to a kept page as to any other.
    assert again.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in again.headers["content-security-policy"]


def test_the_filter_fragment_and_the_whole_page_are_kept_apart(client, world):
    login(client, world.jarva_staff.email)
    whole = client.get(f"{START}?q=läxhjälp")
    fragment = client.get(f"{START}?q=läxhjälp", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" in whole.text and "<html" not in fragment.text
    assert "<html" in client.get(f"{START}?q=läxhjälp").text
    assert "Järvas hemliga läxhjälp" in fragment.text
    assert "Inga partnerskap matchar filtret" in client.get(f"{START}?q=finnsinte").text


def test_a_change_made_by_another_process_shows_at_once(client, world, settings, registry):
    """Two server processes share only the database: a partnership made in one
    is on the other's start page at the next request."""
    from web.app import create_app

    login(client, world.jarva_staff.email)
    assert "Kvällsfotboll" not in client.get(START).text
    other_app = create_app(settings, registry=registry)
    try:
        with TestClient(other_app, base_url="http://testserver.local") as other:
            login(other, world.jarva_staff.email)
            made = post(other, "/k/jarva/partnerskap/ny", {"title": "Kvällsfotboll",
                                                           "organisation_id": str(world.jarva_org.id)})
            assert made.status_code == 303
    finally:
        other_app.state.ctx.sessionmaker.kw["bind"].dispose()
    assert "Kvällsfotboll" in client.get(START).text


def test_a_change_through_the_services_shows_at_once(client, world, db):
    login(client, world.jarva_staff.email)
    assert "Simskola för vuxna" not in client.get(START).text
    factories.partnership(db, world.jarva, "Simskola för vuxna", organisation_id=world.jarva_org.id)
    db.commit()
    assert "Simskola för vuxna" in client.get(START).text
    db.execute(update(Partnership).where(Partnership.title == "Simskola för vuxna").values(title="Simskola för alla"))
    db.commit()
    assert "Simskola för alla" in client.get(START).text


def test_an_organisation_renamed_shows_at_once(client, world, db):
    """Organisations are shared by tenants: a change to one raises the platform's version."""
    login(client, world.jarva_staff.email)
    assert "Föreningen Järvabron" in client.get(START).text
    world.jarva_org.name = "Föreningen Järvabryggan"
    db.commit()
    page = client.get(START).text
    assert "Föreningen Järvabryggan" in page and "Föreningen Järvabron" not in page


def test_a_partnership_page_seen_again_is_kept_and_shows_a_change_at_once(client, world, db):
    url = f"/k/jarva/partnerskap/{world.jarva_partnership.id}"
    login(client, world.jarva_staff.email)
    first = client.get(url)
    with counting() as statements:
        assert client.get(url).text == first.text
    assert len(_selects(statements)) == 1
    world.jarva_partnership.goals = "Fler unga klarar skolan"
    db.commit()
    assert "Fler unga klarar skolan" in client.get(url).text


def test_the_organisation_register_and_the_process_page_are_kept(client, world):
    login(client, world.jarva_staff.email)
    for url in ("/k/jarva/organisationer/", "/k/jarva/process"):
        first = client.get(url)
        with counting() as statements:
            assert client.get(url).text == first.text
        assert len(_selects(statements)) == 1, url


def test_a_message_from_the_organisation_in_the_portal_shows_on_the_kept_start_page(client, world, db, registry):
    """The organisation's side writes in its own scope; the official's start page, kept a moment
    ago, lists the message waiting for an answer at the next request."""
    from core.services import messages

    representative = factories.user(db, registry, "ordforande@jarvabron.test", organisation_id=world.jarva_org.id)
    db.commit()
    login(client, world.jarva_staff.email)
    assert "väntar på svar" not in client.get(START).text
    with make_sessionmaker(db.get_bind(), registry=registry)() as portal:
        set_scope(portal, Scope.of_organisation(world.jarva_org.id))
        messages.send(portal, partnership=portal.get(Partnership, world.jarva_partnership.id), author=representative,
                      organisation=world.jarva_org, body="Vi har skickat in redovisningen.", base_url="http://x")
        portal.commit()
    page = client.get(START).text
    assert "Meddelanden från parterna som väntar på svar (1)" in page and "Järvas hemliga läxhjälp" in page


def test_another_tenant_writing_leaves_the_page_kept(client, world, engine, registry):
    login(client, world.jarva_staff.email)
    client.get(START)
    with make_sessionmaker(engine, registry=registry)() as tyreso:
        set_scope(tyreso, Scope.of_tenant(world.tyreso.id))
        factories.partnership(tyreso, world.tyreso, "Tyresös nya", organisation_id=world.tyreso_org.id)
        tyreso.commit()
    with counting() as statements:
        assert client.get(START).status_code == 200
    assert len(_selects(statements)) == 1


def test_another_person_never_gets_my_page(app, world, db, registry):
    colleague = factories.user(db, registry, "chef@jarva.test", (world.jarva, "avdelningschef"))
    db.commit()
    with TestClient(app, base_url="http://testserver.local") as mine, \
            TestClient(app, base_url="http://testserver.local") as theirs:
        login(mine, world.jarva_staff.email)
        login(theirs, colleague.email)
        my_page = mine.get(START).text
        their_page = theirs.get(START).text
        assert world.jarva_staff.name in my_page and colleague.name not in my_page
        assert colleague.name in their_page and world.jarva_staff.name not in their_page
        assert mine.get(START).text == my_page


def test_a_closed_session_gets_no_kept_page(client, world):
    login(client, world.jarva_staff.email)
    assert client.get(START).status_code == 200
    cookie = dict(client.cookies)
    assert post(client, "/logout").status_code == 303
    client.cookies.clear()
    for name, value in cookie.items():
        client.cookies.set(name, value)
    response = client.get(START, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_role_taken_away_closes_the_page_at_once(client, world, db):
    login(client, world.jarva_staff.email)
    assert client.get(START).status_code == 200
    db.execute(delete(RoleAssignment).where(RoleAssignment.user_id == world.jarva_staff.id))
    db.commit()
    assert client.get(START).status_code == 404


def test_a_deactivated_account_gets_no_kept_page(client, world, db):
    login(client, world.jarva_staff.email)
    assert client.get(START).status_code == 200
    world.jarva_staff.is_active = False
    db.commit()
    assert client.get(START, follow_redirects=False).status_code == 303


def test_the_next_day_the_page_is_rendered_anew(client, world, monkeypatch):
    """Deadlines and "Väntar på dig" move with the date, without any write."""
    login(client, world.jarva_staff.email)
    client.get(START)
    tomorrow = clock.today() + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    with counting() as statements:
        assert client.get(START).status_code == 200
    assert len(_selects(statements)) > 1


def test_a_session_whose_idle_clock_is_due_is_touched_and_not_kept_stale(client, world, db):
    login(client, world.jarva_staff.email)
    client.get(START)
    long_ago = utcnow() - auth.IDLE_CLOCK_STEP * 2
    db.execute(update(UserSession).values(last_seen_at=long_ago))
    db.commit()
    assert client.get(START).status_code == 200
    db.expire_all()
    assert db.scalar(select(UserSession.last_seen_at)) > long_ago


def test_a_page_is_not_kept_when_the_cache_is_off(client, world, app):
    app.state.ctx.pages.max_bytes = 0
    login(client, world.jarva_staff.email)
    client.get(START)
    with counting() as statements:
        assert client.get(START).status_code == 200
    assert len(_selects(statements)) > 1


# ---------------------------------------------------------------- the versions


def _versions(db) -> dict[int, int]:
    return dict(db.execute(select(DataVersion.tenant_key, DataVersion.version)).all())


def test_a_write_in_a_tenants_scope_raises_that_tenants_version_and_no_other(db, world, engine, registry):
    before = _versions(db)
    with make_sessionmaker(engine, registry=registry)() as staff:
        set_scope(staff, Scope.of_tenant(world.jarva.id))
        staff.get(Partnership, world.jarva_partnership.id).title = "Ny titel"
        staff.commit()
    after = _versions(db)
    assert after[world.jarva.id] == before[world.jarva.id] + 1
    assert after.get(world.tyreso.id) == before.get(world.tyreso.id)
    assert after.get(data_version.PLATFORM) == before.get(data_version.PLATFORM)


def test_a_statement_whose_tenant_cannot_be_told_raises_the_platforms_version(db, world):
    """Outside a tenant's scope a bulk statement may touch any tenant: every tenant's pages are rendered anew."""
    before = _versions(db)
    db.execute(update(Partnership).values(goals="Nya mål för alla"))
    db.commit()
    assert _versions(db)[data_version.PLATFORM] == before[data_version.PLATFORM] + 1


def test_a_rolled_back_write_raises_nothing(db, world):
    before = _versions(db)
    world.jarva_partnership.title = "Ångrad"
    db.flush()
    db.rollback()
    db.commit()
    assert _versions(db) == before


def test_a_statement_in_a_tenants_scope_raises_that_tenants_version(engine, registry, world, db):
    before = _versions(db)
    with make_sessionmaker(engine, registry=registry)() as session:
        set_scope(session, Scope.of_tenant(world.tyreso.id))
        session.execute(update(Partnership).where(Partnership.tenant_id == world.tyreso.id).values(goals="Nya mål"))
        session.commit()
    after = _versions(db)
    assert after[world.tyreso.id] == before[world.tyreso.id] + 1
    assert after[world.jarva.id] == before[world.jarva.id]


def test_the_idle_clock_of_a_session_raises_nothing(db, world):
    token = auth.start_session(db, world.jarva_staff)
    db.execute(update(UserSession).values(last_seen_at=utcnow() - auth.IDLE_CLOCK_STEP * 2))
    db.commit()
    before = _versions(db)
    assert auth.resolve_session(db, token, auth.SessionPolicy()) == world.jarva_staff
    db.commit()
    assert _versions(db) == before
    db.expire_all()
    assert utcnow() - db.scalar(select(UserSession.last_seen_at)) < auth.IDLE_CLOCK_STEP


def test_requests_arriving_together_when_the_idle_clock_is_due_all_answer(app, world, db):
    """On SQLite a reading transaction that then writes fails at once when
    another writer committed in between: the idle clock is written apart from
    the page, so none of them is answered 503."""
    import concurrent.futures

    with TestClient(app, base_url="http://testserver.local") as client:
        login(client, world.jarva_staff.email)
        for _ in range(3):
            db.execute(update(UserSession).values(last_seen_at=utcnow() - auth.IDLE_CLOCK_STEP * 2))
            db.commit()
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(lambda _: client.get(START).status_code, range(8)))
            assert statuses == [200] * 8


@pytest.mark.parametrize("value", ["-1", "tio", "65537", "1.5"])
def test_a_page_cache_size_that_is_not_a_number_of_megabytes_is_refused_in_swedish(value):
    with pytest.raises(ValueError, match="IOP_PAGE_CACHE_MB.*heltal"):
        parse_page_cache_mb(value)


def test_the_page_cache_size_defaults_and_may_be_zero():
    assert parse_page_cache_mb("") == 64 and parse_page_cache_mb("0") == 0
