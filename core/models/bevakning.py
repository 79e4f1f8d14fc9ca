"""Bevakning: the daily reminder digest and the personal calendar feed
(core.services.bevakning)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class ReminderDigest(Base):
    """One reminder digest sent to a person on a day. The unique pair is what
    makes ``iop remind`` idempotent: a second run that day, or a second
    process running it at once, finds the row and sends nothing."""

    __tablename__ = "reminder_digest"
    __table_args__ = (UniqueConstraint("user_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    sent_on: Mapped[date] = mapped_column(Date)
    items: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarFeed(Base):
    """A person's calendar feed, at a secret address. Only the SHA-256 of the
    address's token is kept; revoking deletes the row, a new address replaces it."""

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
