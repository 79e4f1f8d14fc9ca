"""The diarium: each partnership is a matter (ärende) with a diarienummer, and
every document received or drawn up in it is registered with the fields of
offentlighets- och sekretesslagen 5 kap. 2 § (core.services.diarium)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant

RECEIVED = "inkommen"
DRAWN_UP = "upprattad"
DIRECTIONS = {RECEIVED: "Inkommen", DRAWN_UP: "Upprättad"}

# The grounds for secrecy a partnership's documents most often have; the
# marking names the paragraph (offentlighets- och sekretesslagen, OSL).
SECRECY_GROUNDS = {
    "": "Ingen sekretess",
    "OSL 19 kap. 3 §": "OSL 19 kap. 3 § (myndighetens ekonomiska intressen)",
    "OSL 21 kap. 1 §": "OSL 21 kap. 1 § (uppgifter om hälsa och sexualliv)",
    "OSL 26 kap. 1 §": "OSL 26 kap. 1 § (socialtjänst)",
    "OSL 31 kap. 16 §": "OSL 31 kap. 16 § (enskildas affärs- och driftförhållanden)",
    "OSL 39 kap. 3 §": "OSL 39 kap. 3 § (personalärenden)",
}


class RegistrySeries(TenantOwned, Base):
    """A tenant's series of diarienummer for one year: the last serial given.
    Taken by one UPDATE that locks the row until the transaction ends, so two
    registrations never get the same number and one that is rolled back
    leaves no gap."""

    __tablename__ = "registry_series"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class Matter(TenantOwned, Base):
    """A partnership as a matter of its kommun's diarium. ``number`` is written
    in the kommun's format when the matter is opened and never changes."""

    __tablename__ = "matter"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "partnership_id", name="uq_matter_tenant_id_partnership_id"),
        UniqueConstraint("tenant_id", "year", "serial", name="uq_matter_tenant_id_year_serial"),
        UniqueConstraint("tenant_id", "number", name="uq_matter_tenant_id_number"),
        same_tenant("partnership_id", "partnership"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60))
    # The last entry number given within the matter (taken like the series').
    last_entry: Mapped[int] = mapped_column(Integer, default=0)
    opened_on: Mapped[date] = mapped_column(Date)


class RegistryEntry(TenantOwned, Base):
    """A registered document (allmän handling) of a matter. Append-only: a
    correction is a new entry that names the one it corrects (``corrects_id``).

    What the law asks of a registration: the date it was received or drawn
    up (``dated``), the diarienummer (the matter's, with ``entry_no``), the
    sender or recipient (``counterparty``) and a short description of what it
    concerns. ``secrecy`` is the paragraph of offentlighets- och
    sekretesslagen when one applies; the public list then leaves out the
    description and the counterparty."""

    __tablename__ = "registry_entry"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("matter_id", "entry_no", name="uq_registry_entry_matter_id"),
        same_tenant("matter_id", "matter"),
        same_tenant("document_id", "document"),
        same_tenant("corrects_id", "registry_entry"),
        same_tenant("decision_id", "decision"),
        same_tenant("meeting_id", "meeting"),
        Index("ix_registry_entry_tenant_registered", "tenant_id", "registered_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(Integer, index=True)
    entry_no: Mapped[int] = mapped_column(Integer)
    dated: Mapped[date] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(String(12))
    counterparty: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text)
    secrecy: Mapped[str] = mapped_column(String(120), default="")
    # What was registered: a document, a decision or the minutes of a meeting.
    document_id: Mapped[int | None] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    meeting_id: Mapped[int | None] = mapped_column(Integer)
    corrects_id: Mapped[int | None] = mapped_column(Integer)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def direction_label(self) -> str:
        return DIRECTIONS.get(self.direction, self.direction)
