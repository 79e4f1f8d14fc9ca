from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant


class Document(TenantOwned, Base):
    """Metadata of a stored file. The bytes live outside the web root under a
    generated name (``storage_name``); the original name is kept for download."""

    __tablename__ = "document"
    # (tenant_id, id) is unique so that a request's answer refers to a document of its own tenant.
    __table_args__ = (UniqueConstraint("tenant_id", "id"), same_tenant("partnership_id", "partnership"))

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int | None] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The paragraph of offentlighets- och sekretesslagen that applies to the
    # document's contents, if any: the diarium registers it with the marking.
    secrecy: Mapped[str] = mapped_column(String(120), default="")
