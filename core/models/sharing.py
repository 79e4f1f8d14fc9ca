from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant

# What a partnership's idéburna parties see of it in the portal, by kind of
# item, when staff have not chosen otherwise: decisions with their reasons
# (JV-06, JV-07) and meetings with their minutes (JV-15) are shared; a
# document is shared when staff share it, or when the organisation gave it.
# Working material (forms, the history, internal notes) is never shown.
DEFAULT_SHARED = {"decision": True, "meeting": True, "document": False}


class Sharing(TenantOwned, Base):
    """Staff's choice for one decision, meeting or document: shown to the
    partnership's idéburna parties or not. Without a row the kind's default
    (DEFAULT_SHARED) holds. A separate table because decisions are
    append-only: whether one is shown is not part of what was decided."""

    __tablename__ = "sharing"
    __table_args__ = (
        UniqueConstraint("tenant_id", "item_kind", "item_id"),
        same_tenant("partnership_id", "partnership"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    item_kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column()
    shared: Mapped[bool] = mapped_column()
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
