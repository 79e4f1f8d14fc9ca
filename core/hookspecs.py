"""Hook specifications: everything a kommun plugin can declare.

Every hook is a synchronous declaration called once, when the registry is built
at start-up. ``iop_register_*`` hooks return declarations, which the registry
collects from every plugin, validates and keys by kommun code. Returning ``None``
(or not implementing the hook) means the plugin declares nothing of that kind.
``docs/plugins.md`` documents each hook; a test keeps the two in step.
"""

from __future__ import annotations

import pluggy

from core.plugin_api import PROJECT_NAME, GuideQuestion, KommunProfile, RolesTable, TemplateRef
from core.process import ProcessDefinition

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@hookspec
def iop_register_kommuner() -> list[KommunProfile] | None:
    """Called once at start-up. Returns the kommun profiles this plugin supplies
    (code, name, kind, decision body, registration-number format). A kommun code
    may be claimed by one plugin only; a second claim stops start-up.
    ``None`` means the plugin supplies no kommun."""


@hookspec
def iop_register_roles() -> list[RolesTable] | None:
    """Called once at start-up. Returns a roles table for each kommun the plugin
    declared: the kommun's own titles mapped onto the core's generic roles.
    ``None`` means the plugin keeps the generic default roles table."""


@hookspec
def iop_register_templates() -> list[TemplateRef] | None:
    """Called once at start-up. Returns the templates (mallar) each of the
    plugin's kommuner uses, by key and name. ``None`` means none."""


@hookspec
def iop_register_processes() -> list[ProcessDefinition] | None:
    """Called once at start-up. Returns every version of each of the plugin's
    kommuner's process definitions. New partnerships start on the highest
    version; running ones keep the version they started with, so old versions
    stay declared. ``None`` means the kommun uses the generic default process."""


@hookspec
def iop_register_guide_questions() -> list[GuideQuestion] | None:
    """Called once at start-up. Returns the questions each of the plugin's
    kommuner adds to the guide to the right form of collaboration
    (``/portal/vagledning``), asked after the core's. ``None`` means none."""
