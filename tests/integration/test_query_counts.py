"""Main pages load what they render eagerly: their query count does not grow with the data."""

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests import factories
from tests.factories import login


@contextmanager
def counting():
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", before)


def _queries(client, url: str) -> int:
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
