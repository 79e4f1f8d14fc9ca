from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow

LEGAL_FORMS = {
    "ideell_forening": "Ideell förening",
    "stiftelse": "Stiftelse",
    "trossamfund": "Registrerat trossamfund",
    "ekonomisk_forening": "Ekonomisk förening (allmännyttig)",
    "aktiebolag_svb": "Aktiebolag med särskild vinstutdelningsbegränsning",
    "annan": "Annan idéburen form",
}


class Organisation(Base):
    """The idéburen part. Shared across tenants: one organisation may partner with
    several kommuner, so it is not tenant-owned. A tenant sees an organisation only
    through a TenantOrganisation link (its own register)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    organisationsnummer: Mapped[str] = mapped_column(String(11), unique=True)
    legal_form: Mapped[str] = mapped_column(String(40))
    street_address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contacts: Mapped[list[ContactPerson]] = relationship(
        back_populates="organisation", lazy="raise", order_by="ContactPerson.id"
    )

    @property
    def legal_form_label(self) -> str:
        return LEGAL_FORMS.get(self.legal_form, self.legal_form)


class ContactPerson(Base):
    __tablename__ = "contact_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    role: Mapped[str] = mapped_column(String(100), default="")

    organisation: Mapped[Organisation] = relationship(back_populates="contacts", lazy="raise")


class TenantOrganisation(Base):
    """An organisation in one tenant's register."""

    __tablename__ = "tenant_organisation"
    __table_args__ = (UniqueConstraint("tenant_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="raise")
