"""The deadlines overview: for a tenant's running partnerships, every step and
yearly obligation that is overdue or due within 30 days.

It reads the stored state (core.services.case_state), one page at a time, so
it costs the same few queries whatever the tenant holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import ceil

from sqlalchemy import and_, case, func, select
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
    due: date
    owner_titles: tuple[str, ...]
    today: date

    @property
    def state(self) -> str:
        return "overdue" if self.due < self.today else "soon"

    def days_from(self, today: date) -> int:
        return (self.due - today).days


@dataclass(frozen=True)
class Counts:
    total: int
    overdue: int


@dataclass(frozen=True)
class DeadlinePage:
    items: list[DeadlineItem]
    counts: Counts
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.counts.total / self.per_page))


def _scope(tenant: Tenant, today: date, role_keys: tuple[str, ...] | None):
    """The tasks that are overdue or due within 30 days; with ``role_keys``,
    only those one of these roles owns."""
    where = [CaseTask.tenant_id == tenant.id, CaseTask.due.is_not(None), CaseTask.due <= today + SOON]
    if role_keys is not None:
        where.append(_owned_by(tenant, today, role_keys))
    return where


def _owned_by(tenant: Tenant, today: date, role_keys: tuple[str, ...]):
    """The task is one of these roles' (within the window, by the role index)."""
    return CaseTask.id.in_(
        select(CaseTaskRole.task_id).where(
            CaseTaskRole.tenant_id == tenant.id, CaseTaskRole.role.in_(role_keys), CaseTaskRole.due <= today + SOON))


def counts(session: Session, tenant: Tenant, today: date, role_keys: tuple[str, ...] | None = None) -> Counts:
    total, overdue = session.execute(
        select(func.count(), func.coalesce(func.sum(case((CaseTask.due < today, 1), else_=0)), 0))
        .where(*_scope(tenant, today, role_keys))
    ).one()
    return Counts(total=total, overdue=overdue)


def counts_mine_and_all(session: Session, tenant: Tenant, today: date, role_keys: tuple[str, ...]) -> tuple[Counts, Counts]:
    """The counts for these roles and for the whole tenant, in one pass over
    the tenant's window of tasks (the start page shows both tabs' counts)."""
    mine = _owned_by(tenant, today, role_keys)
    late = CaseTask.due < today

    def tally(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    total, overdue, own, own_overdue = session.execute(
        select(func.count(), tally(late), tally(mine), tally(and_(mine, late))).where(*_scope(tenant, today, None))
    ).one()
    return Counts(total=own, overdue=own_overdue), Counts(total=total, overdue=overdue)


def overview(session: Session, tenant: Tenant, today: date, *, role_keys: tuple[str, ...] | None = None,
             page: int = 1, per_page: int = PER_PAGE, counted: Counts | None = None) -> DeadlinePage:
    """One page of the overview, the most overdue first; ``role_keys``: only
    what these roles are responsible for."""
    counted = counted or counts(session, tenant, today, role_keys)
    page = max(1, min(page, max(1, ceil(counted.total / per_page))))
    rows = session.execute(
        select(CaseTask.partnership_id, Partnership.title, CaseTask.title, CaseTask.detail, CaseTask.due,
               CaseTask.owner_titles)
        .join(Partnership, Partnership.id == CaseTask.partnership_id)
        .where(*_scope(tenant, today, role_keys))
        .order_by(CaseTask.due, CaseTask.partnership_id, CaseTask.position)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [
        DeadlineItem(partnership_id=pid, partnership_title=ptitle, title=title, detail=detail, due=due,
                     owner_titles=tuple(t for t in owners.split("; ") if t), today=today)
        for pid, ptitle, title, detail, due, owners in rows
    ]
    return DeadlinePage(items=items, counts=counted, page=page, per_page=per_page)
