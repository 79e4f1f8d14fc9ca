"""Main pages load what they render eagerly: their query count does not grow with the data."""

import pytest

from tests import factories
from tests.statements import counting
from tests.factories import login


@pytest.fixture(autouse=True)
def pages_rendered_every_time(app):
    """These count what rendering a page costs; a page the process kept as
    rendered costs one statement (test_page_cache)."""
    app.state.ctx.pages.max_bytes = 0


def _queries(client, url: str) -> int:
    """Statements for ``url`` once the process has warmed up (the first
    request to a tenant reads its plugins into the process's cache)."""
    client.get(url)
    with counting() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _grow(db, world, n: int) -> None:
    for i in range(n):
        org = factories.organisation(db, world.jarva)
        factories.partnership(db, world.jarva, f"Extra {i}", organisation_id=org.id, offentlig_pengar_amount=1000,
                              ideburen_ideella_timmar_amount=10)
    db.commit()


def test_partnership_list_and_organisation_register_do_not_query_per_row(client, world, db):
    login(client, world.jarva_staff.email)
    urls = ["/k/jarva/", "/k/jarva/organisationer/", "/api/v1/k/jarva/partnerships"]
    _grow(db, world, 2)
    small = {url: _queries(client, url) for url in urls}
    _grow(db, world, 15)
    large = {url: _queries(client, url) for url in urls}
    assert large == small


def _grow_case(db, world, settings, n: int) -> None:
    """More of everything the process reads: documents, meetings, form answers."""
    from datetime import date

    from core.services import documents
    from core.models import Meeting

    p = world.jarva_partnership
    for i in range(n):
        documents.store_document(db, settings.documents_dir, world.jarva, None, partnership=p, kind="budget",
                                 title=f"Budget {i}", filename="b.txt", content=b"budget")
        db.add(Meeting(tenant_id=world.jarva.id, partnership_id=p.id, kind="idemote", held_on=date(2026, 1, 1),
                       participants="Båda parter"))
    db.commit()


def test_the_partnership_page_and_its_process_do_not_query_per_fact(client, world, db, settings):
    login(client, world.jarva_staff.email)
    p = world.jarva_partnership
    urls = [f"/k/jarva/partnerskap/{p.id}", f"/k/jarva/partnerskap/{p.id}/moten",
            f"/k/jarva/partnerskap/{p.id}/formular/initiativ"]
    _grow_case(db, world, settings, 2)
    small = {url: _queries(client, url) for url in urls}
    _grow_case(db, world, settings, 12)
    large = {url: _queries(client, url) for url in urls}
    assert large == small


def test_the_staff_list_does_not_query_per_person(client, world, db, registry):
    factories.user(db, registry, "administrator@jarva.test", (world.jarva, "administrator"))
    db.commit()
    login(client, "administrator@jarva.test")

    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            factories.user(db, registry, f"kollega{i}@jarva.test", (world.jarva, "handlaggare"),
                           (world.jarva, "stabsenhet"))
        db.commit()

    grow(0, 2)
    small = _queries(client, "/k/jarva/personal/")
    grow(2, 15)
    assert _queries(client, "/k/jarva/personal/") == small
