"""Revision 0004 on a database that already holds an audit trail and
decisions: the rows are chained in id order, one chain per tenant, and the
application carries on from there. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from core.audit_chain import GENESIS, chain_key
from core.tenancy import Scope
from core.db import UTCDateTime, make_engine, make_sessionmaker
from core.migrate import alembic_config, upgrade
from core.models import AuditChainHead, AuditEvent, Decision, Tenant
from core.services import audit, audit_verify
from tests.conftest import POSTGRES_URL

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)

# The tables as revision 0002 left them.
TENANT = sa.table("tenant", sa.column("id"), sa.column("code"), sa.column("name"), sa.column("kind"),
                  sa.column("decision_body"), sa.column("created_at", UTCDateTime()))
USER = sa.table("app_user", sa.column("id"), sa.column("email"), sa.column("name"), sa.column("password_hash"),
                sa.column("is_active"), sa.column("is_platform_admin"), sa.column("created_at", UTCDateTime()))
PARTNERSHIP = sa.table("partnership", sa.column("id"), sa.column("tenant_id"), sa.column("title"),
                       sa.column("samhallsutmaning"), sa.column("goals"), sa.column("target_group"),
                       sa.column("status"), sa.column("created_at", UTCDateTime()),
                       sa.column("updated_at", UTCDateTime()), sa.column("version"))
AUDIT_EVENT = sa.table("audit_event", sa.column("id"), sa.column("at", UTCDateTime()), sa.column("actor_id"),
                       sa.column("tenant_id"), sa.column("object_type"), sa.column("object_id"), sa.column("action"),
                       sa.column("before", sa.JSON()), sa.column("after", sa.JSON()))
DECISION = sa.table("decision", sa.column("id"), sa.column("tenant_id"), sa.column("partnership_id"),
                    sa.column("process_code"), sa.column("process_version"), sa.column("round"),
                    sa.column("step_key"), sa.column("period"), sa.column("outcome_key"), sa.column("outcome_kind"),
                    sa.column("motivation"), sa.column("actor_id"), sa.column("role_key"), sa.column("role_title"),
                    sa.column("decided_at", UTCDateTime()))


@pytest.fixture
def empty_database(request, backend, tmp_path):
    """A database with no tables yet, of its own (the suite's is migrated already)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    request.getfixturevalue("postgres_database")  # PostgreSQL answers (or the suite's rule for it applies)
    admin = sa.create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"iop_upgrade_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _fill_at_0002(conn) -> dict[str, int]:
    """Two tenants, interleaved audit events of theirs and of the platform, and
    decisions; returns how many rows each chain should get."""
    conn.execute(TENANT.insert(), [
        {"id": 1, "code": "jarva", "name": "Järva", "kind": "stadsdelsnamnd", "decision_body": "Nämnden", "created_at": T0},
        {"id": 2, "code": "tyreso", "name": "Tyresö", "kind": "kommun", "decision_body": "KS", "created_at": T0},
    ])
    conn.execute(USER.insert(), [{"id": 1, "email": "a@b.se", "name": "Anna", "password_hash": "x", "is_active": True,
                                  "is_platform_admin": False, "created_at": T0}])
    conn.execute(PARTNERSHIP.insert(), [
        {"id": t, "tenant_id": t, "title": "Läxhjälp", "samhallsutmaning": "", "goals": "", "target_group": "",
         "status": "beredning", "created_at": T0, "updated_at": T0, "version": 1}
        for t in (1, 2)
    ])
    counts = {chain_key("audit_event", t): 0 for t in (None, 1, 2)}
    events = []
    for i in range(25):
        tenant_id = (None, 1, 2, 1)[i % 4]
        counts[chain_key("audit_event", tenant_id)] += 1
        events.append({"at": T0 + timedelta(minutes=i, microseconds=i * 7), "actor_id": 1 if i % 2 else None,
                       "tenant_id": tenant_id, "object_type": "partnership", "object_id": str(i),
                       "action": "update", "before": {"titel": "Gammal", "n": i} if i % 3 else None,
                       "after": {"titel": "Ny åäö", "lista": [1, 2.5, None]}})
    conn.execute(AUDIT_EVENT.insert(), events)
    decisions = []
    for i in range(7):
        tenant_id = 1 if i % 3 else 2
        decisions.append({"tenant_id": tenant_id, "partnership_id": tenant_id, "process_code": "jarva",
                          "process_version": 1, "round": 0, "step_key": f"steg{i}", "period": "",
                          "outcome_key": "fortsatt", "outcome_kind": "continue", "motivation": f"Skäl {i}",
                          "actor_id": 1, "role_key": "handlaggare", "role_title": "Handläggare",
                          "decided_at": T0 + timedelta(days=i)})
        counts[chain_key("decision", tenant_id)] = counts.get(chain_key("decision", tenant_id), 0) + 1
    conn.execute(DECISION.insert(), decisions)
    return counts


def test_upgrade_chains_the_rows_already_there_and_downgrade_undoes_it(empty_database):
    url = empty_database
    upgrade(url, "0003")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            counts = _fill_at_0002(conn)
        upgrade(url)
        command.check(alembic_config(url))

        with make_sessionmaker(engine, Scope.system())() as s:
            result = audit_verify.verify(s)
            assert result.intact, result.broken
            assert (result.rows, result.chains) == (25 + 7, 5)
            heads = {h.chain: h.seq for h in s.query(AuditChainHead)}
            assert heads == counts
            for model in (AuditEvent, Decision):
                rows = s.query(model).order_by(model.id).all()
                by_chain: dict[int | None, list] = {}
                for row in rows:
                    by_chain.setdefault(row.tenant_id, []).append(row)
                for chain in by_chain.values():  # in id order, from 1, each linked to the one before
                    assert [r.seq for r in chain] == list(range(1, len(chain) + 1))
                    assert [r.prev_hash for r in chain] == [GENESIS] + [r.hash for r in chain[:-1]]

            # The application goes on from the heads.
            jarva = s.get(Tenant, 1)
            new = audit.record(s, actor=None, tenant=jarva, object_type="test", object_id=1, action="after_upgrade")
            s.commit()
            assert new.seq == counts[chain_key("audit_event", 1)] + 1
            assert audit_verify.verify(s).intact

            # The guards are back, the REPLACE guard with them on SQLite.
            for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM decision",
                              *(["INSERT OR REPLACE INTO decision SELECT * FROM decision WHERE id = 1"]
                                if url.startswith("sqlite") else [])):
                with pytest.raises(DBAPIError, match="is append-only"):
                    s.execute(sa.text(statement))
                s.rollback()

        command.downgrade(alembic_config(url), "0003")
        inspector = sa.inspect(engine)
        assert "audit_chain_head" not in inspector.get_table_names()
        for table in ("audit_event", "decision"):
            assert not {"seq", "prev_hash", "hash"} & {c["name"] for c in inspector.get_columns(table)}
        with engine.connect() as conn:
            assert conn.scalar(sa.select(sa.func.count()).select_from(AUDIT_EVENT)) == 26
            for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM decision"):
                with pytest.raises(DBAPIError, match="is append-only"):
                    conn.execute(sa.text(statement))
                conn.rollback()

        upgrade(url)
        with make_sessionmaker(engine, Scope.system())() as s:
            assert audit_verify.verify(s).intact
    finally:
        engine.dispose()
