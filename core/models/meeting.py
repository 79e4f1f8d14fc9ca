from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant


PLANNED, HELD, CANCELLED = "planned", "held", "cancelled"
MEETING_STATUSES = {PLANNED: "Planerat", HELD: "Hållet", CANCELLED: "Inställt"}


class Meeting(TenantOwned, Base):
    """A meeting of a partnership (first meeting, idea meeting, steering or
    working group), with who took part and what was said (JV-15).

    A meeting is planned, held or cancelled. One registered with a date that
    has come is held; one dated ahead is planned until someone marks it held
    (with who came and what was said) or cancels it (with why). Only held
    meetings count towards the rules: a planned meeting whose day has passed
    has not been shown to have happened."""

    __tablename__ = "meeting"
    __table_args__ = (same_tenant("partnership_id", "partnership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(60))
    held_on: Mapped[date] = mapped_column(Date)
    # When and where, for the calendar; both optional.
    starts_at: Mapped[time | None] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default=HELD, server_default=HELD)
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    participants: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# What the diarium's entries refer to, so that they stay in the meeting's tenant.
Index("uq_meeting_tenant_id", Meeting.tenant_id, Meeting.id, unique=True)
