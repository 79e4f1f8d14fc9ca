"""How far each tenant's data has moved: a counter per tenant, raised in the
same transaction as every write to that tenant's rows.

A page kept in a cache (web.page_cache) names the versions it was rendered
at; when either has moved since, the page is rendered anew. Because the
counter commits with the write, a reader can never see the new data under an
old version; because it lives in the database, every process and replica
sees a write as soon as it is committed.

Two counters count for a tenant's pages: the tenant's own, raised by any
write to a row that belongs to the tenant, and the platform's (``PLATFORM``,
0), raised by any write to a row that belongs to no single tenant (a user, an
organisation, a tenant's own settings). A write whose tenant cannot be told
(a bulk statement outside a tenant's scope) raises the platform's: too many
pages rendered anew costs time, one stale page would cost trust.

Only bookkeeping that no page shows is left out (``UNCOUNTED``): the idle
clock of a session, failed sign-ins, request-limit events, the heads of the
audit chains and the outgoing e-mail. Counted, they would have every page
rendered anew once a minute per person, and at every e-mail sent.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.sql.dml import UpdateBase

from core.models.data_version import DataVersion
from core.tenancy import scope_of

PLATFORM = 0
UNCOUNTED = frozenset({"user_session", "login_attempt", "request_limit_event", "data_version",
                       # The head of each audit chain: the events themselves are counted.
                       "audit_chain_head",
                       # The e-mail waiting to be sent, which no page shows: counted, every
                       # message queued or sent would renew every tenant's pages.
                       "mail_outbox"})
_PENDING = "iop.data_version.pending"
_RAISED = "iop.data_version.raised"


def _pending(session: Session) -> set[int]:
    return session.info.setdefault(_PENDING, set())


def _tenant_of(obj) -> int | None:
    """The tenant a changed object belongs to; PLATFORM when it belongs to
    none; None when it is bookkeeping no page shows."""
    table = getattr(obj, "__tablename__", None)
    if table in UNCOUNTED:
        return None
    tenant_id = getattr(obj, "tenant_id", None)
    return tenant_id if tenant_id is not None else PLATFORM


def _note_flush(session: Session, _flush_context) -> None:
    pending = _pending(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        tenant = _tenant_of(obj)
        if tenant is not None:
            pending.add(tenant)


def _note_statement(state: ORMExecuteState) -> None:
    """A statement that writes without the unit of work (``update(...)``,
    ``delete(...)``, ``insert(...)``, or SQL text that is not a query)."""
    statement = state.statement
    if isinstance(statement, UpdateBase):
        table = getattr(statement, "table", None)
        if getattr(table, "name", None) in UNCOUNTED:
            return
    elif state.is_select or not _is_written_text(statement):
        return
    _pending(state.session).update(_tenants_written(state))


def _tenants_written(state: ORMExecuteState) -> set[int]:
    """In a tenant's scope, that tenant (the tenancy net and, on PostgreSQL,
    row-level security keep its writes there); else the tenants named by the
    rows given to the statement; else, unknown, the platform."""
    scope = scope_of(state.session)
    if scope is not None and scope.tenant_id:
        return {scope.tenant_id}
    params = state.parameters
    rows = params if isinstance(params, (list, tuple)) else [params] if params else []
    tenants = {row.get("tenant_id") if isinstance(row, dict) else None for row in rows}
    return tenants if rows and None not in tenants else {PLATFORM}


def _is_written_text(statement) -> bool:
    text = getattr(statement, "text", None)
    return isinstance(text, str) and not text.lstrip().upper().startswith(("SELECT", "WITH", "PRAGMA", "SET", "SHOW"))


def _raise_versions(session: Session) -> None:
    # Whatever the other listeners still flush before the commit is noted first.
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.info[_RAISED] = True
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = DataVersion.__table__
    for tenant_id in sorted(pending):  # one order everywhere: two writers never lock each other's rows crosswise
        statement = insert(table).values(tenant_key=tenant_id, version=1)
        session.execute(statement.on_conflict_do_update(index_elements=[table.c.tenant_key],
                                                        set_={"version": table.c.version + 1}))


def _forget(session: Session, transaction) -> None:
    # Only when the outermost transaction ends: a savepoint rolled back inside
    # a transaction that goes on to commit leaves its other writes to count.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def install(factory: sessionmaker) -> None:
    """Listeners on ``factory``; installed after every other listener that
    writes before a commit (core.db.make_sessionmaker), so their writes count."""
    event.listen(factory, "after_flush", _note_flush)
    event.listen(factory, "do_orm_execute", _note_statement)
    event.listen(factory, "before_commit", _raise_versions)
    event.listen(factory, "after_transaction_end", _forget)


def wrote(session: Session) -> bool:
    """Whether ``session`` has written, or is about to write, anything counted."""
    return bool(session.info.get(_RAISED) or session.info.get(_PENDING))
