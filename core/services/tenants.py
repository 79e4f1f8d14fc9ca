"""Tenants and which plugins are enabled for them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import PluginActivation, Tenant, User
from core.plugin_api import CODE_PATTERN, TENANT_KINDS
from core.registry import KommunEntry, Registry
from core.services import ValidationError, audit
from core.values import clean_text, too_long


def get_by_code(session: Session, code: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.code == code))


def list_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.name)))


def create_tenant(
    session: Session,
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str,
    decision_body: str,
    parent_organisation: str | None = None,
) -> Tenant:
    code, name, decision_body = clean_text(code).lower(), clean_text(name), clean_text(decision_body)
    parent_organisation = clean_text(parent_organisation)
    errors: dict[str, str] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = "Koden får bara innehålla små bokstäver a–z, siffror och bindestreck (3–40 tecken)."
    elif get_by_code(session, code) is not None:
        errors["code"] = "Det finns redan en organisation med den koden."
    if not name:
        errors["name"] = "Skriv organisationens namn."
    for field, value in (("name", name), ("decision_body", decision_body), ("parent_organisation", parent_organisation)):
        if message := too_long(value, 200):
            errors[field] = message
    if kind not in TENANT_KINDS:
        errors["kind"] = "Välj kommun eller stadsdelsnämnd."
    if not decision_body:
        errors["decision_body"] = "Skriv vilket organ som beslutar, till exempel nämnden eller kommunstyrelsen."
    if errors:
        raise ValidationError(errors)
    tenant = Tenant(
        code=code,
        name=name.strip(),
        kind=kind,
        decision_body=decision_body.strip(),
        parent_organisation=(parent_organisation or "").strip() or None,
    )
    session.add(tenant)
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="tenant", object_id=tenant.id, action="create",
                 after={"code": code, "name": tenant.name})
    return tenant


def enabled_plugins(session: Session, tenant: Tenant) -> set[str]:
    return set(session.scalars(select(PluginActivation.plugin_name).where(PluginActivation.tenant_id == tenant.id)))


def activations(session: Session) -> list[PluginActivation]:
    return list(session.scalars(select(PluginActivation).order_by(PluginActivation.tenant_id, PluginActivation.plugin_name)))


def kommun_for(session: Session, registry: Registry, tenant: Tenant) -> KommunEntry:
    return registry.for_tenant(tenant.code, enabled_plugins(session, tenant))


def enable_plugin(session: Session, registry: Registry, tenant: Tenant, plugin: str, actor: User | None) -> None:
    info = registry.plugins.get(plugin)
    if info is None or info.builtin:
        raise ValidationError({"plugin": "Det finns inget installerat tillägg med det namnet."})
    if plugin in enabled_plugins(session, tenant):
        return
    session.add(PluginActivation(tenant_id=tenant.id, plugin_name=plugin, enabled_by_id=actor.id if actor else None))
    audit.record(session, actor=actor, tenant=tenant, object_type="plugin_activation", object_id=plugin, action="enable")


def disable_plugin(session: Session, tenant: Tenant, plugin: str, actor: User | None) -> None:
    """Removes the activation only: the tenant's data stays as it is."""
    row = session.scalar(
        select(PluginActivation).where(PluginActivation.tenant_id == tenant.id, PluginActivation.plugin_name == plugin)
    )
    if row is None:
        return
    session.delete(row)
    audit.record(session, actor=actor, tenant=tenant, object_type="plugin_activation", object_id=plugin, action="disable")
