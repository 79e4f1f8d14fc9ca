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
(the columns are NOT NULL). For each chain a flush touches, the listener locks
the chain's head row in ``audit_chain_head`` (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite an UPDATE of the row, which takes the database's write
lock before the head is read), numbers and hashes the new rows after it, and
moves the head: two statements per chain for a transaction's first flush,
one for each later flush, however many rows. The lock is held to the end of
the transaction, so concurrent writers to one chain take turns and the chain
cannot fork; what the transaction locked and moved it remembers until it, or
a savepoint inside it, ends.

Lock order: a flush that appends decisions of a tenant also locks that
tenant's audit chain first (every decision is audited anyway), so a
transaction that writes a decision and then its audit event can never
deadlock with one that does it the other way round.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.models import AuditChainHead, AuditEvent, Decision

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
# The heads this transaction has locked, and where it moved them: a chain
# locked once needs no second read until the transaction (or a savepoint) ends,
# since no other transaction can move it meanwhile.
_HELD = "iop.audit_chain.held"


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
    event.listen(target, "after_transaction_end", _forget_heads)


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
    for (table, tenant_id), rows in sorted(chains.items(), key=lambda item: _lock_order(*item[0])):
        key = chain_key(table, tenant_id)
        seq, prev = held[key] if key in held else _lock_head(session, key, tenant_id)
        held[key] = (seq, prev)
        if not rows:
            continue
        for obj in rows:
            seq += 1
            obj.seq = seq
            obj.prev_hash = prev
            obj.hash = prev = row_hash(table, {name: getattr(obj, name) for name in HASHED[table]}, seq, prev)
        moved = session.execute(update(_HEAD).where(_HEAD.c.chain == key).values(seq=seq, hash=prev))
        if moved.rowcount != 1:
            # A head this scope cannot see: refuse now rather than let the next row reuse a number.
            raise RuntimeError(f"the head of audit chain {key} could not be moved in this session's scope")
        held[key] = (seq, prev)


def _forget_heads(session: Session, transaction) -> None:
    """A transaction or a savepoint that ends, committed or not, forgets the
    heads it held: after a savepoint rolled back, the database's head is the
    one to read again. (A flush's own inner transaction ending is neither.)"""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HELD, None)


def _lock_order(table: str, tenant_id: int | None) -> tuple[int, int, int]:
    # The platform's chain first, then each tenant's audit chain before its decisions.
    return (0, 0, 0) if tenant_id is None else (1, tenant_id, _TABLE_ORDER[table])
