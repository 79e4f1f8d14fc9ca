"""The deadlines overview: for a tenant's running partnerships, every step and
yearly obligation that is overdue or due within 30 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.engine import deadline_state, evaluate
from core.process import number_word
from core.models import Partnership, PartnershipStatus, Tenant
from core.registry import KommunEntry, Registry
from core.services.casework import load_facts, process_of, roles_of
from core.services.partnerships import eager_parties

ENDED = (PartnershipStatus.AVSLUTAD.value, PartnershipStatus.AVBRUTEN.value)


@dataclass(frozen=True)
class DeadlineItem:
    partnership_id: int
    partnership_title: str
    # The step's title; for a yearly obligation, the meeting kind's.
    title: str
    detail: str
    due: date
    state: str  # "overdue" or "soon"
    owner_roles: tuple[str, ...]
    owner_titles: tuple[str, ...]
    order: int

    def days_from(self, today: date) -> int:
        return (self.due - today).days


def overview(session: Session, registry: Registry, kommun: KommunEntry, tenant: Tenant, today: date) -> list[DeadlineItem]:
    """Sorted by due date, the most overdue first."""
    running = list(session.scalars(
        select(Partnership)
        .where(Partnership.tenant_id == tenant.id, Partnership.status.not_in(ENDED))
        .options(*eager_parties())
    ))
    facts = load_facts(session, tenant, running)
    items: list[DeadlineItem] = []
    for p in running:
        process = process_of(registry, kommun, p)
        if process is None:
            continue
        roles = roles_of(registry, process)
        progress = evaluate(process, facts[p.id], today)
        for order, sp in enumerate(progress.steps):
            state = deadline_state(sp.window, today) if sp.open else None
            if state in ("overdue", "soon"):
                items.append(DeadlineItem(
                    partnership_id=p.id, partnership_title=p.title, title=sp.step.title,
                    detail=sp.period,
                    due=sp.window.due, state=state, owner_roles=sp.step.owner_roles,
                    owner_titles=tuple(r.title for k in sp.step.owner_roles if (r := roles.get(k))), order=order,
                ))
        latest_ended = max((ob.year for ob in progress.obligations if ob.window.due < today), default=None)
        for ob in progress.obligations:
            state = deadline_state(ob.window, today)
            # A year long gone cannot be mended; only the latest one is still news.
            if ob.met or state not in ("overdue", "soon") or (state == "overdue" and ob.year != latest_ended):
                continue
            items.append(DeadlineItem(
                partnership_id=p.id, partnership_title=p.title, title=f"{ob.rule.title}n",
                detail=f"{ob.year}: {number_word(ob.held)} av minst {number_word(ob.rule.per_year_min)} hållna",
                due=ob.window.due, state=state, owner_roles=ob.rule.owner_roles,
                owner_titles=tuple(r.title for k in ob.rule.owner_roles if (r := roles.get(k))),
                order=len(progress.steps),
            ))
    items.sort(key=lambda i: (i.due, i.partnership_title.lower(), i.order))
    return items


def mine(items: list[DeadlineItem], role_keys: tuple[str, ...]) -> list[DeadlineItem]:
    """The items one of these roles is responsible for."""
    return [i for i in items if set(i.owner_roles) & set(role_keys)]
