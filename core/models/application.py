from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

DRAFT, SUBMITTED = "utkast", "inskickad"


class Application(Base):
    """An organisation's intresseanmälan to one kommun or stadsdel: the
    organisation's own; when submitted it becomes an initiative in that
    tenant's process (``partnership_id``) and is kept as sent."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The kommun or stadsdel it is addressed to. Not the row's owner: an
    # application is the organisation's (core.tenancy's tenant_id means owner).
    addressed_to_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    title: Mapped[str] = mapped_column(String(300), default="")
    samhallsutmaning: Mapped[str] = mapped_column(Text, default="")
    lokalt_perspektiv: Mapped[str] = mapped_column(Text, default="")
    ide: Mapped[str] = mapped_column(Text, default="")
    malgrupp: Mapped[str] = mapped_column(Text, default="")
    bidrag: Mapped[str] = mapped_column(Text, default="")
    onskemal: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date | None] = mapped_column(Date, default=None)
    period_end: Mapped[date | None] = mapped_column(Date, default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    # The initiative it became in that tenant. No foreign key: a tenant's row
    # is referred to together with its tenant (core.tenancy.same_tenant), and
    # this row is not the tenant's.
    partnership_id: Mapped[int | None] = mapped_column(default=None)
    # The answers to the questions the receiving kommun's process adds
    # (ProcessDefinition.application_fields), by the field's key.
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class ApplicationDocument(Base):
    """A document from the organisation's library attached to an application,
    as the document the process asks for of ``kind``."""

    __tablename__ = "application_document"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("organisation_document.id"))
    kind: Mapped[str] = mapped_column(String(60))
