"""Tenancy in one place: which rows belong to a tenant, and the net that keeps
every session to the rows its principal may see.

Every table whose rows belong to one tenant maps a class that uses
``TenantOwned`` (tenant NOT NULL); the audit trail, whose platform events have
no tenant, uses ``TenantScoped``. Services still scope their queries to the
tenant explicitly. Under them, every session carries a ``Scope`` and an ORM
listener adds a tenant criterion to every query of a tenant-scoped class, so a
forgotten filter cannot leak; a session that never said whose it is sees no
tenant data at all and may write none. On PostgreSQL the same scope is handed to the
database, whose row-level security is the second wall (core.rls).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import ForeignKey, ForeignKeyConstraint, event, false, select, text
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, with_loader_criteria


class TenancyError(RuntimeError):
    """Code tried to read or write tenant data outside its scope: a bug, never user input."""


class TenantScoped:
    """A table whose rows belong to a tenant, or (tenant NULL) to the platform."""

    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)


class TenantOwned(TenantScoped):
    """A table whose every row belongs to exactly one tenant."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)


def same_tenant(column: str, parent: str, parent_column: str = "id", **kwargs) -> ForeignKeyConstraint:
    """A foreign key that also requires the child's tenant to be the parent's:
    ``(tenant_id, column)`` refers to ``parent(tenant_id, parent_column)``, which
    carries a matching unique key. A row can never point into another tenant."""
    return ForeignKeyConstraint(["tenant_id", column], [f"{parent}.tenant_id", f"{parent}.{parent_column}"], **kwargs)


@dataclass(frozen=True)
class Scope:
    """Whose a session's work is. Exactly one of the kinds applies:

    - ``tenant_id``: staff working in one tenant;
    - ``organisation_id``: a representative of an idéburen organisation, who
      sees the partnerships their organisation is a party to;
    - ``user_id``: a signed-in person before a tenant is chosen (the start page
      lists the tenants where they hold a role);
    - ``platform``: the platform administrator and the system itself (command
      line, migrations, demo, background jobs).
    """

    tenant_id: int | None = None
    organisation_id: int | None = None
    user_id: int | None = None
    platform: bool = False

    @classmethod
    def of_tenant(cls, tenant_id: int) -> Scope:
        return cls(tenant_id=tenant_id)

    @classmethod
    def of_organisation(cls, organisation_id: int) -> Scope:
        return cls(organisation_id=organisation_id)

    @classmethod
    def of_user(cls, user_id: int) -> Scope:
        return cls(user_id=user_id)

    @classmethod
    def system(cls) -> Scope:
        return cls(platform=True)


SCOPE_KEY = "iop.scope"
_CRITERIA_KEY = "iop.scope.criteria"
# The scope as the database sees it (core.rls's policies read these).
_SETTINGS = "SELECT set_config('iop.tenant_id', :t, true), set_config('iop.organisation_id', :o, true), " \
            "set_config('iop.user_id', :u, true), set_config('iop.platform', :p, true)"


def set_scope(session: Session, scope: Scope) -> None:
    """Everything the session reads or writes from now on is limited to ``scope``.
    A transaction already running takes the new scope at once."""
    session.info[SCOPE_KEY] = scope
    if session.in_transaction():
        _tell_database(session.connection(), scope)


@contextmanager
def within(session: Session, scope: Scope):
    """Works in ``scope`` for a moment, then in the session's own scope again:
    for the few things a principal does in someone else's scope, explicitly.
    What is flushed inside is written in ``scope``."""
    previous = scope_of(session)
    session.flush()  # what was written before is written in the scope it was written in
    set_scope(session, scope)
    try:
        yield
        session.flush()
    finally:
        session.info[SCOPE_KEY] = previous
        if session.in_transaction():
            _tell_database(session.connection(), previous)


def as_platform(session: Session):
    """For the platform's own record of an event that belongs to no tenant
    (an organisation's representatives changing, say), made by someone whose
    session may not write platform rows."""
    return within(session, Scope.system())


def scope_of(session: Session) -> Scope | None:
    return session.info.get(SCOPE_KEY)


def _tell_database(connection, scope: Scope | None) -> None:
    """PostgreSQL's row-level security reads the scope from transaction-local
    settings, so they end with the transaction and never outlive a request on
    a pooled connection."""
    if connection.dialect.name != "postgresql":
        return
    scope = scope or Scope()
    connection.execute(text(_SETTINGS), {
        "t": str(scope.tenant_id or ""), "o": str(scope.organisation_id or ""), "u": str(scope.user_id or ""),
        "p": "on" if scope.platform else "",
    })


def _after_begin(session: Session, _transaction, connection) -> None:
    # A transaction begins with none of the settings (they are transaction-
    # local), which the policies read as no scope: only a scope needs saying.
    # (A request's first statement, the session lookup, then costs one round trip.)
    if (scope := scope_of(session)) is not None:
        _tell_database(connection, scope)


def tenant_scoped_classes() -> list[type]:
    """Every mapped class whose rows belong to a tenant, from the metadata."""
    from core.db import Base

    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)]


def _criteria(scope: Scope | None) -> list:
    """The loader criteria that keep reads within the scope."""
    from core.models import Contribution, Partnership, Party, RoleAssignment

    scope = scope or Scope()
    if scope.tenant_id is not None:
        tid = scope.tenant_id
        return [with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tid, include_aliases=True)]
    elif scope.organisation_id is not None:
        # A representative sees the partnerships their organisation is a party
        # to, their own organisation's parties and contributions, where those
        # cases stand, and what staff share with the parties (Sharing): nothing
        # else of a tenant's. The same as PostgreSQL's policies (core.rls). The
        # subqueries read their tables through Core, so the criteria are not
        # applied to themselves.
        from core.models import (AgreementSignature, AgreementVersion, CaseState, CaseTask, Decision, Document,
                                 DocumentRequest, Meeting, Message)
        from core.models.sharing import Sharing

        oid = scope.organisation_id
        party, sharing = Party.__table__.c, Sharing.__table__.c
        theirs = select(party.partnership_id).where(party.organisation_id == oid).scalar_subquery()
        own = select(party.id).where(party.organisation_id == oid).scalar_subquery()

        def chosen(kind: str, shared: bool):
            return select(sharing.item_id).where(sharing.item_kind == kind, sharing.shared.is_(shared),
                                                 sharing.partnership_id.in_(theirs)).scalar_subquery()

        allowed = {
            Partnership: Partnership.id.in_(theirs),
            Party: Party.organisation_id == oid,
            Contribution: Contribution.party_id.in_(own),
            CaseState: CaseState.partnership_id.in_(theirs),
            CaseTask: CaseTask.partnership_id.in_(theirs),
            Decision: Decision.partnership_id.in_(theirs) & Decision.id.not_in(chosen("decision", False)),
            Meeting: Meeting.partnership_id.in_(theirs) & Meeting.id.not_in(chosen("meeting", False)),
            Document: Document.id.in_(chosen("document", True)),
            DocumentRequest: DocumentRequest.organisation_id == oid,
            Message: Message.partnership_id.in_(theirs),
            AgreementVersion: AgreementVersion.partnership_id.in_(theirs),
            AgreementSignature: AgreementSignature.partnership_id.in_(theirs),
            Sharing: Sharing.partnership_id.in_(theirs),
        }
        return [with_loader_criteria(cls, allowed.get(cls, false()), include_aliases=True)
                for cls in tenant_scoped_classes()]
    elif scope.user_id is not None:
        uid = scope.user_id
        return [with_loader_criteria(cls, RoleAssignment.user_id == uid if cls is RoleAssignment else false(),
                                     include_aliases=True)
                for cls in tenant_scoped_classes()]
    return [with_loader_criteria(cls, false(), include_aliases=True) for cls in tenant_scoped_classes()]


def _net(state: ORMExecuteState) -> None:
    if state.is_column_load or state.is_relationship_load:
        return  # the options of the statement that loaded the object travel with it
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = scope_of(state.session)
    if scope is not None and scope.platform:
        return
    # Built once per session and scope: a request runs a dozen queries in one scope.
    cached = state.session.info.get(_CRITERIA_KEY)
    if cached is None or cached[0] != scope:
        cached = (scope, _criteria(scope))
        state.session.info[_CRITERIA_KEY] = cached
    state.statement = state.statement.options(*cached[1])


def _check_writes(session: Session, _flush_context, _instances) -> None:
    """Writes stay in the scope too: staff write only their tenant's rows; a
    representative or a person without a tenant writes no tenant data."""
    scope = scope_of(session)
    changed = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, TenantScoped)]
    if not changed:
        return
    if scope is None:
        raise TenancyError("tenant data written by a session without a scope")
    if scope.platform:
        return
    for obj in changed:
        if scope.tenant_id is None or obj.tenant_id != scope.tenant_id:
            raise TenancyError(f"{type(obj).__name__} of tenant {obj.tenant_id} written in scope {scope}")


def install_net(session_factory) -> None:
    """Installs the ORM net on a sessionmaker (not on every Session in the process)."""
    event.listen(session_factory, "do_orm_execute", _net)
    event.listen(session_factory, "before_flush", _check_writes)


def install_database_scope(session_factory) -> None:
    """Hands each transaction's scope to the database (row-level security)."""
    event.listen(session_factory, "after_begin", _after_begin)
