"""Reads a session may answer again without asking the database, until it
writes what they read: for a session that alone writes what it reads.

Walking a case forward reads the same partnership's facts several times
between two writes, and most writes touch one kind of fact: the walker's look
at the case, then the completion's own check of it (core.services.casework).
In a session that keeps reads (``keep``), a value read from some tables is
forgotten when a flush writes to one of them, when a statement writes to one
of them without the unit of work (or writes SQL text: then every value), and
at the end of every transaction or savepoint. So a read answered from here
gives what the database gave after the session's last write to what it
reads. Values are kept per scope (core.tenancy): under row-level security
another scope may read other rows.

Another transaction's commit does not make a kept value be read anew, so only
a session whose reads no one else writes to keeps them: the demo walking a
tenant's cases (core.demo). Every other session reads the database each time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.sql.dml import UpdateBase

from core.tenancy import scope_of

T = TypeVar("T")
_KEY = "iop.session_memo"


def keep(session: Session) -> None:
    """From now on ``session`` keeps what ``read`` reads until it writes there."""
    session.info[_KEY] = {}


def read(session: Session, key: Hashable, tables: frozenset[str], load: Callable[[], T]) -> T:
    """``load()``'s value, which reads ``tables`` (those its policies read
    too); or, in a session that keeps reads, the value it gave since the
    session last wrote to one of them."""
    memo = session.info.get(_KEY)
    if memo is None:
        return load()
    if session.autoflush:
        # What a query would flush first: a pending change is a write.
        session.flush()
    full_key = (scope_of(session), key)
    if full_key not in memo:
        memo[full_key] = (load(), tables)
    return memo[full_key][0]


def _forget(session: Session, written: Iterable[str] | None = None) -> None:
    """Forgets what reads a table in ``written``; everything when None."""
    memo = session.info.get(_KEY)
    if not memo:
        return
    if written is None:
        memo.clear()
        return
    written = set(written)
    for key in [k for k, (_, tables) in memo.items() if tables & written]:
        del memo[key]


def _forget_flushed(session: Session, flush_context) -> None:
    # Every row the flush wrote, orphans and cascades included.
    _forget(session, {state.mapper.local_table.name for state in flush_context.states})


def _forget_on_write(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    table = getattr(state.statement, "table", None) if isinstance(state.statement, UpdateBase) else None
    name = getattr(table, "name", None)
    _forget(state.session, None if name is None else {name})


def _forget_at_end(session: Session, transaction) -> None:
    # A transaction or a savepoint; a flush's own inner transaction is neither.
    if transaction.parent is None or transaction.nested:
        _forget(session)


def install(factory: sessionmaker) -> None:
    event.listen(factory, "after_flush", _forget_flushed)
    event.listen(factory, "do_orm_execute", _forget_on_write)
    event.listen(factory, "after_transaction_end", _forget_at_end)
    event.listen(factory, "after_soft_rollback", lambda session, _previous: _forget(session))
