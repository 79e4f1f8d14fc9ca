"""Revision 0005 on a database with tenants: each keeps the process it ran
before (its own code chose its kommun), and the revision goes back down.
On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from core.db import UTCDateTime, make_engine, make_sessionmaker
from core.migrate import alembic_config, upgrade
from core.services import tenants
from core.tenancy import Scope
from tests.conftest import POSTGRES_URL

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)

# The tables as revision 0004 left them.
TENANT = sa.table("tenant", sa.column("id"), sa.column("code"), sa.column("name"), sa.column("kind"),
                  sa.column("decision_body"), sa.column("created_at", UTCDateTime()))
ACTIVATION = sa.table("plugin_activation", sa.column("id"), sa.column("tenant_id"), sa.column("plugin_name"),
                      sa.column("enabled_at", UTCDateTime()))


@pytest.fixture
def empty_database(request, backend, tmp_path):
    """A database with no tables yet, of its own (the suite's is migrated already)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'kommun.sqlite3'}"
        return
    request.getfixturevalue("postgres_database")  # PostgreSQL answers (or the suite's rule for it applies)
    admin = sa.create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"iop_kommun_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _kommun_codes(url: str) -> dict[str, str | None]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.text("SELECT code, kommun_code FROM tenant")).all())
    finally:
        engine.dispose()


def test_existing_tenants_keep_their_process_and_the_revision_goes_back_down(empty_database, registry):
    url = empty_database
    upgrade(url, "0004")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(TENANT.insert(), [
            {"id": 1, "code": "jarva", "name": "Järva", "kind": "stadsdelsnamnd", "decision_body": "Nämnden",
             "created_at": T0},
            # Installed, never enabled: it ran the generic process and still does.
            {"id": 2, "code": "tyreso", "name": "Tyresö", "kind": "kommun", "decision_body": "KS", "created_at": T0},
            # A plugin enabled, but no kommun with its code: generic before, generic after.
            {"id": 3, "code": "norrmalm", "name": "Norrmalm", "kind": "stadsdelsnamnd", "decision_body": "Nämnden",
             "created_at": T0},
        ])
        conn.execute(ACTIVATION.insert(), [
            {"id": 1, "tenant_id": 1, "plugin_name": "jarva", "enabled_at": T0},
            {"id": 2, "tenant_id": 3, "plugin_name": "jarva", "enabled_at": T0},
        ])
    engine.dispose()

    upgrade(url, "0005")
    assert _kommun_codes(url) == {"jarva": "jarva", "tyreso": None, "norrmalm": "norrmalm"}
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine, Scope.system())() as session:
            applies = {t.code: tenants.kommun_for(session, registry, t).profile.code
                       for t in tenants.list_tenants(session)}
    finally:
        engine.dispose()
    assert applies == {"jarva": "jarva", "tyreso": "generic", "norrmalm": "generic"}

    command.downgrade(alembic_config(url), "0004")
    engine = make_engine(url)
    try:
        assert "kommun_code" not in {c["name"] for c in sa.inspect(engine).get_columns("tenant")}
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM plugin_activation")).scalar() == 2
    finally:
        engine.dispose()
    upgrade(url)
    assert _kommun_codes(url)["jarva"] == "jarva"
