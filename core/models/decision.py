from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant


class Decision(TenantOwned, Base):
    """A completed process step: who decided what, in which role, when and why
    (GEN-05). Append-only, like the audit trail: a renegotiation (JV-19) starts
    a new ``round`` and adds decisions; it never rewrites the old ones.

    The unique key is a second guard against a step completed twice at once;
    the partnership's version is the first."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("partnership_id", "round", "step_key", "period"), same_tenant("partnership_id", "partnership"))

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    process_code: Mapped[str] = mapped_column(String(40))
    process_version: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer, default=0)
    step_key: Mapped[str] = mapped_column(String(60))
    # For a recurring step, the year the occurrence belongs to; empty otherwise.
    period: Mapped[str] = mapped_column(String(10), default="")
    outcome_key: Mapped[str] = mapped_column(String(60))
    outcome_kind: Mapped[str] = mapped_column(String(20))
    motivation: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The role's key and title as they were when the decision was made.
    role_key: Mapped[str] = mapped_column(String(60))
    role_title: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The hash chain (core/audit_chain.py fills these at flush; never set them
    # by hand): the row's place in its tenant's chain of decisions, the
    # previous row's hash and this row's own hash.
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# One decision per place in a tenant's chain.
Index("uq_decision_chain_seq", Decision.tenant_id, Decision.seq, unique=True)
# What the diarium's entries refer to (an index, not a constraint: adding a
# constraint would rebuild the append-only table on SQLite).
Index("uq_decision_tenant_id", Decision.tenant_id, Decision.id, unique=True)
