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
from datetime import MAXYEAR, MINYEAR, date, timedelta
from typing import Literal

# FormField and yes_no are the plugin API's (a mall has fields too); plugins
# have always imported them from here.
from core.plugin_api import (FIELD_KINDS, FORMAT_VERSION, KEY_PATTERN, FormField, PluginError, RolesTable,  # noqa: F401
                             TemplateRef, validate_fields, yes_no)

Anchor = Literal["initiative", "agreement_start", "agreement_end"]
ANCHORS: dict[str, str] = {
    "initiative": "initiativet",
    "agreement_start": "överenskommelsens start",
    "agreement_end": "överenskommelsens slut",
}
YES, NO = "ja", "nej"
REQUIREMENT_KINDS = ("field", "form", "document", "decision", "meetings", "contributions")
# continue: the process goes on; end: it ends as planned (avslutad); stop: it is
# broken off (avbruten); redirect: broken off in favour of another form of
# support; restart: the steps from ``restart_at`` on are done again (JV-19).
OUTCOME_KINDS = ("continue", "end", "stop", "redirect", "restart")
ENDING_KINDS = ("end", "stop", "redirect")
REDIRECTS = {
    "foreningsbidrag": "Föreningsbidrag",
    "upphandling": "Upphandling",
    "annan_samverkan": "Annan form av samverkan",
}
# The partnership's own fields a ``Requirement("field", ...)`` may name, with the
# Swedish name the workspace shows. ``organisation`` is the idéburen party.
CASE_FIELDS: dict[str, str] = {
    "title": "titel",
    "samhallsutmaning": "samhällsutmaning",
    "goals": "mål",
    "target_group": "målgrupp",
    "period_start": "startdatum",
    "period_end": "slutdatum",
    "organisation": "idéburen part",
    "coordinator": "IOP-koordinator",
}
# Coarse statuses a step may move a partnership into when it is completed; the
# ending outcomes set "avslutad" or "avbruten" themselves.
STEP_STATUSES = ("initiativ", "beredning", "beslut", "pagaende")


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


@dataclass(frozen=True)
class EachYear:
    """Due by the end of every calendar year of the agreement (a yearly follow-up)."""


Deadline = After | Before | QuarterEachYear | QuartersOfFinalYear | EachYear
RECURRING_DEADLINES = (QuarterEachYear, EachYear)


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
    """Calendar months, clamped to the month's last day (31 jan + 1 month = 28/29 feb).
    Like add_days, it never leaves the calendar: a date too early or too late
    for it stops at the first or last day there is, so no stored date can make
    the deadline arithmetic fail."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year < MINYEAR:
        return date.min
    if year > MAXYEAR:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_days(day: date, days: int) -> date:
    """``day`` moved by ``days``, stopping at the ends of the calendar."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def agreement_years(dates: CaseDates) -> list[DueWindow]:
    """One window per calendar year of the agreement, clipped to its period."""
    start, end = dates.agreement_start, dates.agreement_end
    if start is None or end is None or end < start:
        return []
    return [
        DueWindow(opens=max(date(year, 1, 1), start), due=min(date(year, 12, 31), end))
        for year in range(start.year, end.year + 1)
    ]


def due_windows(deadline: Deadline, dates: CaseDates) -> list[DueWindow]:
    """Every window the deadline gives for a case; empty while the date it
    depends on is not known yet."""
    if isinstance(deadline, (After, Before)):
        anchor = dates.get(deadline.anchor)
        if anchor is None:
            return []
        sign = 1 if isinstance(deadline, After) else -1
        due = add_days(add_months(anchor, sign * deadline.months), sign * (deadline.days + 7 * deadline.weeks))
        return [DueWindow(opens=anchor if sign > 0 else None, due=due)]
    if isinstance(deadline, EachYear):
        return agreement_years(dates)
    start, end = dates.agreement_start, dates.agreement_end
    if start is None or end is None or end < start:
        return []
    if isinstance(deadline, QuarterEachYear):
        windows = []
        for year in range(start.year, end.year + 1):
            opens, due = quarter_bounds(year, deadline.quarter)
            if due >= start and opens <= end:
                windows.append(DueWindow(opens=max(opens, start), due=min(due, end)))
        return windows
    return [final_year_quarters(start, end, deadline.quarters)]


def final_year_quarters(start: date, end: date, quarters: tuple[int, ...]) -> DueWindow:
    """Quarters of the agreement's final year, counted from its start (JV-17).
    The final year is the agreement's last twelve months: for an agreement of
    whole years, the year that begins on the last anniversary of its start
    (for one that runs by calendar year, January to December of its last
    year). Its quarters two and earlier end at least six months before the
    agreement does, so the evaluation comes before the final report, also
    when the agreement ends in the first half of a year."""
    final = max(start, add_days(add_months(add_days(end, 1), -12), 0))
    first, last = min(quarters), max(quarters)
    opens = add_months(final, 3 * (first - 1))
    due = add_days(add_months(final, 3 * last), -1)
    return DueWindow(opens=max(opens, start), due=min(due, end))


def anniversary(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, where a day the month lacks
    rolls over to the next month's first: a year from 29 February 2028 is
    1 March 2029, so a one-year agreement from a leap day ends 28 February
    (JV-09). add_months clamps instead, which deadlines want."""
    moved = add_months(day, months)
    return add_days(moved, 1) if moved.day < day.day else moved


def months_running(window: DueWindow) -> int:
    """Calendar months in which the window has at least one day (JV-12's pro rata)."""
    opens = window.opens or window.due
    return (window.due.year - opens.year) * 12 + window.due.month - opens.month + 1


_NUMBERS = {1: "ett", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio", 10: "tio",
            11: "elva", 12: "tolv"}


def number_word(n: int) -> str:
    """Numbers up to twelve in words, as running Swedish text writes them
    (neuter: "ett möte"); larger ones in digits."""
    return _NUMBERS.get(n, str(n))

_UNITS = {"days": ("dag", "dagar"), "weeks": ("vecka", "veckor"), "months": ("månad", "månader")}


def _amount(count: int, unit: str) -> str:
    singular, plural = _UNITS[unit]
    word = number_word(count)
    if count == 1:
        word = "ett" if unit == "days" else "en"
    return f"{word} {singular if count == 1 else plural}"


def _quarters(quarters: tuple[int, ...]) -> str:
    names = [str(q) for q in sorted(quarters)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " eller " + names[-1]


def describe_deadline(deadline: Deadline | None) -> str:
    """The deadline in plain Swedish, for the process page and the workspace."""
    if deadline is None:
        return ""
    if isinstance(deadline, (After, Before)):
        parts = [_amount(n, unit) for unit, n in (("months", deadline.months), ("weeks", deadline.weeks),
                                                  ("days", deadline.days)) if n]
        anchor = ANCHORS[deadline.anchor]
        if not parts:
            return f"Vid {anchor}"
        span = " och ".join(parts)
        return f"Senast {span} efter {anchor}" if isinstance(deadline, After) else f"Senast {span} före {anchor}"
    if isinstance(deadline, QuarterEachYear):
        return f"Under kvartal {deadline.quarter} varje år som överenskommelsen gäller"
    if isinstance(deadline, QuartersOfFinalYear):
        return f"Under kvartal {_quarters(deadline.quarters)} av överenskommelsens sista år"
    return "Senast vid slutet av varje år som överenskommelsen gäller"


# ---------------------------------------------------------------- forms


@dataclass(frozen=True)
class FormDefinition:
    """A form of the process. Staff fill it in on the partnership, unless it
    ``produces`` a document kind: then it is the idéburna party's part of a
    step (a yearly report, its answers to an evaluation), filled in the
    portal when staff ask for that kind of document, and the submitted
    answers become the partnership's document of that kind."""

    key: str
    title: str
    fields: tuple[FormField, ...]
    template: str | None = None
    rule_ids: tuple[str, ...] = ()
    produces: str | None = None
    # For a form the organisation fills in: a position only its authorised
    # signatory (firmatecknare, ordförande) may send (JV-18); others may draft it.
    signatory_only: bool = False


# ---------------------------------------------------------------- steps


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document the process asks for, e.g. Järva's latest annual
    activity report (JV-05). Uploads are tagged with one of these keys."""

    key: str
    title: str


@dataclass(frozen=True)
class Requirement:
    """Something that must exist before a step can be completed. ``message`` is
    the Swedish sentence the workspace shows while it is missing.

    Kinds: ``field`` (a case field in CASE_FIELDS has a value), ``form`` (the
    form is filled in completely), ``document`` (a document of that kind is
    uploaded; for a recurring step, one since the step was last completed),
    ``decision`` (that step is completed), ``meetings`` (at least ``minimum``
    meetings of that kind are held; for a recurring step, within the year) and
    ``contributions`` (both parties declare a resource, GEN-03; ``ref`` empty).
    """

    kind: str
    ref: str
    message: str
    minimum: int = 1
    # For a document: one from each idéburen party (GEN-08: each takes its
    # own position, JV-18). A document counts for the party whose
    # representative sent it; one that staff uploaded counts only while the
    # partnership has a single idéburen party.
    each_party: bool = False


@dataclass(frozen=True)
class Condition:
    """An answer an outcome depends on: the outcome can be chosen only while
    field ``field`` of form ``form`` holds ``equals`` (TY-03: no continuing
    while procurement applies). ``message`` says why it cannot be chosen."""

    form: str
    field: str
    equals: str
    message: str


def must_be_yes(form: str, field: str, message: str) -> Condition:
    """An outcome's condition that a yes/no answer is "ja"."""
    return Condition(form, field, YES, message)


# ST-03: every assessment asks whether the activity is the administration's
# own statutory duty or myndighetsutövning; if it is, IOP is not the form.
STATUTORY_DUTY = "myndighetsuppdrag"


def statutory_duty_question() -> FormField:
    """The assessment's question of ST-03 (a "ja" must be motivated)."""
    return FormField(
        STATUTORY_DUTY, "Ingår verksamheten i förvaltningens egna lagstadgade uppgifter eller i myndighetsutövning?",
        "yesno", motivation_when=True,
        hint="Det som lagen ålägger kommunen att göra, och beslut om enskilda, är kommunens myndighetsuppdrag. "
             "IOP gäller samhällsinsatser utanför det.")


def outside_statutory_duties(form: str) -> Condition:
    """The outcome that goes on needs ST-03's "nej"; no exception is possible."""
    return Condition(form, STATUTORY_DUTY, NO,
                     "Verksamheten ingår i förvaltningens egna lagstadgade uppgifter eller i myndighetsutövning. "
                     "Då är IOP inte formen.")


@dataclass(frozen=True)
class Outcome:
    key: str
    title: str
    kind: str = "continue"
    redirect_to: str | None = None
    needs_reason: bool = False
    when: tuple[Condition, ...] = ()
    # For kind "restart": the step from which the process is done again.
    restart_at: str | None = None
    # A motivated exception (JV-21): the outcome can be chosen only while at
    # least one of these conditions is not met, and always needs a reason.
    exception_to: tuple[Condition, ...] = ()
    # Ending before its time on the agreement's own terms (JV-20): it needs
    # its reasons, not what an ending at expiry requires.
    early: bool = False


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
    # Done once per window of its deadline (QuarterEachYear or EachYear).
    recurring: bool = False
    # JV-16: a recurring step that is a precondition for going on. While one
    # of its windows has passed undone, no other step can be completed except
    # by an outcome that ends the partnership.
    precondition: bool = False
    # JV-04: completed after its deadline, it is recorded with its lateness
    # and needs a written reason.
    late_needs_reason: bool = False
    # The coarse status the partnership moves into when this step is completed.
    sets_status: str | None = None
    # JV-09: an agreement period of at most this many months may only be
    # decided with a written reason.
    short_agreement_months: int | None = None
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
    # The per-year minimum applies from the completion of this step (the signed
    # agreement), for every calendar year of the agreement.
    from_step: str | None = None
    # Who convenes these meetings: the yearly minimum shows among their deadlines.
    owner_roles: tuple[str, ...] = ()
    # Meetings of this kind count only when held on or after the day this
    # step was completed (JV-07: idea meetings once the review is done).
    counts_after: str | None = None
    rule_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgreementRule:
    """How the agreement is decided, signed and changed (GEN-09, JV-11).

    When ``decided_at_step`` is completed with an outcome that goes on, the
    newest document of ``draft_kind`` is the decided version: frozen, with its
    SHA-256. The kommun signs it in one of ``signatory_roles``, each idéburen
    party through its authorised signatory in the portal; when all have
    signed, the signed version is stored as ``signed_kind``. Afterwards the
    period, goals and contributions change only through an ändring decided
    in one of ``amended_by_roles``, which needs new signatures."""

    decided_at_step: str
    signatory_roles: tuple[str, ...]
    amended_by_roles: tuple[str, ...]
    draft_kind: str = "overenskommelse_forslag"
    signed_kind: str = "overenskommelse_signerad"
    # A step that assesses the proposal (Tyresö's barnets bästa, TY-05): its
    # assessment refers to the draft it assessed, and a version that differs
    # is signed only after an assessment of that version.
    assessed_at_step: str | None = None


@dataclass(frozen=True)
class ProcessDefinition:
    kommun: str
    version: int
    title: str
    phases: tuple[Phase, ...]
    forms: tuple[FormDefinition, ...] = ()
    meeting_rules: tuple[MeetingRule, ...] = ()
    document_kinds: tuple[DocumentKind, ...] = ()
    # What the kommun asks in an intresseanmälan beyond the platform's own
    # questions (Järva: how the challenge is shown, which goals it serves).
    application_fields: tuple[FormField, ...] = ()
    agreement: AgreementRule | None = None
    format_version: int = FORMAT_VERSION

    def steps(self) -> list[Step]:
        return [s for phase in self.phases for s in phase.steps]

    def phase_of(self, key: str) -> Phase | None:
        return next((p for p in self.phases if any(s.key == key for s in p.steps)), None)

    def document_kind(self, key: str) -> DocumentKind | None:
        return next((d for d in self.document_kinds if d.key == key), None)

    def steps_from(self, key: str) -> set[str]:
        """The step and every step that (transitively) comes after it."""
        reached = {key}
        changed = True
        while changed:
            changed = False
            for s in self.steps():
                if s.key not in reached and reached.intersection(s.after):
                    reached.add(s.key)
                    changed = True
        return reached

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps() if s.key == key), None)

    def organisation_form(self, kind: str) -> FormDefinition | None:
        """The form the idéburna party fills in to give a document of ``kind``."""
        return next((f for f in self.forms if f.produces == kind), None)

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
    forms = _validate_forms(process, template_keys, fail)
    document_kinds = set()
    for kind in process.document_kinds:
        if not KEY_PATTERN.match(kind.key) or kind.key in document_kinds or not kind.title.strip():
            fail(f"document kind '{kind.key}' is invalid, untitled or declared twice")
        document_kinds.add(kind.key)
    seen: set[str] = set()
    phase_keys: set[str] = set()
    for phase in process.phases:
        if not KEY_PATTERN.match(phase.key) or phase.key in phase_keys or not phase.steps:
            fail(f"phase '{phase.key}' is invalid, declared twice or has no steps")
        phase_keys.add(phase.key)
        for step in phase.steps:
            if not KEY_PATTERN.match(step.key) or step.key in seen:
                fail(f"step key '{step.key}' is invalid or declared twice")
            seen.add(step.key)
    meeting_kinds = set()
    for rule in process.meeting_rules:
        if not KEY_PATTERN.match(rule.kind) or rule.kind in meeting_kinds:
            fail(f"meeting kind '{rule.kind}' is invalid or declared twice")
        if rule.per_year_min is not None and rule.from_step not in seen:
            fail(f"meeting kind '{rule.kind}' has a yearly minimum but no known step it applies from")
        if rule.counts_after is not None and rule.counts_after not in seen:
            fail(f"meeting kind '{rule.kind}' counts after unknown step '{rule.counts_after}'")
        for role in rule.owner_roles:
            if roles.get(role) is None:
                fail(f"meeting kind '{rule.kind}' names owner role '{role}', which is not in the roles table")
        meeting_kinds.add(rule.kind)
    for step in process.steps():
        _validate_step(process, step, roles, template_keys, forms, document_kinds, meeting_kinds, seen, fail)
    _validate_organisation_forms(process, forms, document_kinds, fail)
    if (rule := process.agreement) is not None:
        if rule.decided_at_step not in seen:
            fail(f"the agreement is decided at unknown step '{rule.decided_at_step}'")
        if rule.assessed_at_step is not None and rule.assessed_at_step not in seen:
            fail(f"the agreement is assessed at unknown step '{rule.assessed_at_step}'")
        for kind in (rule.draft_kind, rule.signed_kind):
            if kind not in document_kinds:
                fail(f"the agreement's document kind '{kind}' is not declared")
        if not rule.signatory_roles or not rule.amended_by_roles:
            fail("the agreement needs the roles that sign it and the roles that decide a change")
        for role in (*rule.signatory_roles, *rule.amended_by_roles):
            if roles.get(role) is None:
                fail(f"the agreement names role '{role}', which is not in the roles table")
    _check_no_cycles(process, fail)
    for step in process.steps():
        for outcome in step.outcomes:
            if outcome.kind == "restart" and step.key not in process.steps_from(outcome.restart_at or step.key) - {outcome.restart_at}:
                fail(f"step '{step.key}' outcome '{outcome.key}' restarts at '{outcome.restart_at}', "
                     "which does not come before it")


def _validate_forms(process: ProcessDefinition, template_keys: set[str], fail) -> dict[str, FormDefinition]:
    forms: dict[str, FormDefinition] = {}
    for form in process.forms:
        if not KEY_PATTERN.match(form.key) or form.key in forms:
            fail(f"form key '{form.key}' is invalid or declared twice")
        forms[form.key] = form
        if form.template is not None and form.template not in template_keys:
            fail(f"form '{form.key}' names unknown template '{form.template}'")
        if not form.fields:
            fail(f"form '{form.key}' has no fields")
        validate_fields(f"form '{form.key}'", form.fields, fail)
    validate_fields("application_fields", process.application_fields, fail)
    return forms


def _validate_organisation_forms(process: ProcessDefinition, forms: dict[str, FormDefinition],
                                 document_kinds: set[str], fail) -> None:
    """A form the idéburna party fills in produces a declared document kind,
    one form per kind, and is no staff step's form: its answers are kept as
    that document, not as the partnership's form answers."""
    producing: dict[str, str] = {}
    staff_forms = {step.form for step in process.steps()} | {
        r.ref for step in process.steps() for r in step.requires if r.kind == "form"}
    for form in forms.values():
        if form.produces is None:
            if form.signatory_only:
                fail(f"form '{form.key}' is for the organisation's signatory but produces no document kind")
            continue
        if form.produces not in document_kinds:
            fail(f"form '{form.key}' produces unknown document kind '{form.produces}'")
        if form.produces in producing:
            fail(f"forms '{producing[form.produces]}' and '{form.key}' both produce '{form.produces}'")
        producing[form.produces] = form.key
        if form.key in staff_forms:
            fail(f"form '{form.key}' is filled in by the organisation and cannot be a step's form")


def _validate_step(process, step, roles, template_keys, forms, document_kinds, meeting_kinds, seen, fail) -> None:
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
    if step.form is not None and step.form not in forms:
        fail(f"{what} names unknown form '{step.form}'")
    if step.sets_status is not None and step.sets_status not in STEP_STATUSES:
        fail(f"{what} sets unknown status '{step.sets_status}' (known: {', '.join(STEP_STATUSES)})")
    deadline = step.deadline
    if isinstance(deadline, (After, Before)) and deadline.anchor not in ANCHORS:
        fail(f"{what} has a deadline from unknown date '{deadline.anchor}'")
    if isinstance(deadline, QuarterEachYear) and deadline.quarter not in (1, 2, 3, 4):
        fail(f"{what} has a deadline in quarter {deadline.quarter}")
    if isinstance(deadline, QuartersOfFinalYear) and (not deadline.quarters or not set(deadline.quarters) <= {1, 2, 3, 4}):
        fail(f"{what} has a deadline in quarters {deadline.quarters}")
    if step.recurring and not isinstance(step.deadline, RECURRING_DEADLINES):
        fail(f"{what} is recurring but its deadline does not recur (use QuarterEachYear or EachYear)")
    if step.recurring and (step.form is not None or any(r.kind == "form" for r in step.requires)):
        fail(f"{what} is recurring and cannot have a form (a form is filled once per partnership)")
    if not step.recurring and isinstance(step.deadline, RECURRING_DEADLINES):
        fail(f"{what} has a recurring deadline but is not marked recurring")
    if not step.outcomes:
        fail(f"{what} has no outcomes")
    outcome_keys = set()
    if step.precondition and not step.recurring:
        fail(f"{what} is a precondition but not recurring")
    if step.late_needs_reason and step.deadline is None:
        fail(f"{what} needs a reason when late but has no deadline")
    for outcome in step.outcomes:
        if not KEY_PATTERN.match(outcome.key) or outcome.key in outcome_keys:
            fail(f"{what} outcome key '{outcome.key}' is invalid or declared twice")
        outcome_keys.add(outcome.key)
        if outcome.kind not in OUTCOME_KINDS:
            fail(f"{what} outcome '{outcome.key}' has unknown kind '{outcome.kind}'")
        if outcome.kind == "redirect" and outcome.redirect_to not in REDIRECTS:
            fail(f"{what} outcome '{outcome.key}' redirects to unknown form of support '{outcome.redirect_to}'")
        if outcome.kind == "restart" and outcome.restart_at not in seen:
            fail(f"{what} outcome '{outcome.key}' restarts at unknown step '{outcome.restart_at}'")
        if step.recurring and outcome.kind == "restart":
            fail(f"{what} is recurring and cannot restart the process")
        if outcome.exception_to and not outcome.needs_reason:
            fail(f"{what} outcome '{outcome.key}' is an exception and must ask for a reason")
        if outcome.early and (outcome.kind != "end" or not outcome.needs_reason):
            fail(f"{what} outcome '{outcome.key}' ends early and must end the partnership with a reason")
        for cond in (*outcome.when, *outcome.exception_to):
            form = forms.get(cond.form)
            field_def = next((f for f in form.fields if f.key == cond.field), None) if form else None
            if field_def is None:
                fail(f"{what} outcome '{outcome.key}' depends on unknown field '{cond.form}.{cond.field}'")
            allowed = {YES, NO} if field_def.kind == "yesno" else {k for k, _ in field_def.choices}
            if field_def.kind not in ("yesno", "choice") or cond.equals not in allowed:
                fail(f"{what} outcome '{outcome.key}' compares '{cond.form}.{cond.field}' with '{cond.equals}', "
                     f"which it can never hold")
            if not cond.message.strip():
                fail(f"{what} outcome '{outcome.key}' has a condition without a message")
    if not any(o.kind in ("continue", "end") for o in step.outcomes):
        fail(f"{what} has no outcome that lets the process go on or end as planned")
    for req in step.requires:
        if req.kind not in REQUIREMENT_KINDS:
            fail(f"{what} has a requirement of unknown kind '{req.kind}'")
        if req.each_party and req.kind != "document":
            fail(f"{what} asks each party for something that is not a document ('{req.ref}')")
        if req.kind == "field" and req.ref not in CASE_FIELDS:
            fail(f"{what} requires unknown case field '{req.ref}' (known: {', '.join(CASE_FIELDS)})")
        if req.kind == "form" and req.ref not in forms:
            fail(f"{what} requires unknown form '{req.ref}'")
        if req.kind == "document" and req.ref not in document_kinds:
            fail(f"{what} requires a document of undeclared kind '{req.ref}'")
        if req.kind == "decision" and req.ref not in seen:
            fail(f"{what} requires a decision in unknown step '{req.ref}'")
        if req.kind == "meetings" and req.ref not in meeting_kinds:
            fail(f"{what} requires meetings of unknown kind '{req.ref}'")
        if req.minimum < 1:
            fail(f"{what} has a requirement with a minimum below one")
        if not req.message.strip():
            fail(f"{what} has a requirement without a message")
    if step.short_agreement_months is not None and step.short_agreement_months < 1:
        fail(f"{what} has a short-agreement limit below one month")


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
