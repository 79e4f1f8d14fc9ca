"""Tenants and which plugins are enabled for them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.models import Partnership, PluginActivation, RoleAssignment, Tenant, User
from core.models.tenant import TENANT_KINDS
from core.plugin_api import CODE_PATTERN
from core.registry import KommunEntry, Registry
from core.services import ValidationError, audit
from core.values import clean_text, parse_int, too_long
from core.tenancy import Scope, within


def get_by_code(session: Session, code: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.code == code))


def list_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.name)))


def _check_details(name: str, kind: str, decision_body: str, parent_organisation: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Skriv organisationens namn."
    for field, value in (("name", name), ("decision_body", decision_body), ("parent_organisation", parent_organisation)):
        if message := too_long(value, 200):
            errors[field] = message
    if kind not in TENANT_KINDS:
        errors["kind"] = "Välj kommun, stadsdelsnämnd eller förvaltning."
    if not decision_body:
        errors["decision_body"] = "Skriv vilket organ som beslutar, till exempel nämnden eller kommunstyrelsen."
    return errors


def _check_kommun(registry: Registry | None, raw: str | None, current: str | None = None) -> tuple[str | None, str | None]:
    """The chosen kommun code (None: the generic national guidance) and an
    error, if any. Only kommuner declared by installed plugins may be chosen;
    a choice already made stays valid when its plugin is later uninstalled, so
    saving a tenant's other details never forces a new choice."""
    code = clean_text(raw).lower() or None
    if code is None or code == current:
        return code, None
    if registry is None or code not in {e.profile.code for e in registry.choosable()}:
        return code, "Välj en kommun i listan, eller nationell vägledning."
    return code, None


def create_tenant(
    session: Session,
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str,
    decision_body: str,
    parent_organisation: str | None = None,
    kommun_code: str | None = None,
    registry: Registry | None = None,
) -> Tenant:
    """A new tenant. ``kommun_code`` chooses the installed kommun whose process
    it runs (``registry`` says which are installed); its plugin must still be
    enabled for the tenant before it applies."""
    code, name, decision_body = clean_text(code).lower(), clean_text(name), clean_text(decision_body)
    parent_organisation = clean_text(parent_organisation)
    errors: dict[str, str] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = "Koden får bara innehålla små bokstäver a–z, siffror och bindestreck (3–40 tecken)."
    elif get_by_code(session, code) is not None:
        errors["code"] = "Det finns redan en organisation med den koden."
    errors.update(_check_details(name, kind, decision_body, parent_organisation))
    kommun_code, kommun_error = _check_kommun(registry, kommun_code)
    if kommun_error:
        errors["kommun_code"] = kommun_error
    if errors:
        raise ValidationError(errors)
    tenant = Tenant(
        code=code,
        name=name,
        kind=kind,
        decision_body=decision_body,
        parent_organisation=parent_organisation or None,
        kommun_code=kommun_code,
    )
    session.add(tenant)
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="tenant", object_id=tenant.id, action="create",
                 after={"code": code, "name": tenant.name, "kommun": kommun_code})
    return tenant


EDITABLE = ("name", "kind", "decision_body", "parent_organisation", "kommun_code", "takes_applications",
            "reminder_days")
# How many days ahead the daily reminder may look (core.services.bevakning).
MAX_REMINDER_DAYS = 90


def update_tenant(session: Session, registry: Registry, tenant: Tenant, *, actor: User | None,
                  data: dict[str, str]) -> None:
    """Changes a tenant's details and its choice of kommun; its code, which
    is in every address of its workspace, stays."""
    name, decision_body = clean_text(data.get("name")), clean_text(data.get("decision_body"))
    kind, parent_organisation = clean_text(data.get("kind")), clean_text(data.get("parent_organisation"))
    errors = _check_details(name, kind, decision_body, parent_organisation)
    kommun_code, kommun_error = _check_kommun(registry, data.get("kommun_code"), tenant.kommun_code)
    if kommun_error:
        errors["kommun_code"] = kommun_error
    reminder_days = tenant.reminder_days
    if "reminder_days" in data:  # a form without the field leaves it as it is
        reminder_days = parse_int(data["reminder_days"], highest=MAX_REMINDER_DAYS)
        if reminder_days is None:
            errors["reminder_days"] = f"Skriv ett antal dagar från 0 till {MAX_REMINDER_DAYS}, till exempel 14."
    if errors:
        raise ValidationError(errors)
    after = {"name": name, "kind": kind, "decision_body": decision_body,
             "parent_organisation": parent_organisation or None, "kommun_code": kommun_code,
             "takes_applications": data.get("takes_applications") == "1", "reminder_days": reminder_days}
    before = {key: getattr(tenant, key) for key in EDITABLE}
    changed = {key for key in EDITABLE if before[key] != after[key]}
    if not changed:
        return
    for key in changed:
        setattr(tenant, key, after[key])
    audit.record(session, actor=actor, tenant=tenant, object_type="tenant", object_id=tenant.id, action="update",
                 before={k: before[k] for k in sorted(changed)}, after={k: after[k] for k in sorted(changed)})


def enabled_plugins(session: Session, tenant: Tenant) -> set[str]:
    return set(session.scalars(select(PluginActivation.plugin_name).where(PluginActivation.tenant_id == tenant.id)))


def activations(session: Session) -> list[PluginActivation]:
    return list(session.scalars(select(PluginActivation).order_by(PluginActivation.tenant_id, PluginActivation.plugin_name)))


class TenantConfigCache:
    """Each tenant's enabled plugins, kept by one process for its lifetime
    and read again when the tenant's ``config_version`` has moved (any
    process that changes them raises it in the same transaction), so a
    staff request does not ask the database for them every time."""

    def __init__(self) -> None:
        self._plugins: dict[int, tuple[int, frozenset[str]]] = {}

    def enabled_plugins(self, session: Session, tenant: Tenant) -> frozenset[str]:
        cached = self._plugins.get(tenant.id)
        if cached is not None and cached[0] == tenant.config_version:
            return cached[1]
        plugins = frozenset(enabled_plugins(session, tenant))
        self._plugins[tenant.id] = (tenant.config_version, plugins)
        return plugins


def kommun_for(session: Session, registry: Registry, tenant: Tenant,
               cache: TenantConfigCache | None = None) -> KommunEntry:
    """The kommun whose process, roles and templates apply to the tenant: the
    one it has chosen, while the plugin declaring it is enabled for it."""
    plugins = cache.enabled_plugins(session, tenant) if cache is not None else enabled_plugins(session, tenant)
    return registry.for_tenant(tenant.kommun_code, set(plugins))


def kommun_for_outsider(session: Session, registry: Registry, tenant: Tenant,
                        cache: TenantConfigCache | None = None) -> KommunEntry:
    """kommun_for, for someone outside the tenant (the public guide, an
    organisation writing to it): which plugins a tenant has enabled is its
    own data, so it is read in the tenant's scope, and nothing else is."""
    with within(session, Scope.of_tenant(tenant.id)):
        return kommun_for(session, registry, tenant, cache)


def _plugins_changed(session: Session, tenant: Tenant) -> None:
    """Raised in the database, so two changes at once both count."""
    session.execute(update(Tenant).where(Tenant.id == tenant.id)
                    .values(config_version=Tenant.config_version + 1))


def enable_plugin(session: Session, registry: Registry, tenant: Tenant, plugin: str, actor: User | None) -> None:
    info = registry.plugins.get(plugin)
    if info is None or info.builtin:
        raise ValidationError({"plugin": "Det finns inget installerat tillägg med det namnet."})
    if plugin in enabled_plugins(session, tenant):
        return
    session.add(PluginActivation(tenant_id=tenant.id, plugin_name=plugin, enabled_by_id=actor.id if actor else None))
    _plugins_changed(session, tenant)
    audit.record(session, actor=actor, tenant=tenant, object_type="plugin_activation", object_id=plugin, action="enable")


@dataclass(frozen=True)
class DisablingEffects:
    """What disabling a plugin does to a tenant, for the administrator to
    confirm: cases on the plugin's process keep it; cases not yet on a
    process, and new ones, get the generic default's; roles only the
    plugin's roles table has give nothing until it is enabled again."""

    on_its_process: int
    not_started: int
    idle_roles: tuple[tuple[str, int], ...]


def disabling_effects(session: Session, registry: Registry, tenant: Tenant, plugin: str) -> DisablingEffects:
    codes = [code for code, entry in registry.kommuner.items() if entry.plugin == plugin]
    on_its_process = session.scalar(select(func.count()).select_from(Partnership).where(
        Partnership.tenant_id == tenant.id, Partnership.process_code.in_(codes))) or 0
    not_started = session.scalar(select(func.count()).select_from(Partnership).where(
        Partnership.tenant_id == tenant.id, Partnership.process_code.is_(None))) or 0
    generic_keys = {r.key for r in registry.generic.roles.roles}
    titles = {r.key: r.title for code in codes for r in registry.kommuner[code].roles.roles
              if r.key not in generic_keys}
    held = session.execute(select(RoleAssignment.role_key, func.count()).where(
        RoleAssignment.tenant_id == tenant.id, RoleAssignment.role_key.in_(titles))
        .group_by(RoleAssignment.role_key)).all()
    return DisablingEffects(on_its_process=on_its_process, not_started=not_started,
                            idle_roles=tuple(sorted((titles[key], n) for key, n in held)))


def disable_plugin(session: Session, tenant: Tenant, plugin: str, actor: User | None) -> None:
    """Removes the activation only: the tenant's data stays as it is."""
    row = session.scalar(
        select(PluginActivation).where(PluginActivation.tenant_id == tenant.id, PluginActivation.plugin_name == plugin)
    )
    if row is None:
        return
    session.delete(row)
    _plugins_changed(session, tenant)
    audit.record(session, actor=actor, tenant=tenant, object_type="plugin_activation", object_id=plugin, action="disable")
