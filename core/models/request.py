from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant

OPEN, ANSWERED, WITHDRAWN = "oppen", "besvarad", "aterkallad"
REQUEST_STATUSES = {OPEN: "Väntar på svar", ANSWERED: "Besvarad", WITHDRAWN: "Återkallad"}


class DocumentRequest(TenantOwned, Base):
    """Staff ask one idéburen party of a partnership for a document or a
    report of a kind the process knows, by a date. The organisation answers in
    the portal with a file; the file becomes the partnership's document of
    that kind, so the step that needs it sees it at once."""

    __tablename__ = "document_request"
    __table_args__ = (
        same_tenant("partnership_id", "partnership"),
        same_tenant("document_id", "document"),
        Index("ix_document_request_organisation_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    answered_at: Mapped[datetime | None] = mapped_column()
    document_id: Mapped[int | None] = mapped_column()
    # For a kind the organisation gives by filling in a form
    # (ProcessDefinition.organisation_form): its answers so far.
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
