from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow
from core.models.organisation import Organisation
from core.tenancy import TenantOwned, same_tenant


class PartnershipStatus(str, enum.Enum):
    """Coarse life-cycle states shared by every kommun. The process engine
    refines them into each kommun's own phases and steps."""

    INITIATIV = "initiativ"
    BEREDNING = "beredning"
    BESLUT = "beslut"
    PAGAENDE = "pagaende"
    AVSLUTAD = "avslutad"
    AVBRUTEN = "avbruten"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    PartnershipStatus.INITIATIV: "Initiativ",
    PartnershipStatus.BEREDNING: "Under beredning",
    PartnershipStatus.BESLUT: "Inför beslut",
    PartnershipStatus.PAGAENDE: "Pågående",
    PartnershipStatus.AVSLUTAD: "Avslutad",
    PartnershipStatus.AVBRUTEN: "Avbruten",
}

CONTRIBUTION_KINDS = {
    "pengar": ("Pengar", "kr"),
    "lokaler": ("Lokaler", "kvm"),
    "personal": ("Personal", "timmar per år"),
    "ideella_timmar": ("Ideella timmar", "timmar per år"),
    "annat": ("Annat", ""),
}

PARTY_ROLES = {"offentlig": "Offentlig part", "ideburen": "Idéburen part"}


class Partnership(TenantOwned, Base):
    """An IOP: the central case, owned by one tenant."""

    __tablename__ = "partnership"
    # What the rows of other tables refer to, so they stay in its tenant; and
    # an index for each order the list offers, so a page of 10,000 is read
    # in order, not sorted whole (issue 8).
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index("ix_partnership_tenant_updated", "tenant_id", "updated_at", "id"),
        Index("ix_partnership_tenant_status_updated", "tenant_id", "status", "updated_at", "id"),
        Index("ix_partnership_tenant_start", "tenant_id", "period_start", "id"),
        Index("ix_partnership_tenant_end", "tenant_id", "period_end", "id"),
        Index("ix_partnership_tenant_title", "tenant_id", func.lower(text("title")), "id"),
        Index("ix_partnership_tenant_coordinator", "tenant_id", "coordinator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    samhallsutmaning: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    # When the initiative came in (JV-04 counts four weeks from it); it may
    # predate the registration.
    initiated_on: Mapped[date] = mapped_column(Date)
    # JV-13: the IOP-koordinator named for this partnership (a staff member
    # holding a coordinator role in the tenant); the coordinator role's steps
    # are theirs once named.
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    # The process this partnership runs on, kept for its whole life: a newer
    # version of the kommun's process does not move it. NULL only for
    # partnerships registered before the engine; they get the tenant's current
    # process when their first step is completed.
    process_code: Mapped[str | None] = mapped_column(String(40))
    process_version: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=PartnershipStatus.INITIATIV.value, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: a second, concurrent edit fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    parties: Mapped[list[Party]] = relationship(
        back_populates="partnership", lazy="raise", order_by="Party.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return PartnershipStatus(self.status).label


class Party(TenantOwned, Base):
    """A party to a partnership: the tenant itself, or one of its idéburna
    organisations (one or several, GEN-08). An organisation is a party only
    while it is in the tenant's register, and at most once per partnership."""

    __tablename__ = "party"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("partnership_id", "organisation_id"),
        same_tenant("partnership_id", "partnership", ondelete="CASCADE"),
        same_tenant("organisation_id", "tenant_organisation", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)

    partnership: Mapped[Partnership] = relationship(back_populates="parties", lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    contributions: Mapped[list[Contribution]] = relationship(
        back_populates="party", lazy="raise", order_by="Contribution.id", cascade="all, delete-orphan"
    )

    @property
    def role_label(self) -> str:
        return PARTY_ROLES.get(self.role, self.role)


class Contribution(TenantOwned, Base):
    """What one party brings: money, premises, staff, volunteer hours (GEN-03)."""

    __tablename__ = "contribution"
    __table_args__ = (same_tenant("party_id", "party", ondelete="CASCADE"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    description: Mapped[str] = mapped_column(Text, default="")

    party: Mapped[Party] = relationship(back_populates="contributions", lazy="raise")

    @property
    def kind_label(self) -> str:
        return CONTRIBUTION_KINDS.get(self.kind, (self.kind, ""))[0]

    @property
    def unit(self) -> str:
        return CONTRIBUTION_KINDS.get(self.kind, ("", ""))[1]
