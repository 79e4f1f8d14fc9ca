from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant

LEGAL_FORMS = {
    "ideell_forening": "Ideell förening",
    "stiftelse": "Stiftelse",
    "trossamfund": "Registrerat trossamfund",
    "ekonomisk_forening": "Ekonomisk förening (allmännyttig)",
    "aktiebolag_svb": "Aktiebolag med särskild vinstutdelningsbegränsning",
    "annan": "Annan idéburen form",
}


class Organisation(Base):
    """The idéburen part, a party of its own. What is the organisation's (its
    name, organisationsnummer, legal form and address) is shared: one
    organisation may partner with several kommuner. What a tenant records about
    it (contact persons, notes) is that tenant's (TenantOrganisation,
    ContactPerson). A tenant sees an organisation only through its register."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    organisationsnummer: Mapped[str] = mapped_column(String(11), unique=True)
    legal_form: Mapped[str] = mapped_column(String(40))
    street_address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def legal_form_label(self) -> str:
        return LEGAL_FORMS.get(self.legal_form, self.legal_form)


CONTACT, SIGNATORY = "kontaktperson", "firmatecknare"
CAPACITIES = {
    CONTACT: "Kontaktperson",
    SIGNATORY: "Firmatecknare eller ordförande",
}


class Representative(Base):
    """A user who acts for an organisation in the portal, in a capacity:
    contact person, or authorised signatory / chair, who alone may sign and
    take the organisation's positions (JV-10, JV-18). Until ``approved_at``
    the claim gives no access at all: someone who claims an organisation that
    already exists in the platform waits for one of its representatives, or
    staff of a tenant where it is a party, to approve. A user represents one
    organisation; ``User.organisation_id`` is set while the claim is approved."""

    __tablename__ = "representative"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), unique=True)
    capacity: Mapped[str] = mapped_column(String(20), default=CONTACT)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def capacity_label(self) -> str:
        return CAPACITIES.get(self.capacity, self.capacity)

    @property
    def is_signatory(self) -> bool:
        return self.capacity == SIGNATORY and self.approved_at is not None


class TenantOrganisation(TenantOwned, Base):
    """An organisation in one tenant's register, with what the tenant notes about it."""

    __tablename__ = "tenant_organisation"
    __table_args__ = (UniqueConstraint("tenant_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="raise")


class ContactPerson(TenantOwned, Base):
    """Someone at an organisation whom one tenant deals with. The tenant's own
    record: another tenant working with the same organisation never sees it."""

    __tablename__ = "contact_person"
    __table_args__ = (same_tenant("organisation_id", "tenant_organisation", "organisation_id", ondelete="CASCADE"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    role: Mapped[str] = mapped_column(String(100), default="")
