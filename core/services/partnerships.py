"""Partnerships: the tenant's cases. Every query here is scoped to one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from math import ceil
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from core import clock
from core.db import utcnow
from core.models import Contribution, Organisation, Partnership, PartnershipStatus, Party, Tenant, User
from core.models.partnership import CONTRIBUTION_KINDS
from core.services import ConflictError, ValidationError, audit
from core.process import ProcessDefinition
from core.services.casework import pin
from core.services.organisations import get_organisation

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
    if query.strip():
        like = f"%{query.strip().lower()}%"
        org_match = (
            select(Party.partnership_id)
            .join(Organisation, Organisation.id == Party.organisation_id)
            .where(Party.tenant_id == tenant.id, func.lower(Organisation.name).like(like))
        )
        where.append(
            or_(
                func.lower(Partnership.title).like(like),
                func.lower(Partnership.samhallsutmaning).like(like),
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


def get_partnership(session: Session, tenant: Tenant, partnership_id: int) -> Partnership | None:
    return session.scalar(
        select(Partnership).where(Partnership.id == partnership_id, Partnership.tenant_id == tenant.id).options(*eager_parties())
    )


def _parse_date(value: str | None, field: str, label: str, errors: dict[str, str]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = f"Skriv {label} som ÅÅÅÅ-MM-DD, till exempel 2027-01-01."
        return None


def _parse_amount(value: str | None, field: str, errors: dict[str, str]) -> Decimal | None:
    value = (value or "").strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        errors[field] = "Skriv ett tal, till exempel 150 000."
        return None
    if amount < 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e12"):
        errors[field] = "Skriv ett positivt tal med högst två decimaler."
        return None
    return amount


def parse_form(session: Session, tenant: Tenant, data: dict[str, str]) -> dict[str, Any]:
    """Checks a create or edit form. Returns clean values or raises
    ValidationError with a Swedish message per field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {f: (data.get(f) or "").strip() for f in TEXT_FIELDS}
    if not values["title"]:
        errors["title"] = "Skriv en titel för partnerskapet."
    elif len(values["title"]) > 300:
        errors["title"] = "Titeln får vara högst 300 tecken."
    values["period_start"] = _parse_date(data.get("period_start"), "period_start", "startdatum", errors)
    values["period_end"] = _parse_date(data.get("period_end"), "period_end", "slutdatum", errors)
    if values["period_start"] and values["period_end"] and values["period_end"] <= values["period_start"]:
        errors["period_end"] = "Slutdatum måste komma efter startdatum."
    # A caller that does not send the date at all (the API, a script) means
    # "today"; the form always sends it, so a cleared field is an error.
    initiated_on = (data.get("initiated_on", clock.today().isoformat()) or "").strip()
    if not initiated_on:
        errors["initiated_on"] = "Skriv vilket datum initiativet kom in."
    values["initiated_on"] = _parse_date(initiated_on, "initiated_on", "datumet", errors)
    if values["initiated_on"] and values["initiated_on"] > clock.today():
        errors["initiated_on"] = "Datumet då initiativet kom in kan inte ligga i framtiden."
    org_id = (data.get("organisation_id") or "").strip()
    values["organisation"] = None
    if org_id:
        organisation = get_organisation(session, tenant, int(org_id)) if org_id.isdigit() else None
        if organisation is None:
            errors["organisation_id"] = "Välj en organisation ur ert register."
        values["organisation"] = organisation
    contributions: dict[str, dict[str, tuple[Decimal | None, str]]] = {}
    for role in ("offentlig", "ideburen"):
        contributions[role] = {}
        for kind in CONTRIBUTION_KINDS:
            amount = _parse_amount(data.get(f"{role}_{kind}_amount"), f"{role}_{kind}_amount", errors) if kind in COUNTED else None
            text = (data.get(f"{role}_{kind}_text") or "").strip()
            if amount is not None or text:
                contributions[role][kind] = (amount, text)
    values["contributions"] = contributions
    if errors:
        raise ValidationError(errors)
    return values


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
    parties = {party.role: party for party in p.parties}
    for role in ("offentlig", "ideburen"):
        party = parties.get(role)
        if party is None:
            party = Party(tenant_id=tenant.id, role=role, contributions=[])
            p.parties.append(party)
        if role == "ideburen":
            party.organisation = values["organisation"]
        party.contributions.clear()
        for kind, (amount, text) in values["contributions"][role].items():
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
    for party in p.parties:
        if party.role == "ideburen" and party.organisation_id:
            data["organisation_id"] = str(party.organisation_id)
        for c in party.contributions:
            if c.amount is not None:
                data[f"{party.role}_{c.kind}_amount"] = format(c.amount.normalize(), "f")
            if c.description:
                data[f"{party.role}_{c.kind}_text"] = c.description
    return data
