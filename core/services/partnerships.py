"""Partnerships: the tenant's cases. Every query here is scoped to one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from math import ceil
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from core.services import search_index
from core.db import utcnow
from core.models import CaseState, Contribution, Organisation, Partnership, PartnershipStatus, Party, Tenant, User
from core.services import ConflictError, ValidationError, audit
from core.process import ProcessDefinition
from core.services.casework import pin
from core.services.organisations import get_organisation
from core.inputs import PARTNERSHIP_TEXTS, ContributionInput, PartnershipInput, PartySlot, ideburen_slots

SORTS = {
    "titel": func.lower(Partnership.title),
    "status": Partnership.status,
    "start": Partnership.period_start,
    "slut": Partnership.period_end,
    "andrad": Partnership.updated_at,
}
PER_PAGE = 20
# The largest key the databases number rows with (a 32-bit integer).
MAX_KEY = 2**31 - 1
# The order of a search when none is chosen: best match first.
RELEVANCE = "relevans"
TEXT_FIELDS = PARTNERSHIP_TEXTS


@dataclass(frozen=True)
class ListRow:
    """A row of the partnership list: the columns it shows, nothing more.
    Where the case stands comes from its stored state (core.models.case_state)."""

    id: int
    title: str
    status: str
    period_start: date | None
    period_end: date | None
    updated_at: datetime
    organisations: tuple[str, ...]
    phase: str
    current_steps: str
    next_due: date | None
    next_title: str

    @property
    def status_label(self) -> str:
        return PartnershipStatus(self.status).label


@dataclass(frozen=True)
class Page:
    items: list[ListRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def eager_parties():
    """Loader options for what every partnership page shows: parties, organisations, contributions."""
    return (
        selectinload(Partnership.parties).selectinload(Party.organisation),
        selectinload(Partnership.parties).selectinload(Party.contributions),
    )


def list_partnerships(
    session: Session,
    tenant: Tenant,
    *,
    query: str = "",
    status: str = "",
    sort: str = "andrad",
    descending: bool | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of the tenant's partnerships: a count, the page's rows and
    their organisations' names; three queries at any size, two for a search.

    A search must find and rank every match before it can show a page, so it
    counts them in the same query (a window over the matches); the plain list
    reads its page from an index and counts on the side, which costs less
    than reading every row to count them."""
    where = [Partnership.tenant_id == tenant.id]
    matches = search_index.ranked_matches(session, tenant, query)
    if status in {s.value for s in PartnershipStatus}:
        where.append(Partnership.status == status)
    column = SORTS.get(sort, SORTS["andrad"])
    if descending is None:
        descending = sort in {"andrad", ""} or sort not in SORTS
    order_columns, order_desc = [column], [descending]
    if matches is not None and sort == RELEVANCE:
        # A search is shown best match first unless another order is asked for.
        order_columns, order_desc = [matches.c.rank], [True]
    order = [c.desc() if d else c.asc() for c, d in zip(order_columns, order_desc, strict=True)]

    def page_rows(page: int):
        # The page's partnerships first, then their stored state: the join is
        # over twenty rows whatever the planner believes about the tables.
        page_query = (
            select(Partnership.id, Partnership.title, Partnership.status, Partnership.period_start,
                   Partnership.period_end, Partnership.updated_at,
                   (func.count().over() if matches is not None else literal(0)).label("matched"))
            .where(*where)
        )
        if matches is not None:
            page_query = page_query.join(matches, matches.c.partnership_id == Partnership.id)
        ranked = (page_query.add_columns(*(c.label(f"order_{i}") for i, c in enumerate(order_columns)))
                  .order_by(*order, Partnership.id.desc()).offset((page - 1) * per_page).limit(per_page).subquery())
        return session.execute(
            select(ranked.c.id, ranked.c.title, ranked.c.status, ranked.c.period_start, ranked.c.period_end,
                   ranked.c.updated_at, ranked.c.matched, CaseState.phase, CaseState.current_steps,
                   CaseState.next_due, CaseState.next_title)
            .outerjoin(CaseState, CaseState.partnership_id == ranked.c.id)
            .order_by(*(ranked.c[f"order_{i}"].desc() if desc else ranked.c[f"order_{i}"].asc()
                        for i, desc in enumerate(order_desc)), ranked.c.id.desc())
        ).all()

    def counted() -> int:
        counting = select(func.count()).select_from(Partnership).where(*where)
        if matches is not None:
            found = search_index.ranked_matches(session, tenant, query, ranked=False)
            counting = counting.join(found, found.c.partnership_id == Partnership.id)
        return session.scalar(counting) or 0

    # No tenant has more partnerships than a key can number: an offset past
    # that is a page past the last, and must not overflow the database's integer.
    page = max(1, min(page, MAX_KEY // per_page))
    if matches is not None:
        rows = page_rows(page)
        total = rows[0].matched if rows else None
        if total is None:
            # No match on this page: none at all, or a page past the last.
            total = counted()
            page = max(1, min(page, ceil(total / per_page)))
            rows = page_rows(page) if total else []
    else:
        total = counted()
        page = max(1, min(page, max(1, ceil(total / per_page))))
        rows = page_rows(page)
    names: dict[int, list[str]] = {r.id: [] for r in rows}
    if rows:
        for pid, name in session.execute(
            select(Party.partnership_id, Organisation.name)
            .join(Organisation, Organisation.id == Party.organisation_id)
            .where(Party.tenant_id == tenant.id, Party.partnership_id.in_(list(names)))
            .order_by(Party.partnership_id, Party.id)
        ):
            names[pid].append(name)
    items = [
        ListRow(id=r.id, title=r.title, status=r.status, period_start=r.period_start, period_end=r.period_end,
                updated_at=r.updated_at, organisations=tuple(names[r.id]), phase=r.phase or "",
                current_steps=r.current_steps or "", next_due=r.next_due, next_title=r.next_title or "")
        for r in rows
    ]
    return Page(items=items, total=total, page=page, per_page=per_page)


def get_many(session: Session, tenant: Tenant, ids: list[int]) -> list[Partnership]:
    """These partnerships with their parties, in the order of ``ids``."""
    found = {p.id: p for p in session.scalars(
        select(Partnership).where(Partnership.tenant_id == tenant.id, Partnership.id.in_(ids))
        .options(*eager_parties()))}
    return [found[i] for i in ids if i in found]


def get_partnership(session: Session, tenant: Tenant, partnership_id: int, *, lock: bool = False) -> Partnership | None:
    """The tenant's partnership with its parties. ``lock``: for a change whose
    rules read the partnership's facts first (JV-08's cap on idea meetings, a
    step done once): the row stays locked until the transaction ends, so
    concurrent changes of one partnership take turns, and each reads the facts
    the one before it committed (PostgreSQL: SELECT … FOR UPDATE; SQLite
    serialises writers with BEGIN IMMEDIATE, core.db.writing)."""
    query = select(Partnership).where(Partnership.id == partnership_id, Partnership.tenant_id == tenant.id)
    if lock:
        # Fresh values after the wait, even for an object the session holds.
        query = query.with_for_update(of=Partnership).execution_options(populate_existing=True)
    return session.scalar(query.options(*eager_parties()))


def _organisations(session: Session, tenant: Tenant, values: PartnershipInput) -> dict[int, Organisation]:
    """The idéburna parties' organisations, each in the tenant's register and
    a party once; else ValidationError naming the field."""
    errors: dict[str, str] = {}
    found: dict[int, Organisation] = {}
    for party in values.ideburna:
        if party.organisation_id is None:
            continue
        organisation = get_organisation(session, tenant, party.organisation_id)
        if organisation is None:
            errors[party.field] = "Välj en organisation ur ert register."
        elif organisation.id in found:
            errors[party.field] = "Organisationen är redan part i partnerskapet. Välj en annan."
        else:
            found[organisation.id] = organisation
    if errors:
        raise ValidationError(errors)
    return found


def snapshot(p: Partnership) -> dict[str, Any]:
    """What the audit trail records of a partnership."""
    return {
        "title": p.title,
        "samhallsutmaning": p.samhallsutmaning,
        "goals": p.goals,
        "target_group": p.target_group,
        "period_start": p.period_start,
        "period_end": p.period_end,
        "initiated_on": p.initiated_on,
        "status": p.status,
        "parties": [
            {
                "role": party.role,
                "organisation_id": party.organisation_id,
                "contributions": [[c.kind, c.amount, c.description] for c in party.contributions],
            }
            for party in p.parties
        ],
    }


def _apply(p: Partnership, tenant: Tenant, values: PartnershipInput, organisations: dict[int, Organisation]) -> None:
    for f in (*TEXT_FIELDS, "period_start", "period_end", "initiated_on"):
        setattr(p, f, getattr(values, f))
    # Always touch the row, so an edit of contributions alone also bumps the
    # version that guards against concurrent edits.
    p.updated_at = utcnow()
    public = next((party for party in p.parties if party.role == "offentlig"), None)
    if public is None:
        public = Party(tenant_id=tenant.id, role="offentlig", contributions=[])
        p.parties.append(public)
    _set_contributions(public, tenant, values.public_contributions)
    # The idéburna parties in the order of the form. A party whose organisation
    # stays keeps its row; one no longer in the form is removed.
    existing = {party.organisation_id: party for party in p.parties if party.role == "ideburen"}
    for wanted in values.ideburna:
        party = existing.pop(wanted.organisation_id, None)
        if party is None:
            organisation = organisations.get(wanted.organisation_id) if wanted.organisation_id else None
            party = Party(tenant_id=tenant.id, role="ideburen", organisation=organisation, contributions=[])
            p.parties.append(party)
        _set_contributions(party, tenant, wanted.contributions)
    for party in existing.values():
        p.parties.remove(party)


def _set_contributions(party: Party, tenant: Tenant, contributions: tuple[ContributionInput, ...]) -> None:
    party.contributions.clear()
    for c in contributions:
        party.contributions.append(Contribution(tenant_id=tenant.id, kind=c.kind, amount=c.amount,
                                                description=c.description))


def create_partnership(session: Session, tenant: Tenant, actor: User | None, values: PartnershipInput,
                       process: ProcessDefinition | None = None) -> Partnership:
    """Registers an initiative. It starts on ``process`` (the kommun's newest
    version) and keeps that version for its whole life."""
    organisations = _organisations(session, tenant, values)
    p = Partnership(tenant_id=tenant.id, parties=[], status=PartnershipStatus.INITIATIV.value)
    if process is not None:
        pin(p, process)
    _apply(p, tenant, values, organisations)
    session.add(p)
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=p.id, action="create", after=snapshot(p))
    return p


def update_partnership(
    session: Session, tenant: Tenant, actor: User | None, p: Partnership, values: PartnershipInput,
    expected_version: int,
) -> Partnership:
    """Saves an edit made on version ``expected_version``. If someone saved in
    between, raises ConflictError and changes nothing; an edit of what a
    decided agreement fixes raises ValidationError (the caller rolls back)."""
    if p.version != expected_version:
        raise ConflictError()
    from core.services import agreements

    organisations = _organisations(session, tenant, values)
    before = snapshot(p)
    _apply(p, tenant, values, organisations)
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError() from exc
    # GEN-09: what the decision body decided changes only through an ändring.
    agreements.refuse_fixed_change(session, tenant, p, agreements.terms_of(p))
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=p.id, action="update",
                 before=before, after=snapshot(p))
    return p


def form_values(p: Partnership) -> dict[str, str]:
    """The edit form pre-filled from a saved partnership."""
    data: dict[str, str] = {f: getattr(p, f) or "" for f in TEXT_FIELDS}
    data["period_start"] = p.period_start.isoformat() if p.period_start else ""
    data["period_end"] = p.period_end.isoformat() if p.period_end else ""
    data["initiated_on"] = p.initiated_on.isoformat()
    ideburna = [party for party in p.parties if party.role == "ideburen"]
    slots = [(PartySlot("offentlig"), party) for party in p.parties if party.role == "offentlig"]
    slots += list(zip(ideburen_slots(len(ideburna)), ideburna))
    for slot, party in slots:
        if party.organisation_id:
            data[slot.organisation_field] = str(party.organisation_id)
        for c in party.contributions:
            if c.amount is not None:
                data[f"{slot.prefix}_{c.kind}_amount"] = format(c.amount.normalize(), "f")
            if c.description:
                data[f"{slot.prefix}_{c.kind}_text"] = c.description
    return data
