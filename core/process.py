"""The declarative process format a plugin supplies, its validation, and the
deadlines computed from a case's own dates.

A process is data: phases of steps, each with owner roles (keys of the
kommun's roles table), what must exist before it can be completed, its
outcomes and its deadline. Definitions carry a version; a running partnership
keeps the version it started with, so a plugin adds a new version instead of
changing an old one.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from core.plugin_api import FORMAT_VERSION, KEY_PATTERN, PluginError, RolesTable, TemplateRef

Anchor = Literal["initiative", "agreement_start", "agreement_end"]
ANCHORS: tuple[str, ...] = ("initiative", "agreement_start", "agreement_end")
FIELD_KINDS = ("text", "yesno", "date", "amount", "choice")
REQUIREMENT_KINDS = ("field", "form", "document", "decision", "meetings")
OUTCOME_KINDS = ("continue", "stop", "redirect")
REDIRECTS = {
    "foreningsbidrag": "Föreningsbidrag",
    "upphandling": "Upphandling",
    "annan_samverkan": "Annan form av samverkan",
}


# ---------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class After:
    """Due a fixed time after one of the case's dates (JV-04: four weeks after the initiative)."""

    anchor: Anchor
    days: int = 0
    weeks: int = 0
    months: int = 0


@dataclass(frozen=True)
class Before:
    """Due a fixed time before one of the case's dates (JV-18: three months before the end)."""

    anchor: Anchor
    days: int = 0
    weeks: int = 0
    months: int = 0


@dataclass(frozen=True)
class QuarterEachYear:
    """Due within a calendar quarter of every year of the agreement (JV-16: quarter four)."""

    quarter: int


@dataclass(frozen=True)
class QuartersOfFinalYear:
    """Due within the given quarters of the agreement's final year (JV-17: quarter one or two)."""

    quarters: tuple[int, ...]


Deadline = After | Before | QuarterEachYear | QuartersOfFinalYear


@dataclass(frozen=True)
class CaseDates:
    initiative: date | None = None
    agreement_start: date | None = None
    agreement_end: date | None = None

    def get(self, anchor: str) -> date | None:
        return getattr(self, anchor)


@dataclass(frozen=True)
class DueWindow:
    """The period in which an obligation falls; ``due`` is its last day."""

    opens: date | None
    due: date


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (31 jan + 1 month = 28/29 feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def due_windows(deadline: Deadline, dates: CaseDates) -> list[DueWindow]:
    """Every window the deadline gives for a case; empty while the date it
    depends on is not known yet."""
    if isinstance(deadline, (After, Before)):
        anchor = dates.get(deadline.anchor)
        if anchor is None:
            return []
        sign = 1 if isinstance(deadline, After) else -1
        due = add_months(anchor, sign * deadline.months) + sign * timedelta(days=deadline.days, weeks=deadline.weeks)
        return [DueWindow(opens=anchor if sign > 0 else None, due=due)]
    start, end = dates.agreement_start, dates.agreement_end
    if start is None or end is None:
        return []
    if isinstance(deadline, QuarterEachYear):
        windows = []
        for year in range(start.year, end.year + 1):
            opens, due = quarter_bounds(year, deadline.quarter)
            if due >= start and opens <= end:
                windows.append(DueWindow(opens=max(opens, start), due=min(due, end)))
        return windows
    first, last = min(deadline.quarters), max(deadline.quarters)
    opens, _ = quarter_bounds(end.year, first)
    _, due = quarter_bounds(end.year, last)
    return [DueWindow(opens=max(opens, start), due=min(due, end))]


# ---------------------------------------------------------------- forms


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    kind: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    # For yes/no: the answer that must be motivated in writing (None: neither).
    motivation_when: bool | None = None
    hint: str = ""


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str
    fields: tuple[FormField, ...]
    template: str | None = None
    rule_ids: tuple[str, ...] = ()


# ---------------------------------------------------------------- steps


@dataclass(frozen=True)
class Requirement:
    """Something that must exist before a step can be completed. ``message`` is
    the Swedish sentence the workspace shows while it is missing."""

    kind: str
    ref: str
    message: str
    minimum: int = 1


@dataclass(frozen=True)
class Outcome:
    key: str
    title: str
    kind: str = "continue"
    redirect_to: str | None = None
    needs_reason: bool = False


CONTINUE = Outcome("fortsatt", "Gå vidare")


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    owner_roles: tuple[str, ...]
    after: tuple[str, ...] = ()
    requires: tuple[Requirement, ...] = ()
    outcomes: tuple[Outcome, ...] = (CONTINUE,)
    deadline: Deadline | None = None
    templates: tuple[str, ...] = ()
    form: str | None = None
    recurring: bool = False
    rule_ids: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Phase:
    key: str
    title: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class MeetingRule:
    """Counts of a kind of meeting: a yearly minimum for a running partnership,
    or a limit on the total (JV-08's idea meetings)."""

    kind: str
    title: str
    per_year_min: int | None = None
    total_max: int | None = None
    offer_stop_after: int | None = None
    rule_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcessDefinition:
    kommun: str
    version: int
    title: str
    phases: tuple[Phase, ...]
    forms: tuple[FormDefinition, ...] = ()
    meeting_rules: tuple[MeetingRule, ...] = ()
    format_version: int = FORMAT_VERSION

    def steps(self) -> list[Step]:
        return [s for phase in self.phases for s in phase.steps]

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps() if s.key == key), None)

    def form(self, key: str) -> FormDefinition | None:
        return next((f for f in self.forms if f.key == key), None)

    def meeting_rule(self, kind: str) -> MeetingRule | None:
        return next((m for m in self.meeting_rules if m.kind == kind), None)


# ---------------------------------------------------------------- validation


def validate_process(process: ProcessDefinition, roles: RolesTable, templates: tuple[TemplateRef, ...], plugin: str) -> None:
    """Every reference in a definition must resolve; otherwise start-up stops."""
    where = f"plugin '{plugin}', process '{process.kommun}' version {process.version}"

    def fail(message: str) -> None:
        raise PluginError(f"{where}: {message}")

    if process.format_version != FORMAT_VERSION:
        fail(f"format version {process.format_version}, expected {FORMAT_VERSION}")
    if process.version < 1:
        fail("version must be 1 or more")
    if not process.phases:
        fail("has no phases")
    template_keys = {t.key for t in templates}
    meeting_kinds = {m.kind for m in process.meeting_rules}
    form_keys: set[str] = set()
    for form in process.forms:
        if not KEY_PATTERN.match(form.key) or form.key in form_keys:
            fail(f"form key '{form.key}' is invalid or declared twice")
        form_keys.add(form.key)
        if form.template is not None and form.template not in template_keys:
            fail(f"form '{form.key}' names unknown template '{form.template}'")
        field_keys = set()
        for f in form.fields:
            if f.kind not in FIELD_KINDS:
                fail(f"form '{form.key}' field '{f.key}' has unknown kind '{f.kind}' (known: {', '.join(FIELD_KINDS)})")
            if f.key in field_keys:
                fail(f"form '{form.key}' declares field '{f.key}' twice")
            if f.kind == "choice" and not f.choices:
                fail(f"form '{form.key}' field '{f.key}' is a choice without choices")
            field_keys.add(f.key)
    seen: set[str] = set()
    for phase in process.phases:
        for step in phase.steps:
            if not KEY_PATTERN.match(step.key) or step.key in seen:
                fail(f"step key '{step.key}' is invalid or declared twice")
            seen.add(step.key)
    for phase in process.phases:
        for step in phase.steps:
            what = f"step '{step.key}'"
            if not step.owner_roles:
                fail(f"{what} has no owner role")
            for role in step.owner_roles:
                if roles.get(role) is None:
                    fail(f"{what} names owner role '{role}', which is not in the roles table")
            for before in step.after:
                if before not in seen:
                    fail(f"{what} comes after unknown step '{before}'")
            for template in step.templates:
                if template not in template_keys:
                    fail(f"{what} names unknown template '{template}'")
            if step.form is not None and step.form not in form_keys:
                fail(f"{what} names unknown form '{step.form}'")
            if not step.outcomes:
                fail(f"{what} has no outcomes")
            for outcome in step.outcomes:
                if outcome.kind not in OUTCOME_KINDS:
                    fail(f"{what} outcome '{outcome.key}' has unknown kind '{outcome.kind}'")
                if outcome.kind == "redirect" and outcome.redirect_to not in REDIRECTS:
                    fail(f"{what} outcome '{outcome.key}' redirects to unknown form of support '{outcome.redirect_to}'")
            for req in step.requires:
                if req.kind not in REQUIREMENT_KINDS:
                    fail(f"{what} has a requirement of unknown kind '{req.kind}'")
                if req.kind == "form" and req.ref not in form_keys:
                    fail(f"{what} requires unknown form '{req.ref}'")
                if req.kind == "decision" and req.ref not in seen:
                    fail(f"{what} requires a decision in unknown step '{req.ref}'")
                if req.kind == "meetings" and req.ref not in meeting_kinds:
                    fail(f"{what} requires meetings of unknown kind '{req.ref}'")
                if not req.message.strip():
                    fail(f"{what} has a requirement without a message")
            deadline = step.deadline
            if isinstance(deadline, (After, Before)) and deadline.anchor not in ANCHORS:
                fail(f"{what} has a deadline from unknown date '{deadline.anchor}'")
            if isinstance(deadline, QuarterEachYear) and deadline.quarter not in (1, 2, 3, 4):
                fail(f"{what} has a deadline in quarter {deadline.quarter}")
            if isinstance(deadline, QuartersOfFinalYear) and not set(deadline.quarters) <= {1, 2, 3, 4}:
                fail(f"{what} has a deadline in quarters {deadline.quarters}")
    _check_no_cycles(process, fail)


def _check_no_cycles(process: ProcessDefinition, fail) -> None:
    after = {s.key: s.after for s in process.steps()}
    state: dict[str, int] = {}

    def visit(key: str, path: tuple[str, ...]) -> None:
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            fail(f"steps wait for each other in a circle: {' -> '.join((*path, key))}")
        state[key] = 1
        for before in after[key]:
            visit(before, (*path, key))
        state[key] = 2

    for key in after:
        visit(key, ())
