"""Partnerships: the tenant's cases. Every query here is scoped to one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from math import ceil
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from core import clock, search
from core.db import utcnow
from core.models import Contribution, Organisation, Partnership, PartnershipStatus, Party, Tenant, User
from core.models.partnership import CONTRIBUTION_KINDS
from core.services import ConflictError, ValidationError, audit
from core.process import ProcessDefinition
from core.services.casework import pin
from core.services.organisations import get_organisation
from core.values import clean_text, parse_amount, parse_date, parse_int, too_long

SORTS = {
    "titel": func.lower(Partnership.title),
    "status": Partnership.status,
    "start": Partnership.period_start,
    "slut": Partnership.period_end,
    "andrad": Partnership.updated_at,
}
PER_PAGE = 20
TEXT_FIELDS = ("title", "samhallsutmaning", "goals", "target_group")
# Contributions that are counted carry an amount; the others are described.
COUNTED = {"pengar", "personal", "ideella_timmar", "lokaler"}
# The longest text a free-text field keeps.
MAX_TEXT = 20_000
# One partnership may have several idéburna parties (GEN-08), within reason.
MAX_IDEBURNA = 10


@dataclass(frozen=True)
class PartySlot:
    """Where one party's fields sit in the partnership form: the first
    idéburen party keeps the plain names (``organisation_id``,
    ``ideburen_pengar_amount``), the n:th has them numbered (``organisation_id3``,
    ``ideburen3_pengar_amount``)."""

    role: str
    number: int = 1

    @property
    def prefix(self) -> str:
        return self.role if self.number == 1 else f"{self.role}{self.number}"

    @property
    def organisation_field(self) -> str:
        return "organisation_id" if self.number == 1 else f"organisation_id{self.number}"


def ideburen_slots(count: int) -> list[PartySlot]:
    return [PartySlot("ideburen", n) for n in range(1, max(1, min(count, MAX_IDEBURNA)) + 1)]


def slots_in(data: dict[str, str]) -> int:
    """How many idéburna parties a submitted form holds."""
    highest = 1
    for key in data:
        for stem in ("organisation_id", "ideburen"):
            rest = key[len(stem):].split("_", 1)[0] if key.startswith(stem) else ""
            if rest.isascii() and rest.isdigit() and 1 < int(rest) <= MAX_IDEBURNA:
                highest = max(highest, int(rest))
    return highest


@dataclass(frozen=True)
class Page:
    items: list[Partnership]
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
    where = [Partnership.tenant_id == tenant.id]
    like = search.pattern(query)
    if like:
        org_match = (
            select(Party.partnership_id)
            .join(Organisation, Organisation.id == Party.organisation_id)
            .where(Party.tenant_id == tenant.id, search.contains(Organisation.name, like))
        )
        where.append(
            or_(
                search.contains(Partnership.title, like),
                search.contains(Partnership.samhallsutmaning, like),
                Partnership.id.in_(org_match),
            )
        )
    if status in {s.value for s in PartnershipStatus}:
        where.append(Partnership.status == status)
    total = session.scalar(select(func.count()).select_from(Partnership).where(*where)) or 0
    column = SORTS.get(sort, SORTS["andrad"])
    if descending is None:
        descending = sort in {"andrad", ""} or sort not in SORTS
    order = column.desc() if descending else column.asc()
    page = max(1, min(page, max(1, ceil(total / per_page))))
    items = session.scalars(
        select(Partnership)
        .where(*where)
        .order_by(order, Partnership.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
        .options(*eager_parties())
    ).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


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


def _parse_date(value: str | None, field: str, label: str, errors: dict[str, str]) -> date | None:
    day, message = parse_date(value, label)
    if message:
        errors[field] = message
    return day


def _parse_amount(value: str | None, field: str, errors: dict[str, str]) -> Decimal | None:
    amount, message = parse_amount(value)
    if message:
        errors[field] = message
    return amount


def parse_form(session: Session, tenant: Tenant, data: dict[str, str]) -> dict[str, Any]:
    """Checks a create or edit form. Returns clean values or raises
    ValidationError with a Swedish message per field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {f: clean_text(data.get(f)) for f in TEXT_FIELDS}
    if not values["title"]:
        errors["title"] = "Skriv en titel för partnerskapet."
    for f in TEXT_FIELDS:
        if message := too_long(values[f], 300 if f == "title" else MAX_TEXT):
            errors[f] = message
    values["period_start"] = _parse_date(data.get("period_start"), "period_start", "startdatum", errors)
    values["period_end"] = _parse_date(data.get("period_end"), "period_end", "slutdatum", errors)
    if values["period_start"] and values["period_end"] and values["period_end"] <= values["period_start"]:
        errors["period_end"] = "Slutdatum måste komma efter startdatum."
    # A caller that does not send the date at all (the API, a script) means
    # "today"; the form always sends it, so a cleared field is an error.
    initiated_on = clean_text(data.get("initiated_on", clock.today().isoformat()))
    if not initiated_on:
        errors["initiated_on"] = "Skriv vilket datum initiativet kom in."
    values["initiated_on"] = _parse_date(initiated_on, "initiated_on", "datumet", errors)
    if values["initiated_on"] and values["initiated_on"] > clock.today():
        errors["initiated_on"] = "Datumet då initiativet kom in kan inte ligga i framtiden."
    values["offentlig"] = _contributions(data, PartySlot("offentlig"), errors)
    ideburna: list[tuple[Organisation | None, dict]] = []
    seen: set[int] = set()
    for slot in ideburen_slots(slots_in(data)):
        organisation = _organisation(session, tenant, data.get(slot.organisation_field), slot, errors)
        contributions = _contributions(data, slot, errors)
        if organisation is not None and organisation.id in seen:
            errors[slot.organisation_field] = "Organisationen är redan part i partnerskapet. Välj en annan."
        if organisation is not None:
            seen.add(organisation.id)
        elif contributions and slot.number > 1:
            errors[slot.organisation_field] = "Välj vilken organisation som bidrar med detta."
        if organisation is not None or contributions:
            ideburna.append((organisation, contributions))
    # An initiative may come in before it is known who the idéburen party is.
    values["ideburna"] = ideburna or [(None, {})]
    if errors:
        raise ValidationError(errors)
    return values


def _organisation(session: Session, tenant: Tenant, raw: str | None, slot: PartySlot,
                  errors: dict[str, str]) -> Organisation | None:
    raw = clean_text(raw)
    if not raw:
        return None
    organisation_id = parse_int(raw, lowest=1)
    organisation = get_organisation(session, tenant, organisation_id) if organisation_id else None
    if organisation is None:
        errors[slot.organisation_field] = "Välj en organisation ur ert register."
    return organisation


def _contributions(data: dict[str, str], slot: PartySlot, errors: dict[str, str]) -> dict[str, tuple[Decimal | None, str]]:
    found: dict[str, tuple[Decimal | None, str]] = {}
    for kind in CONTRIBUTION_KINDS:
        name = f"{slot.prefix}_{kind}"
        amount = _parse_amount(data.get(f"{name}_amount"), f"{name}_amount", errors) if kind in COUNTED else None
        text = clean_text(data.get(f"{name}_text"))
        if message := too_long(text, MAX_TEXT):
            errors[f"{name}_text"] = message
        if amount is not None or text:
            found[kind] = (amount, text)
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


def _apply(p: Partnership, tenant: Tenant, values: dict[str, Any]) -> None:
    for f in (*TEXT_FIELDS, "period_start", "period_end", "initiated_on"):
        setattr(p, f, values[f])
    # Always touch the row, so an edit of contributions alone also bumps the
    # version that guards against concurrent edits.
    p.updated_at = utcnow()
    public = next((party for party in p.parties if party.role == "offentlig"), None)
    if public is None:
        public = Party(tenant_id=tenant.id, role="offentlig", contributions=[])
        p.parties.append(public)
    _set_contributions(public, tenant, values["offentlig"])
    # The idéburna parties in the order of the form. A party whose organisation
    # stays keeps its row; one no longer in the form is removed.
    existing = {party.organisation_id: party for party in p.parties if party.role == "ideburen"}
    for organisation, contributions in values["ideburna"]:
        party = existing.pop(organisation.id if organisation else None, None)
        if party is None:
            party = Party(tenant_id=tenant.id, role="ideburen", organisation=organisation, contributions=[])
            p.parties.append(party)
        _set_contributions(party, tenant, contributions)
    for party in existing.values():
        p.parties.remove(party)


def _set_contributions(party: Party, tenant: Tenant, contributions: dict[str, tuple[Decimal | None, str]]) -> None:
    party.contributions.clear()
    for kind, (amount, text) in contributions.items():
        party.contributions.append(Contribution(tenant_id=tenant.id, kind=kind, amount=amount, description=text))


def create_partnership(session: Session, tenant: Tenant, actor: User | None, data: dict[str, str],
                       process: ProcessDefinition | None = None) -> Partnership:
    """Registers an initiative. It starts on ``process`` (the kommun's newest
    version) and keeps that version for its whole life."""
    values = parse_form(session, tenant, data)
    p = Partnership(tenant_id=tenant.id, parties=[], status=PartnershipStatus.INITIATIV.value)
    if process is not None:
        pin(p, process)
    _apply(p, tenant, values)
    session.add(p)
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=p.id, action="create", after=snapshot(p))
    return p


def update_partnership(
    session: Session, tenant: Tenant, actor: User | None, p: Partnership, data: dict[str, str], expected_version: int
) -> Partnership:
    """Saves an edit made on version ``expected_version``. If someone saved in
    between, raises ConflictError and changes nothing."""
    if p.version != expected_version:
        raise ConflictError()
    values = parse_form(session, tenant, data)
    before = snapshot(p)
    _apply(p, tenant, values)
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError() from exc
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
