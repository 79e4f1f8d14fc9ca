"""The hash chains that make the audit trail and the decisions tamper-evident.

Every ``audit_event`` row and every ``decision`` row carries its place in its
chain (``seq``, from 1), the hash of the row before it (``prev_hash``; 64
zeros for the first row) and its own ``hash``. There is one chain per table and
tenant; audit events without a tenant form the platform's chain. Tenants never
wait for each other, and one tenant's chains can be verified alone.

A row's hash is the hex SHA-256 of the UTF-8 bytes of::

    json.dumps({"table": <table name>, "prev_hash": ..., "seq": ..., <every column
                of HASHED[table]>: ...},
               sort_keys=True, separators=(",", ":"), ensure_ascii=False)

with datetimes written as UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (what both
databases give back to the microsecond) and JSON columns as they read back
from the database (``json.loads(json.dumps(value))``, so a tuple is a list and
a number key a string). The autoincrement ``id`` is not covered: it is unknown
before the insert, and ``seq`` orders the chain.

The hashes are filled in one place for every insert path: a ``before_flush``
listener that :func:`install` puts on the sessionmaker (``core.db`` does so).
A row added by a session without it has no ``seq`` and the database refuses it
(the columns are NOT NULL). The first time a transaction appends to a chain,
the listener locks the chain's head row in ``audit_chain_head`` (``SELECT …
FOR UPDATE`` on PostgreSQL; on SQLite an UPDATE of the row, which takes the
database's write lock before the head is read); it numbers and hashes the new
rows after the head it holds. The lock is held to the end of the transaction,
so concurrent writers to one chain take turns and the chain cannot fork, and
no one else reads the head meanwhile: the transaction writes where it moved
each head once, when it commits (in the scope it locked the head in, which
row-level security lets see it), not at every flush. A savepoint remembers
the heads as they stood when it began, and a savepoint rolled back takes
them back with its rows.

Audit events wait for the commit. :func:`append` keeps a new event in the
session's list until the transaction commits, and the commit's flush inserts
them all in one statement (a flush per event was a fifth of a case's
statements). A statement that reads the audit trail before then gets them
added first, so it sees them as it would any pending row; a savepoint rolled
back takes back the events appended inside it.

Lock order: a flush that appends decisions of a tenant also locks that
tenant's audit chain first (every decision is audited anyway), so a
transaction that writes a decision and then its audit event can never
deadlock with one that does it the other way round.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import TextClause, event, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables

from core.models import AuditChainHead, AuditEvent, Decision
from core.tenancy import scope_of, within

GENESIS = "0" * 64

# The columns each row's hash covers, besides seq and prev_hash. Every other
# column is named in UNHASHED; a test fails when a new column is in neither,
# so adding one is a decision about the chain, not an accident.
HASHED: dict[str, tuple[str, ...]] = {
    "audit_event": ("at", "tenant_id", "actor_id", "object_type", "object_id", "action", "before", "after"),
    "decision": (
        "decided_at", "tenant_id", "partnership_id", "process_code", "process_version", "round", "step_key",
        "period", "outcome_key", "outcome_kind", "motivation", "actor_id", "role_key", "role_title",
    ),
}
UNHASHED = ("id", "seq", "prev_hash", "hash")  # seq and prev_hash are hashed, as fixed keys

CHAINED_MODELS: dict[type, str] = {AuditEvent: "audit_event", Decision: "decision"}
# Lock order within a tenant (see the module docstring).
_TABLE_ORDER = {"audit_event": 0, "decision": 1}
_HEAD = AuditChainHead.__table__
# The heads this transaction holds: chain key -> (seq, hash, the scope it was
# locked in); which of them moved since they were written; and, for each open
# savepoint, both as they stood when it began.
_HELD = "iop.audit_chain.held"
_MOVED = "iop.audit_chain.moved"
_SAVED = "iop.audit_chain.saved"
# Set once the commit has written the heads: a flush after that (another
# listener's, before the commit ends) writes its heads at once.
_WRITTEN = "iop.audit_chain.written"
# Audit events appended and not yet added to the session.
_PENDING = "iop.audit_chain.pending"
_AUDIT_TABLE = AuditEvent.__table__


def canonical_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a hash-chained row; use core.db.utcnow()")
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, (dict, list, tuple)):
        # What the JSON column stores and gives back.
        return json.loads(json.dumps(value))
    return value


def canonical(table: str, values: Mapping[str, Any], seq: int, prev_hash: str) -> str:
    """The text a row's hash is taken of; ``values`` maps each column of
    ``HASHED[table]`` to its value (an ORM object's or a database row's)."""
    payload = {name: canonical_value(values[name]) for name in HASHED[table]}
    payload.update(table=table, seq=seq, prev_hash=prev_hash)
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(table: str, values: Mapping[str, Any], seq: int, prev_hash: str) -> str:
    return hashlib.sha256(canonical(table, values, seq, prev_hash).encode("utf-8")).hexdigest()


def chain_key(table: str, tenant_id: int | None) -> str:
    """The name of a chain in ``audit_chain_head``: ``audit_event:3``, ``audit_event:platform``."""
    return f"{table}:{'platform' if tenant_id is None else tenant_id}"


def install(target) -> None:
    """Chains the rows that sessions of ``target`` (a sessionmaker, a Session
    or the Session class) add to the audit trail and the decisions."""
    # Not guarded by event.contains(): it keys on id(target), and a new
    # sessionmaker's class may reuse the id of a collected one. A listener
    # installed twice still chains each flush once (see _before_flush).
    event.listen(target, "before_flush", _before_flush)
    event.listen(target, "before_commit", _before_commit)
    event.listen(target, "after_transaction_create", _remember_heads)
    event.listen(target, "after_soft_rollback", _restore_heads)
    event.listen(target, "after_transaction_end", _forget_heads)
    event.listen(target, "do_orm_execute", _before_reading_the_trail)


def append(session: Session, audit_event: AuditEvent) -> None:
    """Adds ``audit_event`` to the transaction: at its commit, or before a
    statement reads the audit trail, whichever comes first. A session without
    the listeners (or one whose commit has begun) adds it at once."""
    if session.info.get(_WRITTEN) or _before_commit not in session.dispatch.before_commit:
        session.add(audit_event)
        return
    if session.get_transaction() is None:
        session.begin()  # as session.add() would: the event belongs to this transaction
    session.info.setdefault(_PENDING, []).append((scope_of(session), audit_event))


def _add_pending(session: Session) -> None:
    """Adds the waiting events to the session. Each is written in the scope
    it was appended in (row-level security lets that scope write it): a run
    of them appended in another scope is flushed in that scope at once; those
    of the session's own scope go with the flush that comes next."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    current = scope_of(session)
    for scope, run in itertools.groupby(pending, key=lambda item: item[0]):
        events = [audit_event for _, audit_event in run]
        if scope == current:
            session.add_all(events)
        else:
            with within(session, scope):  # flushes what came before in the session's scope first
                session.add_all(events)


def _before_reading_the_trail(state: ORMExecuteState) -> None:
    statement = state.statement
    if not state.session.info.get(_PENDING):
        return
    if isinstance(statement, TextClause) or (state.is_select and _AUDIT_TABLE in find_tables(
            statement, include_aliases=True, include_joins=True)):
        _add_pending(state.session)  # the statement's autoflush inserts them


def _apply_defaults(obj: object) -> None:
    """Column defaults are applied at INSERT, after the hash is taken; apply
    them now, so the hash covers the values that are stored (the time stamp
    included)."""
    for prop in inspect(type(obj)).column_attrs:
        column = prop.columns[0]
        default = column.default
        if default is None or getattr(obj, prop.key) is not None:
            continue
        if default.is_scalar:
            setattr(obj, prop.key, default.arg)
        elif default.is_callable:
            setattr(obj, prop.key, default.arg(None))


def _lock_head(session: Session, key: str, tenant_id: int | None) -> tuple[int, str]:
    """The chain's head (seq, hash), locked for the rest of the transaction."""
    if session.connection().dialect.name == "postgresql":
        lock = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.chain == key).with_for_update()
        insert = postgresql.insert(_HEAD)
    else:
        # SQLite has no row locks. Writing the row first takes the database's
        # write lock (pysqlite begins the transaction at the first write), so
        # the head read below is the one this transaction's insert extends.
        lock = (update(_HEAD).where(_HEAD.c.chain == key).values(seq=_HEAD.c.seq)
                .returning(_HEAD.c.seq, _HEAD.c.hash))
        insert = sqlite.insert(_HEAD)
    row = session.execute(lock).first()
    if row is None:
        # The chain's first row. Two writers may get here at once: one inserts
        # the head, the other's insert does nothing (on PostgreSQL it waits for
        # the first to commit), and both then lock the one head row.
        session.execute(insert.values(chain=key, tenant_id=tenant_id, seq=0, hash=GENESIS)
                        .on_conflict_do_nothing(index_elements=[_HEAD.c.chain]))
        row = session.execute(lock).one()
    return row.seq, row.hash


def _before_flush(session: Session, flush_context, instances) -> None:
    if flush_context.attributes.get("audit_chain"):
        return  # installed twice on this session; this flush is chained already
    flush_context.attributes["audit_chain"] = True
    new = [obj for obj in session.new if type(obj) in CHAINED_MODELS]
    if instances is not None:
        only = {id(obj) for obj in instances}
        new = [obj for obj in new if id(obj) in only]
    if not new:
        return
    # The order the objects were added in, which is also the order of the INSERTs.
    new.sort(key=lambda obj: inspect(obj).insert_order)
    chains: dict[tuple[str, int | None], list] = {}
    for obj in new:
        _apply_defaults(obj)
        chains.setdefault((CHAINED_MODELS[type(obj)], obj.tenant_id), []).append(obj)
    for table, tenant_id in list(chains):
        if table == "decision":
            chains.setdefault(("audit_event", tenant_id), [])
    held = session.info.setdefault(_HELD, {})
    moved = session.info.setdefault(_MOVED, set())
    for (table, tenant_id), rows in sorted(chains.items(), key=lambda item: _lock_order(*item[0])):
        key = chain_key(table, tenant_id)
        if key not in held:
            held[key] = (*_lock_head(session, key, tenant_id), scope_of(session))
        if not rows:
            continue
        seq, prev, scope = held[key]
        for obj in rows:
            seq += 1
            obj.seq = seq
            obj.prev_hash = prev
            obj.hash = prev = row_hash(table, {name: getattr(obj, name) for name in HASHED[table]}, seq, prev)
        held[key] = (seq, prev, scope)
        moved.add(key)
    if session.info.get(_WRITTEN):
        _write_heads(session)


def _write_heads(session: Session) -> None:
    """Writes each moved head, in the scope it was locked in."""
    held, moved = session.info.get(_HELD, {}), session.info.get(_MOVED)
    if not moved:
        return
    by_scope: dict = {}
    for key in sorted(moved):
        by_scope.setdefault(held[key][2], []).append(key)
    moved.clear()
    for scope, keys in by_scope.items():
        with nullcontext() if scope is None or scope == scope_of(session) else within(session, scope):
            for key in keys:
                seq, hash_, _ = held[key]
                written = session.execute(update(_HEAD).where(_HEAD.c.chain == key).values(seq=seq, hash=hash_))
                if written.rowcount != 1:
                    raise RuntimeError(f"the head of audit chain {key} could not be moved in the scope it was read in")


def _before_commit(session: Session) -> None:
    # A savepoint released keeps its heads for the transaction's commit.
    if session.in_nested_transaction():
        return
    _add_pending(session)
    session.flush()
    _write_heads(session)
    session.info[_WRITTEN] = True


def _remember_heads(session: Session, transaction) -> None:
    if transaction.nested:
        saved = session.info.setdefault(_SAVED, {})
        saved[transaction] = (dict(session.info.get(_HELD, {})), set(session.info.get(_MOVED, ())),
                              list(session.info.get(_PENDING, ())))


def _restore_heads(session: Session, previous_transaction) -> None:
    """A savepoint rolled back: its rows are gone, and the heads and the
    waiting events are as they stood when it began. (A head first locked
    inside it is read again: the lock went with it. An event appended before
    it and inserted inside it waits again, without the id it was given.)"""
    saved = session.info.get(_SAVED, {}).pop(previous_transaction, None)
    if saved is not None:
        session.info[_HELD], session.info[_MOVED], pending = saved
        for _, audit_event in pending:
            if inspect(audit_event).transient:
                audit_event.id = None
        session.info[_PENDING] = pending


def _forget_heads(session: Session, transaction) -> None:
    """The transaction ended, committed or not: what it held is no longer held."""
    if transaction.parent is None:
        for key in (_HELD, _MOVED, _SAVED, _WRITTEN, _PENDING):
            session.info.pop(key, None)


def _lock_order(table: str, tenant_id: int | None) -> tuple[int, int, int]:
    # The platform's chain first, then each tenant's audit chain before its decisions.
    return (0, 0, 0) if tenant_id is None else (1, tenant_id, _TABLE_ORDER[table])
