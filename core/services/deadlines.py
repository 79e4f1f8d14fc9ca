"""The deadlines overview: for a tenant's running partnerships, every step and
yearly obligation that is overdue or due within 30 days; and what waits for
one person: every current step one of their roles owns, with or without a
deadline, and what they must do within 30 days (issue 11, "Väntar på dig").

It reads the stored state (core.services.case_state), one page at a time, so
it costs the same few queries whatever the tenant holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from math import ceil

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from core.engine import SOON
from core.models import CaseTask, CaseTaskRole, Partnership, Tenant

PER_PAGE = 25


@dataclass(frozen=True)
class DeadlineItem:
    partnership_id: int
    partnership_title: str
    # The step's title; for a yearly obligation, the meeting kind's.
    title: str
    detail: str
    due: date | None
    owner_titles: tuple[str, ...]
    today: date

    @property
    def state(self) -> str:
        if self.due is None:
            return "open"
        return "overdue" if self.due < self.today else "soon"

    def days_from(self, today: date) -> int:
        return (self.due - today).days


@dataclass(frozen=True)
class Counts:
    total: int
    overdue: int
    # Current steps without a deadline (only in what waits for someone).
    open: int = 0

    @property
    def soon(self) -> int:
        return self.total - self.overdue - self.open


@dataclass(frozen=True)
class DeadlinePage:
    items: list[DeadlineItem]
    counts: Counts
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.counts.total / self.per_page))


@dataclass(frozen=True)
class Person:
    """Whose tasks: the roles they hold in the tenant, and of those the roles
    named per partnership (JV-13), which are theirs only where they are the
    one named, or where no one is yet."""

    user_id: int
    role_keys: tuple[str, ...]
    named: tuple[str, ...] = ()

    @property
    def has_named_roles(self) -> bool:
        """Some of their roles are named per partnership (the statements' shape, see ``owned_by``)."""
        return bool(set(self.named) & set(self.role_keys))


# The statements below are built once for each shape of question (a
# person's or the tenant's; with roles named per partnership or without) and
# run with the values bound: building SQLAlchemy's expressions cost about as
# much as running these indexed queries, on the start page of every request.
TENANT, TODAY, WINDOW_END = bindparam("tenant_id"), bindparam("today"), bindparam("window_end")


def _in_window():
    return and_(CaseTask.due.is_not(None), CaseTask.due <= WINDOW_END)


def owned_by(named: bool):
    """The tasks the person's roles own (a criterion on CaseTask; binds
    ``tenant_id``, ``plain_roles``, ``named_roles`` and ``user_id``, see
    ``person_values``). ``named``: whether some of their roles are named per
    partnership."""
    def owned(roles: str):
        return CaseTask.id.in_(select(CaseTaskRole.task_id).where(
            CaseTaskRole.tenant_id == TENANT, CaseTaskRole.role.in_(bindparam(roles, expanding=True))))
    if not named:
        return owned("plain_roles")
    theirs = select(Partnership.id).where(Partnership.tenant_id == TENANT, or_(
        Partnership.coordinator_id.is_(None), Partnership.coordinator_id == bindparam("user_id")))
    return or_(owned("plain_roles"), and_(owned("named_roles"), CaseTask.partnership_id.in_(theirs)))


def person_values(tenant: Tenant, person: Person) -> dict:
    """What ``owned_by`` binds for the person."""
    return {"tenant_id": tenant.id, "user_id": person.user_id,
            "plain_roles": [k for k in person.role_keys if k not in person.named],
            "named_roles": [k for k in person.role_keys if k in person.named]}


def _values(tenant: Tenant, today: date, person: Person | None) -> dict:
    values = person_values(tenant, person) if person is not None else {"tenant_id": tenant.id}
    return {**values, "today": today, "window_end": today + SOON}


def _shape(person: Person | None) -> tuple[bool, bool]:
    return person is not None, bool(person and person.has_named_roles)


def _scope(mine: bool, named: bool):
    """The tenant's tasks that are overdue or due within 30 days; for a
    person, what waits for them: the tasks their roles own that are current
    (with or without a deadline) or due within 30 days."""
    if not mine:
        return [CaseTask.tenant_id == TENANT, _in_window()]
    return [CaseTask.tenant_id == TENANT, or_(CaseTask.state == "current", _in_window()), owned_by(named)]


@cache
def _counts_statement(mine: bool, named: bool):
    return select(func.count(), func.coalesce(func.sum(case((CaseTask.due < TODAY, 1), else_=0)), 0),
                  func.coalesce(func.sum(case((CaseTask.due.is_(None), 1), else_=0)), 0)
                  ).where(*_scope(mine, named))


def counts(session: Session, tenant: Tenant, today: date, person: Person | None = None) -> Counts:
    total, overdue, undated = session.execute(_counts_statement(*_shape(person)),
                                              _values(tenant, today, person)).one()
    return Counts(total=total, overdue=overdue, open=undated)


def counts_mine_and_all(session: Session, tenant: Tenant, today: date, person: Person) -> tuple[Counts, Counts]:
    """What waits for the person, and the whole tenant's deadlines (the start
    page shows both tabs' counts). Two indexed counts: one pass with the
    person's criterion inside a CASE took five times as long."""
    return counts(session, tenant, today, person), counts(session, tenant, today, None)


def _order(mine: bool) -> tuple:
    """The most overdue first; a person's steps without a deadline last. The
    tenant's window has no undated steps, and its order is the index's
    (ix_case_task_tenant_due), so the database reads one page, not all."""
    order = (CaseTask.due, CaseTask.partnership_id, CaseTask.position)
    return (CaseTask.due.is_(None), *order) if mine else order


@cache
def _overview_statement(mine: bool, named: bool):
    return (select(CaseTask.partnership_id, Partnership.title, CaseTask.title, CaseTask.detail, CaseTask.due,
                   CaseTask.owner_titles)
            .join(Partnership, Partnership.id == CaseTask.partnership_id)
            .where(*_scope(mine, named))
            .order_by(*_order(mine))
            .offset(bindparam("skip")).limit(bindparam("size")))


def overview(session: Session, tenant: Tenant, today: date, *, person: Person | None = None,
             page: int = 1, per_page: int = PER_PAGE, counted: Counts | None = None) -> DeadlinePage:
    """One page of the overview, the most overdue first; for a person: only
    what waits for them."""
    counted = counted or counts(session, tenant, today, person)
    page = max(1, min(page, max(1, ceil(counted.total / per_page))))
    rows = session.execute(_overview_statement(*_shape(person)), {
        **_values(tenant, today, person), "skip": (page - 1) * per_page, "size": per_page}).all()
    items = [
        DeadlineItem(partnership_id=pid, partnership_title=ptitle, title=title, detail=detail, due=due,
                     owner_titles=tuple(t for t in owners.split("; ") if t), today=today)
        for pid, ptitle, title, detail, due, owners in rows
    ]
    return DeadlinePage(items=items, counts=counted, page=page, per_page=per_page)
