from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned


class PluginActivation(TenantOwned, Base):
    """A plugin enabled for a tenant. Disabling deletes this row only, never the
    tenant's data."""

    __tablename__ = "plugin_activation"
    __table_args__ = (UniqueConstraint("tenant_id", "plugin_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin_name: Mapped[str] = mapped_column(String(80))
    enabled_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    enabled_at: Mapped[datetime] = mapped_column(default=utcnow)
