from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

# What a tenant is. A plugin's kommun profile is a kommun or a stadsdelsnämnd
# (core.plugin_api.TENANT_KINDS); a tenant may also be one förvaltning (or
# nämnd) of a kommun, running that kommun's process beside its other ones.
TENANT_KINDS = {"kommun": "Kommun", "stadsdelsnamnd": "Stadsdelsnämnd", "forvaltning": "Förvaltning eller nämnd"}


class Tenant(Base):
    """A public party: a kommun, a stadsdelsnämnd or a förvaltning (nämnd), with
    its own staff, register and partnerships.

    ``kommun_code`` is the installed kommun whose process, roles and templates
    the tenant runs, chosen by the platform administrator: several tenants may
    choose one kommun (Tyresö's socialförvaltning and its kultur- och
    fritidsförvaltning both run Tyresö's). It applies only while the plugin
    declaring that kommun is enabled for the tenant; NULL, or a disabled
    plugin, means the generic national guidance.
    """

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_organisation: Mapped[str | None] = mapped_column(String(200))
    decision_body: Mapped[str] = mapped_column(String(200))
    kommun_code: Mapped[str | None] = mapped_column(String(40))
    # Raised with every change to the tenant's plugins, so that each process's
    # cache of them (core.services.tenants.TenantConfigCache) knows when to
    # read them again: the tenant row is read on every request anyway.
    config_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Whether organisations can send it an intresseanmälan through the portal.
    takes_applications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # How many days ahead the daily reminder warns of a deadline (bevakning).
    reminder_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return TENANT_KINDS.get(self.kind, self.kind)
