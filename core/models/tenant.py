from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

TENANT_KINDS = {"kommun": "Kommun", "stadsdelsnamnd": "Stadsdelsnämnd"}


class Tenant(Base):
    """A public party: a kommun or a stadsdelsnämnd with its förvaltning."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_organisation: Mapped[str | None] = mapped_column(String(200))
    decision_body: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return TENANT_KINDS.get(self.kind, self.kind)
