from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant


class Message(TenantOwned, Base):
    """One message in a partnership's conversation between its parties. The
    author's side is the kommun's when ``organisation_id`` is empty, else the
    organisation's they wrote for."""

    __tablename__ = "partnership_message"
    __table_args__ = (same_tenant("partnership_id", "partnership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
