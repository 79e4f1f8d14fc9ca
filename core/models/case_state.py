"""Where each partnership stands, kept as data: its current and upcoming steps,
who owns them and when they are due. The engine (core.engine) decides it;
core.services.case_state stores it in the same transaction as every change
that can move it, and refreshes it when time alone moves it. Pages that show
"what waits" read these rows, never the engine, so they cost the same for ten
partnerships or ten thousand.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.tenancy import TenantOwned, same_tenant


class CaseState(TenantOwned, Base):
    """One row per partnership."""

    __tablename__ = "case_state"
    __table_args__ = (same_tenant("partnership_id", "partnership", ondelete="CASCADE"),)

    partnership_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # The phase the case is in, and the titles of its current steps ("; ").
    phase: Mapped[str] = mapped_column(String(200), default="")
    current_steps: Mapped[str] = mapped_column(Text, default="")
    # The earliest deadline among its open tasks, and that task's title.
    next_due: Mapped[date | None] = mapped_column(Date)
    next_title: Mapped[str] = mapped_column(String(300), default="")
    # The first day on which the passing of time alone can change what is
    # stored (a window opens, a planned meeting's day comes, a year ends);
    # the daily refresh recomputes the rows whose day has come.
    changes_on: Mapped[date | None] = mapped_column(Date, index=True)
    computed_on: Mapped[date] = mapped_column(Date)
    # False when the process the partnership was pinned to is not installed.
    process_known: Mapped[bool] = mapped_column(default=True)


class CaseTask(TenantOwned, Base):
    """An open step of a partnership, or a yearly meeting minimum not yet met
    (JV-12), with its window. Whether it is overdue or due soon is read
    against the day it is shown."""

    __tablename__ = "case_task"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        same_tenant("partnership_id", "partnership", ondelete="CASCADE"),
        Index("ix_case_task_tenant_due", "tenant_id", "due", "partnership_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    # The step's place in the process; obligations come after every step.
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # "step" or "obligation"
    key: Mapped[str] = mapped_column(String(80))  # step key, or the meeting kind
    period: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(String(300), default="")
    # "current" or "upcoming" (core.engine.StepProgress.state).
    state: Mapped[str] = mapped_column(String(20))
    opens: Mapped[date | None] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date)
    # The owner roles' titles as the roles table names them ("; ").
    owner_titles: Mapped[str] = mapped_column(Text, default="")


class CaseTaskRole(TenantOwned, Base):
    """One owner role of a task, so "what waits for my roles" is an index range."""

    __tablename__ = "case_task_role"
    __table_args__ = (
        same_tenant("task_id", "case_task", ondelete="CASCADE"),
        Index("ix_case_task_role_tenant_role_due", "tenant_id", "role", "due"),
    )

    task_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(60), primary_key=True)
    due: Mapped[date | None] = mapped_column(Date)
