from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.tenancy import TenantScoped


class AuditChainHead(TenantScoped, Base):
    """The newest link of one hash chain (core/audit_chain.py): its ``seq`` and
    ``hash``. There is one chain per table and tenant; ``chain`` names it, e.g.
    ``audit_event:3`` or ``audit_event:platform``. A transaction that appends to
    a chain first locks this row, so two writers can never extend the same
    link, and ``iop audit verify`` compares it with the chain's last row, so
    rows cut off the end are noticed too."""

    __tablename__ = "audit_chain_head"

    # The tenant whose chain it is (tenant_id) is NULL for the platform's audit events.
    chain: Mapped[str] = mapped_column(String(60), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
