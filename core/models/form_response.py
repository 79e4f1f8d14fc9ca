from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant


class FormResponse(TenantOwned, Base):
    """The answers to one of the process's forms for one partnership, as
    strings keyed by field (core.forms). Saving may leave questions unanswered;
    the form counts as filled in only when every required answer is there."""

    __tablename__ = "form_response"
    __table_args__ = (UniqueConstraint("partnership_id", "form_key"), same_tenant("partnership_id", "partnership"))

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    form_key: Mapped[str] = mapped_column(String(60))
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: two people saving one form at once never lose an answer silently.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
