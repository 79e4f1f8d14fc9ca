"""The public API a kommun plugin may use: declarations and the hook marker.

Plugins return these frozen dataclasses from their ``iop_register_*`` hooks. The
registry validates them at start-up, so a broken plugin stops the application
with a clear message instead of failing later on a user's request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pluggy

PROJECT_NAME = "iop"
FORMAT_VERSION = 1

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

# The small, fixed set of generic roles the core understands (Open Zaak's shape):
# each kommun maps its own titles onto these.
GENERIC_ROLES: dict[str, str] = {
    "decision_body": "Beslutande organ",
    "director": "Direktör",
    "coordinator_unit": "Samordnande enhet",
    "manager": "Chef",
    "coordinator": "IOP-koordinator",
    "case_officer": "Handläggare",
    "organisation_representative": "Företrädare för idéburen part",
}

# The tenant administrator's role key. The core gives every tenant this role
# beside its kommun's roles table (core.services.permissions); no plugin may
# declare a role with a reserved key.
TENANT_ADMIN_ROLE = "administrator"
RESERVED_ROLE_KEYS = frozenset({TENANT_ADMIN_ROLE})

TENANT_KINDS = ("kommun", "stadsdelsnamnd")
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


class PluginError(Exception):
    """A plugin's declarations are invalid; start-up stops with this message."""


@dataclass(frozen=True)
class RegistrationNumberFormat:
    """How a kommun's diarienummer look, e.g. Tyresö's ``2023/KS 0352``.

    ``pattern`` is a regular expression the whole number must match;
    ``template`` formats a new number from ``year`` and ``serial``.
    """

    pattern: str
    template: str
    example: str

    def matches(self, number: str) -> bool:
        return re.fullmatch(self.pattern, number) is not None

    def format(self, year: int, serial: int) -> str:
        return self.template.format(year=year, serial=serial)


@dataclass(frozen=True)
class KommunProfile:
    code: str
    name: str
    kind: str
    decision_body: str
    registration_number: RegistrationNumberFormat
    parent_organisation: str | None = None
    format_version: int = FORMAT_VERSION


@dataclass(frozen=True)
class Role:
    key: str
    title: str
    generic_role: str
    responsibility: str
    rule_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RolesTable:
    kommun: str
    roles: tuple[Role, ...]
    format_version: int = FORMAT_VERSION

    def get(self, key: str) -> Role | None:
        return next((r for r in self.roles if r.key == key), None)


FIELD_KINDS = ("text", "yesno", "date", "amount", "choice")
MALL_FILLERS = {"staff": "förvaltningen", "organisation": "den idéburna parten"}


@dataclass(frozen=True)
class FormField:
    """A question of a form or a mall. Answers are strings (core.forms)."""

    key: str
    label: str
    kind: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    # For yes/no: the answer that must be motivated in writing (None: neither).
    motivation_when: bool | None = None
    hint: str = ""


def yes_no(key: str, label: str, hint: str = "") -> FormField:
    """A yes/no question whose "nej" must be motivated in writing: a
    consideration that goes against the partnership is documented (GEN-05)."""
    return FormField(key, label, "yesno", motivation_when=False, hint=hint)


@dataclass(frozen=True)
class TemplateRef:
    """A mall the kommun uses (core.mallar renders it as PDF and Word).

    ``fields``: what is filled in; a mall a process form names
    (``FormDefinition.template``) may leave them to that form. ``layout``: the
    document's HTML as a Jinja template that extends the core's ``mall.html``
    (empty: the core's layout, each question with its answer). ``filled_by``:
    who fills it in (the organisation's mallar can also be downloaded from the
    portal). ``document_kind``: the process's document kind a filled mall is
    kept as on the partnership (empty: "ovrigt")."""

    kommun: str
    key: str
    name: str
    purpose: str = ""
    rule_ids: tuple[str, ...] = field(default=())
    fields: tuple[FormField, ...] = ()
    layout: str = ""
    filled_by: str = "staff"
    document_kind: str = ""
    format_version: int = FORMAT_VERSION


@dataclass(frozen=True)
class GuideQuestion:
    """A question the kommun adds to the public guide to the right form of
    collaboration (core.guide), after the core's: a condition of its own
    (Järva's JV-21/JV-22), asked as a yes/no question where "no" is the
    problem, with ``problem`` saying in plain Swedish what that means."""

    kommun: str
    key: str
    question: str
    explanation: str
    problem: str
    rule_ids: tuple[str, ...] = field(default=())
    format_version: int = FORMAT_VERSION


def validate_guide_question(question: GuideQuestion, plugin: str) -> None:
    where = f"plugin '{plugin}'"
    if question.format_version != FORMAT_VERSION:
        raise PluginError(f"{where}: guide question '{question.key}' has format version {question.format_version}")
    if not KEY_PATTERN.match(question.key):
        raise PluginError(f"{where}: guide question '{question.key}' needs a lower-case key")
    if not (question.question.strip() and question.explanation.strip() and question.problem.strip()):
        raise PluginError(f"{where}: guide question '{question.key}' needs a question, an explanation and a problem")


def validate_profile(profile: KommunProfile, plugin: str) -> None:
    where = f"plugin '{plugin}'"
    if profile.format_version != FORMAT_VERSION:
        raise PluginError(f"{where}: kommun profile has format version {profile.format_version}, expected {FORMAT_VERSION}")
    if not CODE_PATTERN.match(profile.code):
        raise PluginError(f"{where}: kommun code '{profile.code}' must be lower-case letters, digits and hyphens")
    if profile.kind not in TENANT_KINDS:
        raise PluginError(f"{where}: kind '{profile.kind}' must be one of {', '.join(TENANT_KINDS)}")
    if not profile.name.strip() or not profile.decision_body.strip():
        raise PluginError(f"{where}: kommun '{profile.code}' needs a name and a decision body")
    fmt = profile.registration_number
    try:
        re.compile(fmt.pattern)
        produced = fmt.format(year=2026, serial=1)
    except (re.error, KeyError, IndexError, ValueError) as exc:
        raise PluginError(f"{where}: registration-number format of '{profile.code}' is broken: {exc}") from exc
    if not fmt.matches(fmt.example) or not fmt.matches(produced):
        raise PluginError(
            f"{where}: registration-number pattern of '{profile.code}' does not match its own example "
            f"'{fmt.example}' or the number it formats ('{produced}')"
        )


def validate_roles(table: RolesTable, plugin: str) -> None:
    where = f"plugin '{plugin}'"
    if table.format_version != FORMAT_VERSION:
        raise PluginError(f"{where}: roles table has format version {table.format_version}, expected {FORMAT_VERSION}")
    if not table.roles:
        raise PluginError(f"{where}: roles table of '{table.kommun}' is empty")
    seen: set[str] = set()
    for role in table.roles:
        if not KEY_PATTERN.match(role.key):
            raise PluginError(f"{where}: role key '{role.key}' must be lower-case letters, digits and underscores")
        if role.key in RESERVED_ROLE_KEYS:
            raise PluginError(
                f"{where}: role key '{role.key}' in '{table.kommun}' is reserved by the core for the tenant "
                f"administrator; give the role another key"
            )
        if role.key in seen:
            raise PluginError(f"{where}: role '{role.key}' is declared twice in '{table.kommun}'")
        if role.generic_role not in GENERIC_ROLES:
            raise PluginError(
                f"{where}: role '{role.key}' maps to unknown generic role '{role.generic_role}' "
                f"(known: {', '.join(GENERIC_ROLES)})"
            )
        seen.add(role.key)


def validate_fields(what: str, fields: tuple[FormField, ...], fail) -> None:
    field_keys = set()
    for f in fields:
        if not KEY_PATTERN.match(f.key):
            fail(f"{what} field key '{f.key}' must be lower-case letters, digits and underscores")
        if f.kind not in FIELD_KINDS:
            fail(f"{what} field '{f.key}' has unknown kind '{f.kind}' (known: {', '.join(FIELD_KINDS)})")
        if f.key in field_keys:
            fail(f"{what} declares field '{f.key}' twice")
        if f.kind == "choice" and not f.choices:
            fail(f"{what} field '{f.key}' is a choice without choices")
        if f.motivation_when is not None and f.kind != "yesno":
            fail(f"{what} field '{f.key}' asks for a motivation but is not a yes/no question")
        field_keys.add(f.key)


def validate_template(template: TemplateRef, plugin: str) -> None:
    where = f"plugin '{plugin}'"
    if template.format_version != FORMAT_VERSION:
        raise PluginError(f"{where}: template '{template.key}' has format version {template.format_version}")
    if not KEY_PATTERN.match(template.key) or not template.name.strip():
        raise PluginError(f"{where}: template '{template.key}' needs a lower-case key and a name")
    if template.filled_by not in MALL_FILLERS:
        raise PluginError(f"{where}: template '{template.key}' is filled by '{template.filled_by}' "
                          f"(known: {', '.join(MALL_FILLERS)})")

    def fail(message: str) -> None:
        raise PluginError(f"{where}: template '{template.key}': {message}")

    validate_fields("the mall", template.fields, fail)
