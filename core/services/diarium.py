"""The diarium (GEN-05, JV-06, JV-07, JV-15, HV-06; offentlighets- och
sekretesslagen 5 kap.).

- Each partnership is a matter with a diarienummer in its kommun's format
  (the plugin's ``RegistrationNumberFormat``), taken from the tenant's series
  for the year: no gaps and no duplicates, also when many register at once
  (``next_serial`` locks the series row until the transaction ends).
- What must be registered is registered when it happens, in the same
  transaction: ``install`` puts listeners on a sessionmaker that open a
  matter for every new partnership and register every document stored on a
  partnership, every decision and the minutes of every meeting. No service has
  to remember it, so no path of the application can skip it.
- Entries are never changed or removed (the database refuses it,
  core.rls.APPEND_ONLY); ``correct`` adds an entry that names the one it
  corrects.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from core import clock, search
from core.models import Decision, Document, Meeting, Organisation, Partnership, Representative, Tenant, User
from core.models.diarium import DIRECTIONS, DRAWN_UP, RECEIVED, SECRECY_GROUNDS, Matter, RegistryEntry, RegistrySeries
from core.plugin_api import RegistrationNumberFormat
from core.registry import Registry
from core.services import ValidationError, audit
from core.services.casework import process_of
from core.tenancy import Scope, within
from core.values import clean_text, too_long

NOTED_KEY = "iop.diarium.noted"
PAGE_SIZE = 50


# ---------------------------------------------------------------- numbers


def next_serial(session: Session, tenant_id: int, year: int) -> int:
    """The next number of the tenant's series for ``year``. The series row
    stays locked until the transaction ends: a concurrent registration waits,
    and one rolled back gives its number back."""
    dialect = session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (make_insert(RegistrySeries).values(tenant_id=tenant_id, year=year, last_serial=1)
                 .on_conflict_do_update(index_elements=["tenant_id", "year"],
                                        set_={"last_serial": RegistrySeries.last_serial + 1})
                 .returning(RegistrySeries.last_serial))
    return session.execute(statement).scalar_one()


def _reserve_entry_numbers(session: Session, matter_id: int, count: int) -> int:
    """The first of ``count`` consecutive entry numbers of the matter; its row
    stays locked until the transaction ends, as the series' does."""
    last = session.execute(update(Matter).where(Matter.id == matter_id)
                           .values(last_entry=Matter.last_entry + count).returning(Matter.last_entry)
                           .execution_options(synchronize_session=False)).scalar_one()
    return last - count + 1


def matter_of(session: Session, tenant_id: int, partnership_id: int) -> Matter | None:
    return session.scalar(select(Matter).where(Matter.tenant_id == tenant_id,
                                               Matter.partnership_id == partnership_id))


def open_matter(session: Session, tenant: Tenant, fmt: RegistrationNumberFormat, partnership_id: int,
                today: date) -> Matter:
    """A new matter for the partnership, with the next diarienummer of the
    tenant's series, written in the kommun's format ``fmt``."""
    serial = next_serial(session, tenant.id, today.year)
    matter = Matter(tenant_id=tenant.id, partnership_id=partnership_id, year=today.year, serial=serial,
                    number=fmt.format(year=today.year, serial=serial), last_entry=0, opened_on=today)
    session.add(matter)
    session.flush()
    return matter


def register(session: Session, matter: Matter, **fields) -> RegistryEntry:
    """One entry in ``matter`` (``_entry`` names the fields)."""
    return _add_entries(session, [(matter, _entry(**fields))])[0]


def _entry(*, dated: date, direction: str, description: str, counterparty: str = "", secrecy: str = "",
           actor_id: int | None = None, document_id: int | None = None, decision_id: int | None = None,
           meeting_id: int | None = None, corrects_id: int | None = None) -> dict:
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}")
    return {"dated": dated, "direction": direction, "counterparty": counterparty[:300], "description": description,
            "secrecy": secrecy, "document_id": document_id, "decision_id": decision_id, "meeting_id": meeting_id,
            "corrects_id": corrects_id, "registered_by_id": actor_id}


def _add_entries(session: Session, entries: list[tuple[Matter, dict]]) -> list[RegistryEntry]:
    """The entries, numbered in the order given within each matter. Each
    matter's numbers are reserved with one statement, matters in the order of
    their ids, so two transactions never wait for each other crosswise."""
    wanted = Counter(matter.id for matter, _ in entries)
    next_no = {matter_id: _reserve_entry_numbers(session, matter_id, wanted[matter_id]) for matter_id in sorted(wanted)}
    added = []
    for matter, fields in entries:
        entry = RegistryEntry(tenant_id=matter.tenant_id, matter_id=matter.id, entry_no=next_no[matter.id], **fields)
        next_no[matter.id] += 1
        session.add(entry)
        added.append(entry)
    session.flush()
    return added


# ---------------------------------------------------------------- what is registered


def _senders(session: Session, user_ids: set[int]) -> dict[int, str]:
    """The organisation each uploader represents, for the documents that came
    from an organisation."""
    if not user_ids:
        return {}
    return dict(session.execute(select(Representative.user_id, Organisation.name)
                                .join(Organisation, Representative.organisation_id == Organisation.id)
                                .where(Representative.user_id.in_(user_ids), Representative.approved_at.is_not(None))
                                .order_by(Representative.id.desc())).all())


def _document_entry(process, doc: Document, senders: dict[int, str]) -> dict:
    kind = process.document_kind(doc.kind) if process else None
    sender = senders.get(doc.uploaded_by_id)
    what = f"{kind.title}: {doc.title}" if kind and kind.title != doc.title else doc.title
    return _entry(dated=clock.today(), direction=RECEIVED if sender else DRAWN_UP, counterparty=sender or "",
                  description=what, secrecy=doc.secrecy, actor_id=doc.uploaded_by_id, document_id=doc.id)


def _decision_entry(process, d: Decision) -> dict:
    step = process.step(d.step_key) if process else None
    outcome = next((o for o in step.outcomes if o.key == d.outcome_key), None) if step else None
    what = f"Beslut av {d.role_title.lower()}: {step.title if step else d.step_key}"
    if outcome is not None:
        what += f" ({outcome.title.lower()})"
    if d.period:
        what += f", {d.period}"
    return _entry(dated=clock.today(), direction=DRAWN_UP, description=what, actor_id=d.actor_id, decision_id=d.id)


def _minutes_entry(process, m: Meeting) -> dict:
    rule = process.meeting_rule(m.kind) if process else None
    what = f"Minnesanteckningar: {rule.title if rule else 'möte'} den {m.held_on.isoformat()}"
    return _entry(dated=m.held_on, direction=DRAWN_UP, description=what, actor_id=m.created_by_id, meeting_id=m.id)


def _partnership_id(obj) -> int | None:
    return obj.id if isinstance(obj, Partnership) else getattr(obj, "partnership_id", None)


def _registers(obj) -> bool:
    if isinstance(obj, Partnership):
        return True
    if isinstance(obj, Meeting):
        return bool(obj.minutes.strip())
    return isinstance(obj, (Document, Decision)) and obj.partnership_id is not None


def _gets_minutes(obj) -> bool:
    """A meeting marked held (or changed) gets its first minutes: they are
    registered then, once; later changes are corrections of that entry."""
    if not isinstance(obj, Meeting) or not obj.minutes.strip():
        return False
    history = inspect(obj).attrs.minutes.history
    return bool(history.added) and not any((old or "").strip() for old in history.deleted)


def register_noted(session: Session, registry: Registry, noted: list) -> None:
    """Opens the matters and registers the entries for what a transaction
    added, in its tenant's scope (an organisation's representative adds
    documents, but registering them is the kommun's)."""
    from core.services.tenants import kommun_for

    today = clock.today()
    by_tenant: dict[int, list] = {}
    for obj in noted:
        by_tenant.setdefault(obj.tenant_id, []).append(obj)
    for tenant_id, objects in by_tenant.items():
        with within(session, Scope.of_tenant(tenant_id)):
            tenant = session.get(Tenant, tenant_id)
            kommun = kommun_for(session, registry, tenant)
            ids = {_partnership_id(o) for o in objects}
            partnerships = {p.id: p for p in session.scalars(select(Partnership).where(
                Partnership.tenant_id == tenant_id, Partnership.id.in_(ids)))}
            # Their matters, read once; a partnership from before the diarium
            # (or a new one) gets its matter on its first registration.
            matters = {m.partnership_id: m for m in session.scalars(select(Matter).where(
                Matter.tenant_id == tenant_id, Matter.partnership_id.in_(ids)))}
            senders = _senders(session, {o.uploaded_by_id for o in objects
                                         if isinstance(o, Document) and o.uploaded_by_id is not None})
            entries: list[tuple[Matter, dict]] = []
            for obj in objects:
                p = partnerships.get(_partnership_id(obj))
                if p is None:
                    continue
                if p.id not in matters:
                    matters[p.id] = open_matter(session, tenant, kommun.profile.registration_number, p.id, today)
                process = process_of(registry, kommun, p)
                if isinstance(obj, Document):
                    entries.append((matters[p.id], _document_entry(process, obj, senders)))
                elif isinstance(obj, Decision):
                    entries.append((matters[p.id], _decision_entry(process, obj)))
                elif isinstance(obj, Meeting):
                    entries.append((matters[p.id], _minutes_entry(process, obj)))
            if entries:
                _add_entries(session, entries)


def install(factory: sessionmaker, registry: Registry) -> None:
    """Registers what every session of ``factory`` adds, before it commits."""
    from sqlalchemy import event

    def note(session: Session, _flush_context) -> None:
        noted = session.info.setdefault(NOTED_KEY, [])
        noted.extend(obj for obj in session.new if _registers(obj))
        noted.extend(obj for obj in session.dirty if _gets_minutes(obj))

    def before_commit(session: Session) -> None:
        session.flush()
        noted = session.info.pop(NOTED_KEY, [])
        if noted:
            register_noted(session, registry, noted)
            session.flush()
            session.info.pop(NOTED_KEY, None)

    event.listen(factory, "after_flush", note)
    event.listen(factory, "before_commit", before_commit)
    event.listen(factory, "after_rollback", lambda session: session.info.pop(NOTED_KEY, None))


# ---------------------------------------------------------------- corrections


@dataclass(frozen=True)
class CorrectionInput:
    description: str
    counterparty: str
    secrecy: str
    reason: str

    @classmethod
    def from_form(cls, data: dict[str, str]) -> CorrectionInput:
        errors: dict[str, str] = {}
        description = clean_text(data.get("description", ""))
        counterparty = clean_text(data.get("counterparty", ""))
        reason = clean_text(data.get("reason", ""))
        secrecy = data.get("secrecy", "")
        if not description:
            errors["description"] = "Skriv vad handlingen gäller."
        elif message := too_long(description, 1000):
            errors["description"] = message
        if message := too_long(counterparty, 300):
            errors["counterparty"] = message
        if secrecy not in SECRECY_GROUNDS:
            errors["secrecy"] = "Välj en sekretessgrund i listan."
        if not reason:
            errors["reason"] = "Skriv varför uppgifterna rättas."
        elif message := too_long(reason, 1000):
            errors["reason"] = message
        if errors:
            raise ValidationError(errors)
        return cls(description, counterparty, secrecy, reason)


def correct(session: Session, tenant: Tenant, actor: User, entry: RegistryEntry,
            values: CorrectionInput) -> RegistryEntry:
    """A new entry in the same matter that corrects ``entry``'s fields; the
    old entry stays as it was."""
    matter = session.get(Matter, entry.matter_id)
    new = register(session, matter, dated=entry.dated, direction=entry.direction,
                   counterparty=values.counterparty, secrecy=values.secrecy,
                   description=f"Rättelse av nr {entry.entry_no}: {values.description} (skäl: {values.reason})",
                   actor_id=actor.id, document_id=entry.document_id, decision_id=entry.decision_id,
                   meeting_id=entry.meeting_id, corrects_id=entry.id)
    audit.record(session, actor=actor, tenant=tenant, object_type="registry_entry", object_id=new.id,
                 action="correct", before={"entry": entry.id}, after={"reason": values.reason})
    return new


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Filters:
    q: str = ""
    year: int | None = None
    direction: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1
    # The public list: the search reads no description or counterparty that secrecy covers.
    public: bool = False


@dataclass(frozen=True)
class Row:
    entry: RegistryEntry
    number: str
    partnership_id: int
    partnership_title: str
    corrected_by: int | None
    corrects: int | None

    @property
    def full_number(self) -> str:
        return f"{self.number}-{self.entry.entry_no}"


def _filtered(tenant: Tenant, filters: Filters) -> Select:
    query = (select(RegistryEntry, Matter.number, Matter.partnership_id, Partnership.title)
             .join(Matter, (Matter.id == RegistryEntry.matter_id) & (Matter.tenant_id == RegistryEntry.tenant_id))
             .join(Partnership, (Partnership.id == Matter.partnership_id) & (Partnership.tenant_id == Matter.tenant_id))
             .where(RegistryEntry.tenant_id == tenant.id))
    if filters.year is not None:
        query = query.where(Matter.year == filters.year)
    if filters.direction in DIRECTIONS:
        query = query.where(RegistryEntry.direction == filters.direction)
    if filters.since is not None:
        query = query.where(RegistryEntry.dated >= filters.since)
    if filters.until is not None:
        query = query.where(RegistryEntry.dated <= filters.until)
    like = search.pattern(filters.q) if filters.q else None
    if like is not None:
        # Folded on both databases (core.search), so "över" finds "Överenskommelse" and "jär" finds "JÄR".
        in_text = search.contains(RegistryEntry.description, like) | search.contains(RegistryEntry.counterparty, like)
        if filters.public:
            in_text = in_text & (RegistryEntry.secrecy == "")
        query = query.where(in_text | search.contains(Matter.number, like))
    return query


def _rows(session: Session, query: Select) -> list[Row]:
    found = session.execute(query).all()
    ids = [entry.id for entry, *_ in found]
    corrected = dict(session.execute(select(RegistryEntry.corrects_id, func.max(RegistryEntry.entry_no))
                                     .where(RegistryEntry.corrects_id.in_(ids))
                                     .group_by(RegistryEntry.corrects_id)).all()) if ids else {}
    old = {e.corrects_id for e, *_ in found if e.corrects_id}
    corrects = dict(session.execute(select(RegistryEntry.id, RegistryEntry.entry_no)
                                    .where(RegistryEntry.id.in_(old))).all()) if old else {}
    return [Row(entry, number, pid, title, corrected.get(entry.id), corrects.get(entry.corrects_id))
            for entry, number, pid, title in found]


def entries(session: Session, tenant: Tenant, filters: Filters) -> tuple[list[Row], int]:
    """A page of the tenant's entries, newest first, and how many match."""
    query = _filtered(tenant, filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = (query.order_by(RegistryEntry.registered_at.desc(), RegistryEntry.id.desc())
            .limit(PAGE_SIZE).offset((max(filters.page, 1) - 1) * PAGE_SIZE))
    return _rows(session, page), total


def for_partnership(session: Session, tenant: Tenant, partnership_id: int) -> list[Row]:
    query = _filtered(tenant, Filters()).where(Matter.partnership_id == partnership_id)
    return _rows(session, query.order_by(RegistryEntry.entry_no))


def row_of(session: Session, tenant: Tenant, entry: RegistryEntry) -> Row:
    """One entry with its matter's number and title."""
    return _rows(session, _filtered(tenant, Filters()).where(RegistryEntry.id == entry.id))[0]


def get_entry(session: Session, tenant: Tenant, entry_id: int) -> RegistryEntry | None:
    return session.scalar(select(RegistryEntry).where(RegistryEntry.tenant_id == tenant.id,
                                                      RegistryEntry.id == entry_id))


CSV_COLUMNS = ("Diarienummer", "Ärende", "Datum", "Inkommen/upprättad", "Avsändare/mottagare", "Gäller",
               "Sekretess", "Rättar nr", "Registrerad")


def as_csv(session: Session, tenant: Tenant, filters: Filters) -> str:
    """Every matching entry (not a page) as CSV, with semicolons as a
    Swedish spreadsheet expects them."""
    query = _filtered(tenant, filters).order_by(RegistryEntry.registered_at, RegistryEntry.id)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for row in _rows(session, query):
        e = row.entry
        writer.writerow([row.full_number, row.partnership_title, e.dated.isoformat(), e.direction_label,
                         e.counterparty, e.description, e.secrecy, row.corrects or "",
                         e.registered_at.strftime("%Y-%m-%d %H:%M")])
    return out.getvalue()
