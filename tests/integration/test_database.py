"""Schema and storage rules that must hold on SQLite and PostgreSQL alike."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from core.db import Base
from core.migrate import alembic_config
from core.models import AuditEvent, Decision
from core.services import audit, audit_verify
from tests.tamper import as_owner


def test_migrations_match_the_models(database_url):
    """Alembic is the only way the schema changes: the migrated schema equals the models."""
    command.check(alembic_config(database_url))


def test_every_index_the_models_declare_is_there_after_the_migrations(db, backend):
    """Alembic's check above cannot see an index on an expression (the list's
    title index, 0009): a batch that copies a table on SQLite would lose it
    without a word."""
    declared = {index.name for table in Base.metadata.tables.values() for index in table.indexes}
    listing = ("SELECT name FROM sqlite_master WHERE type = 'index'" if backend == "sqlite"
               else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
    assert "ix_partnership_tenant_title" in declared
    assert declared <= set(db.scalars(text(listing)))


def test_a_merge_revision_written_over_several_lines_is_read_as_alembic_writes_it():
    """core.schema reads a migration's revision lines alone; a merge's tuple
    spread over lines is read from the whole file instead."""
    from core import schema

    one_line = "revision = '0023'\ndown_revision = ('0021', '0022')\n"
    spread = "revision: str = '0023'\ndown_revision = (\n    '0021',\n    '0022',\n)\n"
    expected = {"revision": "0023", "down_revision": ("0021", "0022")}
    assert schema._identifiers(one_line) == expected
    assert schema._identifiers(spread) == expected


def test_the_start_up_check_knows_the_heads_alembic_knows(database_url):
    """core.schema reads the heads without importing Alembic (a third of a
    second at every start); it must agree with Alembic, and with a database
    just migrated."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from core import schema

    assert schema.code_heads() == frozenset(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert schema.database_heads(connection) == schema.code_heads()
            assert schema.schema_problem(connection) is None
    finally:
        engine.dispose()


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"])
def test_audit_trail_is_append_only_in_the_database(db, statement):
    """GEN-05: registered positions and the audit trail cannot be altered afterwards."""
    audit.record(db, actor=None, tenant=None, object_type="test", object_id=1, action="create", after={"a": 1})
    db.commit()
    with pytest.raises(DBAPIError, match="append-only|permission denied"):
        db.execute(text(statement))
        db.commit()
    db.rollback()
    assert db.query(AuditEvent).one().action == "create"


# The audit trail and the decisions are append-only by the database's own
# triggers, against every way SQL has of changing a row; and what gets past
# them (the database owner can) is caught by the hash chain.

TAMPERED_COLUMN = {"audit_event": "action", "decision": "motivation"}


@pytest.fixture
def chained_rows(world, db):
    """An audit event and a decision of Järva, each with a row before it in its chain."""
    for step in ("a", "b"):
        db.add(Decision(tenant_id=world.jarva.id, partnership_id=world.jarva_partnership.id, process_code="jarva",
                        process_version=1, step_key=step, outcome_key="fortsatt", outcome_kind="continue",
                        role_key="handlaggare", role_title="Handläggare"))
    audit.record(db, actor=None, tenant=world.jarva, object_type="test", object_id=1, action="create")
    db.commit()
    event = db.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    decision = db.scalar(select(Decision).where(Decision.step_key == "b"))
    assert event.seq > 1 and decision.seq == 2
    return {"audit_event": event.id, "decision": decision.id}


def _copy(table: str, row_id: int, **changes: str) -> str:
    """``INTO table (...) SELECT ...``: the row again, with the given columns
    replaced by SQL expressions."""
    columns = [c.name for c in Base.metadata.tables[table].columns]
    values = ", ".join(changes.get(c, f'"{c}"') for c in columns)
    return f'INTO {table} ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) SELECT {values} FROM {table} WHERE id = {row_id}'


def _tampering(table: str, row_id: int, column: str) -> dict[str, tuple[str | None, str]]:
    """Each way to change or remove the row: (the only dialect it is SQL for, the statement)."""
    forged = "'forged'"
    ways = {
        "update": (None, f"UPDATE {table} SET {column} = {forged} WHERE id = {row_id}"),
        "delete": (None, f"DELETE FROM {table} WHERE id = {row_id}"),
        # REPLACE deletes the row it collides with without firing DELETE triggers.
        "replace the same id": ("sqlite", "INSERT OR REPLACE " + _copy(table, row_id, **{column: forged})),
        "replace on the chain's seq": ("sqlite", "INSERT OR REPLACE " + _copy(
            table, row_id, id="id + 1000", **{column: forged})),
        # ON CONFLICT DO UPDATE is an UPDATE, and fires the UPDATE trigger.
        "on conflict do update": ("postgresql", "INSERT " + _copy(table, row_id)
                                  + f" ON CONFLICT (id) DO UPDATE SET {column} = {forged}"),
    }
    if table == "decision":
        ways["replace on the step's unique key"] = ("sqlite", "INSERT OR REPLACE " + _copy(
            table, row_id, id="id + 1000", seq="seq + 1000", **{column: forged}))
        ways["on conflict on the step's unique key"] = ("postgresql", "INSERT " + _copy(
            table, row_id, id="id + 1000", seq="seq + 1000")
            + f" ON CONFLICT (partnership_id, round, step_key, period) DO UPDATE SET {column} = {forged}")
    return ways


@pytest.mark.parametrize("table", ["audit_event", "decision"])
def test_gen_05_audit_events_and_decisions_cannot_be_changed_or_replaced(db, chained_rows, table):
    """GEN-05: a registered decision and the audit trail cannot be altered afterwards, by UPDATE, DELETE,
    SQLite's INSERT OR REPLACE (on the id or any other unique key) or PostgreSQL's ON CONFLICT DO UPDATE."""
    row_id, column = chained_rows[table], TAMPERED_COLUMN[table]
    current = db.get_bind().dialect.name
    before = db.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
    tried = []
    for way, (dialect, statement) in _tampering(table, row_id, column).items():
        if dialect not in (None, current):
            continue
        # The application's role lacks the right as well (PostgreSQL); either refusal will do.
        with pytest.raises(DBAPIError, match=f"{table} is append-only|permission denied for table {table}"):
            db.execute(text(statement))
            db.commit()
            pytest.fail(f"{way} went through")
        db.rollback()
        assert db.execute(text(f"SELECT * FROM {table} ORDER BY id")).all() == before, way
        tried.append(way)
    assert {"update", "delete"} < set(tried)
    assert any(("replace" if current == "sqlite" else "on conflict") in way for way in tried)
    assert audit_verify.verify(db).intact


def test_an_edit_past_the_triggers_is_named_by_iop_audit_verify(db, chained_rows, database_url, tmp_path, owner_url):
    """What the triggers cannot stop (the database owner may drop or disable
    them) the hash chain reveals, down to the row."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOP_")}
    env.update(IOP_DATABASE_URL=database_url, IOP_DATA_DIR=str(tmp_path))
    verify = [str(Path(sys.executable).parent / "iop"), "audit", "verify"]
    intact = subprocess.run(verify, capture_output=True, text=True, env=env, timeout=120)
    assert intact.returncode == 0, intact.stderr
    row_id = chained_rows["decision"]
    as_owner(owner_url, f"UPDATE decision SET motivation = 'efterhandskonstruktion' WHERE id = {row_id}")
    result = subprocess.run(verify, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert result.stderr == (f"iop: granskningsspåret är brutet: decision id {row_id}, seq 2 (kedjan för jarva): "
                             "hashen stämmer inte med radens innehåll\n")
