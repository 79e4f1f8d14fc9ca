"""A large load built from real cases: partnerships that were walked through
their process by the project's own services (the demo does it) are cloned,
with their parties, contributions, meetings, forms, documents, decisions and
stored state, until a tenant holds as many as asked.

Cloning writes rows in batches; it does not run the engine again, because a
clone's facts are its source's, and so is its state. Decisions go through
the ORM so that each tenant's hash chain stays whole (core.audit_chain).
Used by the benchmark (bench/run.py) and by the query-count test.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from pathlib import Path

from psycopg.types.json import Json
from sqlalchemy import JSON, insert, select, text
from sqlalchemy.orm import Session

from core.models import (
    CaseState,
    CaseTask,
    CaseTaskRole,
    Contribution,
    Decision,
    Document,
    FormResponse,
    Meeting,
    Partnership,
    Party,
    SearchEntry,
)
from core.services import search_index

BATCH = 500
# Columns a clone never copies: its own key, and the hash chain's (filled in at flush).
_NOT_COPIED = {"id", "seq", "prev_hash", "hash"}


def _rows(session: Session, model, column: str, ids: list[int]) -> dict[int, list[tuple[int | None, dict]]]:
    """The rows whose ``column`` is one of ``ids``, by that column, in key
    order: each as (its own id, or None for a table without one; what a copy takes)."""
    table = model.__table__
    key = list(table.primary_key.columns)[0]
    by_parent: dict[int, list[tuple[int | None, dict]]] = defaultdict(list)
    for start in range(0, len(ids), BATCH):
        for row in session.execute(select(table).where(table.c[column].in_(ids[start:start + BATCH]))
                                   .order_by(key)).mappings():
            own = row["id"] if "id" in row else None
            by_parent[row[column]].append((own, {k: v for k, v in row.items() if k not in _NOT_COPIED}))
    return by_parent


def _insert(session: Session, model, rows: list[dict], returning: bool) -> list[int]:
    if not rows:
        return []
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        return _insert_postgresql(session, table, rows, returning)
    if returning:
        return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))
    # One statement compiled once and run for every row by sqlite3's
    # executemany, in process; a statement of many VALUES cost SQLAlchemy more
    # to compile (per row and column) than SQLite took to insert the rows.
    session.execute(insert(table), rows)
    return []


def _insert_postgresql(session: Session, table, rows: list[dict], returning: bool) -> list[int]:
    """The same rows sent to PostgreSQL as one array per column and inserted
    by one statement (``unnest``): SQLAlchemy's many-VALUES statement costs
    more to compile and convert than the database takes to insert it, and a
    prepared statement run once per row (psycopg's executemany) cost the
    server 40 % more than one statement for them all. COPY would be cheaper
    still, but PostgreSQL refuses it under row-level security. Keys come
    from the table's sequence first, so that they need not be read back."""
    session.flush()
    # The foreign-key checks' plans were cached while the parent tables held a
    # few rows (sequential scans); planned again they use the indexes. Without
    # this, 10,000 partnerships took 30 s of foreign-key checks instead of 3.
    session.execute(text("DISCARD PLANS"))
    ids: list[int] = []
    if returning:
        ids = list(session.scalars(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                                   {"t": table.name, "n": len(rows)}))
        rows = [{**row, "id": new} for row, new in zip(rows, ids, strict=True)]
    columns = list(rows[0])
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    dialect = session.get_bind().dialect
    arrays = ", ".join(f"%s::{table.c[c].type.compile(dialect=dialect)}[]" for c in columns)
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"
    values = [[Json(row[c]) if c in json_columns else row[c] for row in rows] for c in columns]
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute(statement, values)
    return ids


def clone_partnerships(session: Session, source_ids: list[int], count: int, *, history: bool = True,
                       documents_dir: Path | None = None) -> list[int]:
    """Adds ``count`` partnerships to the sources' tenant, each a copy of one
    source in turn. ``history=False`` leaves out decisions, meetings, forms
    and documents (what a list needs is still all there). Documents are
    copied only with ``documents_dir``: each clone's file is a hard link to
    its source's. Returns the new partnerships' ids."""
    sources = {sid: rows[0][1] for sid, rows in _rows(session, Partnership, "id", source_ids).items()}
    order = [sid for sid in source_ids if sid in sources]
    parties = _rows(session, Party, "partnership_id", order)
    contributions = _rows(session, Contribution, "party_id", [k for rows in parties.values() for k, _ in rows])
    state = _rows(session, CaseState, "partnership_id", order)
    tasks = _rows(session, CaseTask, "partnership_id", order)
    task_roles = _rows(session, CaseTaskRole, "task_id", [k for rows in tasks.values() for k, _ in rows])
    extra = {}
    decisions = {}
    if history:
        extra = {model: _rows(session, model, "partnership_id", order) for model in (Meeting, FormResponse)}
        if documents_dir is not None:
            extra[Document] = _rows(session, Document, "partnership_id", order)
        decisions = _rows(session, Decision, "partnership_id", order)

    created: list[int] = []
    for start in range(0, count, BATCH):
        picks = [order[(start + i) % len(order)] for i in range(min(BATCH, count - start))]
        rows = [{**sources[sid], "title": f"{sources[sid]['title']} ({start + i + 1})"} for i, sid in enumerate(picks)]
        new_ids = _insert(session, Partnership, rows, returning=True)
        created.extend(new_ids)
        _insert(session, SearchEntry, [
            {"tenant_id": row["tenant_id"], "partnership_id": new, "kind": search_index.KIND,
             "text": search_index.entry_text(row["title"], row["samhallsutmaning"])}
            for new, row in zip(new_ids, rows, strict=True)], returning=False)
        # Parties, then what hangs on each party.
        party_rows, party_src = _children(parties, new_ids, picks)
        new_party_ids = _insert(session, Party, party_rows, returning=True)
        _insert(session, Contribution, [
            {**c, "party_id": new_party} for new_party, old in zip(new_party_ids, party_src, strict=True)
            for _, c in contributions.get(old, [])], returning=False)
        _insert(session, CaseState, [{**r, "partnership_id": new} for new, sid in zip(new_ids, picks, strict=True)
                                     for _, r in state.get(sid, [])], returning=False)
        task_rows, task_src = _children(tasks, new_ids, picks)
        new_task_ids = _insert(session, CaseTask, task_rows, returning=True)
        _insert(session, CaseTaskRole, [
            {**r, "task_id": new_task} for new_task, old in zip(new_task_ids, task_src, strict=True)
            for _, r in task_roles.get(old, [])], returning=False)
        for model, by_source in extra.items():
            rows = []
            for new, sid in zip(new_ids, picks, strict=True):
                for _, row in by_source.get(sid, []):
                    row = {**row, "partnership_id": new}
                    if model is Document:
                        row["storage_name"] = _link(documents_dir, row["storage_name"])
                    rows.append(row)
            _insert(session, model, rows, returning=False)
        if history:
            for new, sid in zip(new_ids, picks, strict=True):
                session.add_all(Decision(**{**row, "partnership_id": new}) for _, row in decisions.get(sid, []))
        session.flush()
    return created


def _children(by_source: dict, new_ids: list[int], picks: list[int]) -> tuple[list[dict], list[int | None]]:
    """Each clone's copies of its source's rows in a child table, and the key
    of the row each copy came from (for the rows that hang on the copy)."""
    rows, sources = [], []
    for new, sid in zip(new_ids, picks, strict=True):
        for old_key, row in by_source.get(sid, []):
            rows.append({**row, "partnership_id": new})
            sources.append(old_key)
    return rows, sources


def _link(documents_dir: Path, storage_name: str) -> str:
    """A new name for a copy of a stored file, linked to the original (no bytes copied)."""
    name = uuid.uuid4().hex
    source = documents_dir / storage_name
    if source.exists():
        os.link(source, documents_dir / name)
    return name


def analyze(url: str) -> None:
    """Fresh planner statistics after a bulk load, as the tables' owner (on
    PostgreSQL only the owner may; autovacuum would do it, later). Without
    them the planner takes a table of 10,000 rows for one of ten. PostgreSQL
    also vacuums the new rows now, as autovacuum does to tables that grow
    over years (it is off on the CI machine's server): until a table is
    vacuumed, an index-only scan of it still visits every row it finds."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    finally:
        engine.dispose()
