from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantScoped


class AuditEvent(TenantScoped, Base):
    """Append-only: the migration installs triggers that refuse UPDATE and DELETE,
    so a correction is always a new event."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The hash chain (core/audit_chain.py fills these at flush; never set them
    # by hand): the row's place in its tenant's chain, the previous row's hash
    # and this row's own hash.
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# One row per place in a chain. The platform's chain (tenant_id NULL) needs an
# index of its own: a NULL never collides in a unique index.
Index("uq_audit_event_chain_seq", AuditEvent.tenant_id, AuditEvent.seq, unique=True)
Index("uq_audit_event_platform_seq", AuditEvent.seq, unique=True,
      sqlite_where=AuditEvent.tenant_id.is_(None), postgresql_where=AuditEvent.tenant_id.is_(None))
