from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant


class Meeting(TenantOwned, Base):
    """A meeting of a partnership (first meeting, idea meeting, steering or
    working group), with who took part and what was said (JV-15). A meeting
    dated in the future is planned; only held meetings count towards the rules."""

    __tablename__ = "meeting"
    __table_args__ = (same_tenant("partnership_id", "partnership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(60))
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# What the diarium's entries refer to, so that they stay in the meeting's tenant.
Index("uq_meeting_tenant_id", Meeting.tenant_id, Meeting.id, unique=True)
