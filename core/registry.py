"""The plugin manager factory and the registry built from it at start-up.

The registry is plain data keyed by kommun code. Per-request work (which kommun
applies to a tenant, which roles exist) reads it; no hook runs per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata

import pluggy

from core import generic, hookspecs, mallar
from core.process import ProcessDefinition, validate_process
from core.plugin_api import (
    PROJECT_NAME,
    GuideQuestion,
    KommunProfile,
    PluginError,
    RolesTable,
    TemplateRef,
    validate_guide_question,
    validate_profile,
    validate_roles,
    validate_template,
)

ENTRY_POINT_GROUP = "iop.plugins"


@dataclass(frozen=True)
class KommunEntry:
    plugin: str
    profile: KommunProfile
    roles: RolesTable
    templates: tuple[TemplateRef, ...]
    # Every declared version, oldest first; empty means the generic process.
    processes: tuple[ProcessDefinition, ...] = ()
    # What the kommun adds to the guide to the right form (core.guide).
    guide_questions: tuple[GuideQuestion, ...] = ()

    def process(self, version: int | None = None) -> ProcessDefinition | None:
        """The given version, or the newest when ``version`` is None."""
        if not self.processes:
            return None
        if version is None:
            return self.processes[-1]
        return next((p for p in self.processes if p.version == version), None)


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    kommuner: tuple[str, ...]
    builtin: bool = False


@dataclass(frozen=True)
class Registry:
    kommuner: dict[str, KommunEntry]
    plugins: dict[str, PluginInfo] = field(default_factory=dict)

    @property
    def generic(self) -> KommunEntry:
        return self.kommuner[generic.CODE]

    def for_tenant(self, kommun_code: str | None, enabled_plugins: set[str]) -> KommunEntry:
        """The kommun entry that applies to a tenant: the kommun the tenant has
        chosen (``Tenant.kommun_code``), if the plugin declaring it is enabled
        for the tenant; otherwise (no choice, a kommun no longer installed, or
        its plugin not enabled) the generic default. Several tenants may choose
        one kommun."""
        entry = self.kommuner.get(kommun_code) if kommun_code else None
        if entry is not None and entry.plugin in enabled_plugins:
            return entry
        return self.generic

    def choosable(self) -> list[KommunEntry]:
        """The kommuner a tenant can choose: those declared by installed
        plugins (the generic default is the absence of a choice), by name."""
        return sorted((e for code, e in self.kommuner.items() if code != generic.CODE),
                      key=lambda e: e.profile.name)

    def installable(self) -> list[PluginInfo]:
        """Plugins an admin can enable for a tenant (the built-in one is always on)."""
        return [p for p in self.plugins.values() if not p.builtin]


def build_plugin_manager(*, load_entry_points: bool = True, extra_plugins: dict[str, object] | None = None) -> pluggy.PluginManager:
    """A fresh plugin manager: the generic default, every installed plugin found
    through the ``iop.plugins`` entry points, and any extra plugins (for tests)."""
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(generic, name=generic.CODE)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for name, plugin in (extra_plugins or {}).items():
        pm.register(plugin, name=name)
    return pm


def _collect(hook) -> list[tuple[str, object]]:
    """Call each implementation on its own, so we know which plugin declared what
    (pluggy's combined result does not say)."""
    results = []
    for impl in hook.get_hookimpls():
        try:
            value = impl.function()
        except Exception as exc:  # a plugin's own bug must name the plugin
            raise PluginError(f"plugin '{impl.plugin_name}' failed in {hook.name}: {exc}") from exc
        for item in value or []:
            results.append((impl.plugin_name, item))
    return results


def _plugin_versions(pm: pluggy.PluginManager) -> dict[str, str]:
    versions: dict[str, str] = {}
    for plugin, dist in pm.list_plugin_distinfo():
        versions[pm.get_name(plugin)] = dist.version
    return versions


def _core_version() -> str:
    try:
        return metadata.version("iop-platform")
    except metadata.PackageNotFoundError:
        return "0+local"


def build_registry(pm: pluggy.PluginManager) -> Registry:
    profiles: dict[str, tuple[str, KommunProfile]] = {}
    for plugin, profile in _collect(pm.hook.iop_register_kommuner):
        if not isinstance(profile, KommunProfile):
            raise PluginError(f"plugin '{plugin}': iop_register_kommuner must return KommunProfile objects")
        validate_profile(profile, plugin)
        if profile.code in profiles:
            other = profiles[profile.code][0]
            raise PluginError(f"kommun code '{profile.code}' is claimed by two plugins: '{other}' and '{plugin}'")
        profiles[profile.code] = (plugin, profile)

    def owned(plugin: str, kommun: str, what: str) -> None:
        if kommun not in profiles or profiles[kommun][0] != plugin:
            raise PluginError(f"plugin '{plugin}' declares {what} for kommun '{kommun}', which it does not declare")

    roles: dict[str, RolesTable] = {}
    for plugin, table in _collect(pm.hook.iop_register_roles):
        if not isinstance(table, RolesTable):
            raise PluginError(f"plugin '{plugin}': iop_register_roles must return RolesTable objects")
        owned(plugin, table.kommun, "a roles table")
        validate_roles(table, plugin)
        if table.kommun in roles:
            raise PluginError(f"plugin '{plugin}' declares two roles tables for '{table.kommun}'")
        roles[table.kommun] = table

    templates: dict[str, list[TemplateRef]] = {code: [] for code in profiles}
    for plugin, template in _collect(pm.hook.iop_register_templates):
        if not isinstance(template, TemplateRef):
            raise PluginError(f"plugin '{plugin}': iop_register_templates must return TemplateRef objects")
        owned(plugin, template.kommun, "a template")
        validate_template(template, plugin)
        if any(t.key == template.key for t in templates[template.kommun]):
            raise PluginError(f"plugin '{plugin}' declares template '{template.key}' twice")
        templates[template.kommun].append(template)

    processes: dict[str, list[ProcessDefinition]] = {code: [] for code in profiles}
    for plugin, process in _collect(pm.hook.iop_register_processes):
        if not isinstance(process, ProcessDefinition):
            raise PluginError(f"plugin '{plugin}': iop_register_processes must return ProcessDefinition objects")
        owned(plugin, process.kommun, "a process")
        if any(p.version == process.version for p in processes[process.kommun]):
            raise PluginError(f"plugin '{plugin}' declares version {process.version} of '{process.kommun}' twice")
        table = roles.get(process.kommun) or roles.get(generic.CODE)
        validate_process(process, table, tuple(templates[process.kommun]), plugin)
        processes[process.kommun].append(process)

    questions: dict[str, list[GuideQuestion]] = {code: [] for code in profiles}
    for plugin, question in _collect(pm.hook.iop_register_guide_questions):
        if not isinstance(question, GuideQuestion):
            raise PluginError(f"plugin '{plugin}': iop_register_guide_questions must return GuideQuestion objects")
        owned(plugin, question.kommun, "a guide question")
        validate_guide_question(question, plugin)
        if any(q.key == question.key for q in questions[question.kommun]):
            raise PluginError(f"plugin '{plugin}' declares guide question '{question.key}' twice")
        questions[question.kommun].append(question)

    if generic.CODE not in roles:
        raise PluginError("the generic default roles table is missing")
    kommuner = {
        code: KommunEntry(
            plugin=plugin,
            profile=profile,
            roles=roles.get(code) or RolesTable(kommun=code, roles=roles[generic.CODE].roles),
            templates=tuple(templates[code]),
            processes=tuple(sorted(processes[code], key=lambda p: p.version)),
            guide_questions=tuple(questions[code]),
        )
        for code, (plugin, profile) in profiles.items()
    }
    # A mall is checked with the processes that will use it: the kommun's own,
    # or the generic default's.
    for entry in kommuner.values():
        for template in entry.templates:
            mallar.validate(template, entry.processes or kommuner[generic.CODE].processes, entry.plugin)
    versions = _plugin_versions(pm)
    plugins = {}
    for name, plugin_obj in pm.list_name_plugin():
        if name is None or plugin_obj is None:
            continue
        codes = tuple(sorted(code for code, e in kommuner.items() if e.plugin == name))
        plugins[name] = PluginInfo(
            name=name,
            version=versions.get(name) or (_core_version() if name == generic.CODE else "okänd"),
            kommuner=codes,
            builtin=name == generic.CODE,
        )
    return Registry(kommuner=kommuner, plugins=plugins)
