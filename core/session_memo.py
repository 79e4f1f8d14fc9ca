"""Reads a session may answer again without asking the database, until it
writes: for a session that alone writes what it reads.

Walking a case forward reads the same partnership's facts several times
between two writes: the walker's look at the case, then the completion's own
check of it (core.services.casework). In a session that keeps reads
(``keep``), a value is forgotten at every flush that writes, every statement
that writes without the unit of work, and the end of every transaction or
savepoint, so a read answered from here gives what the database gave at the
session's last write. It is kept per scope (core.tenancy): under row-level
security another scope may read other rows.

Another transaction's commit does not make a kept value be read anew, so only
a session whose reads no one else writes to keeps them: the demo walking a
tenant's cases (core.demo). Every other session reads the database each time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from core.tenancy import scope_of

T = TypeVar("T")
_KEY = "iop.session_memo"


def keep(session: Session) -> None:
    """From now on ``session`` keeps what ``read`` reads until it writes."""
    session.info[_KEY] = {}


def read(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """``load()``'s value, or, in a session that keeps reads, the value it gave
    since the session last wrote."""
    memo = session.info.get(_KEY)
    if memo is None:
        return load()
    if session.autoflush:
        # What a query would flush first: a pending change is a write.
        session.flush()
    full_key = (scope_of(session), key)
    if full_key not in memo:
        memo[full_key] = load()
    return memo[full_key]


def _forget(session: Session, *_args) -> None:
    memo = session.info.get(_KEY)
    if memo:
        memo.clear()


def _forget_on_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        _forget(state.session)


def install(factory: sessionmaker) -> None:
    event.listen(factory, "after_flush", _forget)
    event.listen(factory, "do_orm_execute", _forget_on_write)
    event.listen(factory, "after_transaction_end", _forget)
    event.listen(factory, "after_soft_rollback", _forget)
