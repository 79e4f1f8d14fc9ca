"""The process engine: where a partnership stands in its process, what is
still missing, what is due, and whether a step may be completed.

Everything here is a pure function of a process definition and plain facts
about one case (CaseFacts), so each rule can be proven without a database.
``core.services.casework`` loads the facts and writes the decisions.

How a case is read: its decisions are replayed oldest first. A decision with
a continuing outcome marks its step done; an ending outcome (end, stop,
redirect) ends the process; a restart (JV-19's renegotiation) starts a new
round in which the steps from the restart point on are to be done again. A
requirement counts only what was recorded after its step was last reset, so a
new round needs new idea meetings and a new proposal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from math import ceil

from core.forms import unanswered
from core.plugin_api import RolesTable
from core.process import (
    ENDING_KINDS,
    CaseDates,
    DueWindow,
    MeetingRule,
    Outcome,
    ProcessDefinition,
    Requirement,
    Step,
    agreement_years,
    anniversary,
    due_windows,
    months_running,
    number_word,
)

# A deadline this close counts as "due soon" on the overview.
SOON = timedelta(days=30)
PARTIES = frozenset({"offentlig", "ideburen"})

# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class DecisionFact:
    step_key: str
    outcome_key: str
    outcome_kind: str
    decided_at: datetime
    period: str = ""
    motivation: str = ""
    role_title: str = ""
    actor_name: str = ""


@dataclass(frozen=True)
class MeetingFact:
    kind: str
    held_on: date
    # A planned meeting is not yet shown to have happened: it counts towards
    # the most that may be held (JV-08), never towards a minimum.
    planned: bool = False

    def held_by(self, today: date) -> bool:
        return not self.planned and self.held_on <= today


@dataclass(frozen=True)
class DocumentFact:
    kind: str
    uploaded_at: datetime
    # The organisation whose representative sent it; None when staff uploaded it.
    organisation_id: int | None = None


@dataclass(frozen=True)
class FormFact:
    answers: Mapping[str, str]
    updated_at: datetime


@dataclass(frozen=True)
class CaseFacts:
    """What the engine needs to know about one partnership."""

    dates: CaseDates
    # Case fields (core.process.CASE_FIELDS) that have a value.
    fields: frozenset[str] = frozenset()
    # Parties ("offentlig", "ideburen") that declare at least one resource.
    contributions: frozenset[str] = frozenset()
    documents: tuple[DocumentFact, ...] = ()
    meetings: tuple[MeetingFact, ...] = ()
    forms: Mapping[str, FormFact] = field(default_factory=dict)
    # Oldest first.
    decisions: tuple[DecisionFact, ...] = ()
    # The idéburna parties: (organisation id, name), GEN-08.
    ideburna: tuple[tuple[int, str], ...] = ()


# ---------------------------------------------------------------- progress


@dataclass(frozen=True)
class Occurrence:
    """One window of a recurring step (JV-16's follow-up of one year)."""

    period: str
    window: DueWindow
    decision: DecisionFact | None


@dataclass(frozen=True)
class OutcomeChoice:
    outcome: Outcome
    # Why it cannot be chosen now; None when it can.
    blocked: str | None


@dataclass(frozen=True)
class StepProgress:
    step: Step
    phase_title: str
    # done: completed in this round; current: to be worked on now; upcoming:
    # its time has not come; waiting: earlier steps are not done; closed: the
    # process ended without it.
    state: str
    decision: DecisionFact | None = None
    history: tuple[DecisionFact, ...] = ()
    occurrences: tuple[Occurrence, ...] = ()
    # The occurrence this step is now about (recurring steps), and its window.
    period: str = ""
    window: DueWindow | None = None
    # Requirements not yet met; each has the Swedish message to show.
    missing: tuple[Requirement, ...] = ()
    outcomes: tuple[OutcomeChoice, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.step.key

    @property
    def open(self) -> bool:
        return self.state in ("current", "upcoming")


@dataclass(frozen=True)
class Obligation:
    """A yearly minimum of meetings (JV-12) for one calendar year."""

    rule: MeetingRule
    window: DueWindow
    held: int
    # The yearly minimum, pro rata in a partial first or last calendar year
    # (JV-12: rounded up to the months the agreement runs that year).
    required: int

    @property
    def met(self) -> bool:
        return self.held >= self.required

    @property
    def year(self) -> int:
        return self.window.due.year


@dataclass(frozen=True)
class Progress:
    process: ProcessDefinition
    steps: tuple[StepProgress, ...]
    obligations: tuple[Obligation, ...]
    status: str
    round: int
    ended: DecisionFact | None

    def step(self, key: str) -> StepProgress:
        return next(s for s in self.steps if s.key == key)

    @property
    def current(self) -> list[StepProgress]:
        return [s for s in self.steps if s.state == "current"]

    @property
    def current_phase(self) -> str | None:
        for s in self.steps:
            if s.state == "current":
                return s.phase_title
        done = [s for s in self.steps if s.state == "done"]
        return done[-1].phase_title if done else None


def deadline_state(window: DueWindow | None, today: date) -> str | None:
    """overdue, soon (within 30 days) or later; None without a deadline."""
    if window is None:
        return None
    if window.due < today:
        return "overdue"
    if window.due - today <= SOON:
        return "soon"
    return "later"


def _period(window: DueWindow) -> str:
    return str(window.due.year)


class _Replay:
    """The decisions read oldest first."""

    def __init__(self, process: ProcessDefinition, decisions: tuple[DecisionFact, ...]):
        self.done: dict[str, DecisionFact] = {}
        self.history: dict[str, list[DecisionFact]] = {}
        self.occurrences: dict[str, dict[str, DecisionFact]] = {}
        # When each step was last reset (by a restart) or, for a recurring
        # step, last completed: facts before that do not count for it.
        self.since: dict[str, datetime] = {}
        self.last_restart: datetime | None = None
        self.ended: DecisionFact | None = None
        self.round = 0
        recurring = {s.key for s in process.steps() if s.recurring}
        for d in decisions:
            self.history.setdefault(d.step_key, []).append(d)
            if d.outcome_kind in ENDING_KINDS:
                self.ended = d
                self.done[d.step_key] = d
            elif d.outcome_kind == "restart":
                step = process.step(d.step_key)
                outcome = next((o for o in step.outcomes if o.key == d.outcome_key), None) if step else None
                restart_at = outcome.restart_at if outcome else None
                self.round += 1
                self.last_restart = d.decided_at
                for key in process.steps_from(restart_at or d.step_key):
                    if key not in recurring:
                        self.done.pop(key, None)
                        self.since[key] = d.decided_at
            elif d.step_key in recurring:
                self.occurrences.setdefault(d.step_key, {})[d.period] = d
                self.since[d.step_key] = max(d.decided_at, self.since.get(d.step_key, d.decided_at))
            else:
                self.done[d.step_key] = d

    def ever_done(self, key: str | None) -> bool:
        """Completed in this round or an earlier one: a renegotiation runs
        beside the agreement in force, which keeps its follow-ups and
        meetings until it ends (JV-19)."""
        return key is not None and (key in self.done or any(
            d.outcome_kind == "continue" for d in self.history.get(key, ())))


def _missing(process: ProcessDefinition, step: Step, facts: CaseFacts, replay: _Replay, window: DueWindow | None,
             today: date) -> list[Requirement]:
    since = replay.since.get(step.key)
    if step.recurring and since is None:
        # The first follow-up needs its own underlag, not a document of the
        # same kind from before the step began (the nämnd's earlier tjänsteutlåtande).
        since = max((replay.done[k].decided_at for k in step.after if k in replay.done), default=None)
    unmet = []
    for req in step.requires:
        if req.kind == "field":
            met = req.ref in facts.fields
        elif req.kind == "contributions":
            met = PARTIES <= facts.contributions
        elif req.kind == "decision":
            met = req.ref in replay.done
        elif req.kind == "form":
            fact = facts.forms.get(req.ref)
            form = process.form(req.ref)
            met = (fact is not None and form is not None and not unanswered(form, fact.answers)
                   and (since is None or fact.updated_at > since))
        elif req.kind == "document" and req.each_party and len(facts.ideburna) > 1:
            sent = {d.organisation_id for d in facts.documents
                    if d.kind == req.ref and (since is None or d.uploaded_at > since)}
            unmet += [replace(req, message=f"{name}: {req.message}") for oid, name in facts.ideburna if oid not in sent]
            continue
        elif req.kind == "document":
            met = any(d.kind == req.ref and (since is None or d.uploaded_at > since) for d in facts.documents)
        elif req.kind == "meetings":
            held = [m for m in counted_meetings(process, facts, req.ref, today, replay)
                    if since is None or m.held_on >= since.date()]
            if step.recurring and window is not None:
                held = [m for m in held if (window.opens or window.due) <= m.held_on <= window.due]
            met = len(held) >= req.minimum
        else:  # validated at start-up; unreachable
            met = False
        if not met:
            unmet.append(req)
    return unmet


def _outcome_choices(step: Step, facts: CaseFacts) -> tuple[OutcomeChoice, ...]:
    choices = []
    for outcome in step.outcomes:
        blocked = None
        for cond in outcome.when:
            fact = facts.forms.get(cond.form)
            if fact is None or fact.answers.get(cond.field) != cond.equals:
                blocked = cond.message
                break
        if blocked is None and outcome.exception_to and all(
                (fact := facts.forms.get(cond.form)) is not None and fact.answers.get(cond.field) == cond.equals
                for cond in outcome.exception_to):
            blocked = "Inget undantag behövs: alla villkor är uppfyllda."
        choices.append(OutcomeChoice(outcome, blocked))
    return tuple(choices)


def earliest_counted(process: ProcessDefinition, facts: CaseFacts, kind: str,
                     replay: _Replay | None = None) -> date | None:
    """The first day a meeting of this kind can count for the case: its
    initiative (JV-04: a meeting before it is not its first meeting), or for
    a kind that counts only after a step, the day that step was completed
    (JV-07: idea meetings once the review is done); date.max while that step
    is not done; None when any day counts."""
    rule = process.meeting_rule(kind)
    earliest = facts.dates.initiative
    if rule is not None and rule.counts_after is not None:
        done = (replay or _Replay(process, facts.decisions)).done.get(rule.counts_after)
        if done is None:
            return date.max
        earliest = max(filter(None, (earliest, done.decided_at.date())))
    return earliest


def counted_meetings(process: ProcessDefinition, facts: CaseFacts, kind: str, today: date,
                     replay: _Replay | None = None) -> list[MeetingFact]:
    """The held meetings of a kind that count for the case (earliest_counted)."""
    earliest = earliest_counted(process, facts, kind, replay)
    return [m for m in facts.meetings if m.kind == kind and m.held_by(today)
            and (earliest is None or m.held_on >= earliest)]


def _meetings_since_restart(process: ProcessDefinition, facts: CaseFacts, kind: str, replay: _Replay,
                            today: date) -> int:
    start = replay.last_restart.date() if replay.last_restart else None
    return sum(1 for m in counted_meetings(process, facts, kind, today, replay)
               if start is None or m.held_on >= start)


def _notices(process: ProcessDefinition, step: Step, facts: CaseFacts, replay: _Replay, today: date) -> list[str]:
    """JV-08: after the usual number of idea meetings, stopping is offered."""
    notices = []
    for req in step.requires:
        rule = process.meeting_rule(req.ref) if req.kind == "meetings" else None
        if rule is None or rule.offer_stop_after is None:
            continue
        held = _meetings_since_restart(process, facts, rule.kind, replay, today)
        if held >= rule.offer_stop_after:
            text = (f"{number_word(held).capitalize()} {rule.title.lower()}n har hållits. Har parterna inte nått "
                    "samsyn kan processen avbrytas.")
            if rule.total_max is not None:
                left = rule.total_max - held
                text += (f" Högst {number_word(left)} till kan hållas." if left > 0
                         else " Fler kan inte hållas.")
            notices.append(text)
    return notices


def evaluate(process: ProcessDefinition, facts: CaseFacts, today: date) -> Progress:
    """Where the case stands today."""
    replay = _Replay(process, facts.decisions)
    steps = []
    for phase in process.phases:
        for step in phase.steps:
            steps.append(_step_progress(process, phase.title, step, facts, replay, today))
    gate = _overdue_precondition(steps, today)
    if gate is not None:
        steps = [replace(sp, notices=(*sp.notices, _blocked_by(gate)))
                 if sp.state == "current" and sp is not gate else sp for sp in steps]
    return Progress(
        process=process,
        steps=tuple(steps),
        obligations=tuple(_obligations(process, facts, replay, today)),
        status=_status(process, replay),
        round=replay.round,
        ended=replay.ended,
    )


def _step_progress(process, phase_title: str, step: Step, facts: CaseFacts, replay: _Replay, today: date) -> StepProgress:
    history = tuple(replay.history.get(step.key, ()))
    base = {"step": step, "phase_title": phase_title, "history": history}
    windows = due_windows(step.deadline, facts.dates) if step.deadline is not None else []
    if step.recurring:
        done = replay.occurrences.get(step.key, {})
        occurrences = tuple(Occurrence(_period(w), w, done.get(_period(w))) for w in windows)
        base["occurrences"] = occurrences
        pending = next((o for o in occurrences if o.decision is None), None)
    if replay.ended is not None:
        if step.key in replay.done and not step.recurring:
            return StepProgress(**base, state="done", decision=replay.done[step.key])
        return StepProgress(**base, state="closed")
    if not step.recurring and step.key in replay.done:
        return StepProgress(**base, state="done", decision=replay.done[step.key])
    if any(not (replay.ever_done(before) if step.recurring else before in replay.done) for before in step.after):
        return StepProgress(**base, state="waiting")
    if step.recurring:
        if occurrences and pending is None:
            return StepProgress(**base, state="done", decision=occurrences[-1].decision)
        window = pending.window if pending else None
        period = pending.period if pending else ""
    else:
        window = windows[0] if windows else None
        period = ""
    state = "upcoming" if window is None and step.recurring else "current"
    if window is not None and window.opens is not None and window.opens > today:
        state = "upcoming"
    return StepProgress(
        **base,
        state=state,
        period=period,
        window=window,
        missing=tuple(_missing(process, step, facts, replay, window, today)),
        outcomes=_outcome_choices(step, facts),
        notices=tuple(_notices(process, step, facts, replay, today)),
    )


def _obligations(process: ProcessDefinition, facts: CaseFacts, replay: _Replay, today: date) -> list[Obligation]:
    """JV-12: meetings per calendar year of the agreement, once the step the
    rule applies from is done; years that have not begun are left out."""
    if replay.ended is not None:
        return []
    result = []
    for rule in process.meeting_rules:
        if rule.per_year_min is None or not replay.ever_done(rule.from_step):
            continue
        for window in agreement_years(facts.dates):
            if window.opens is not None and window.opens > today:
                continue
            held = sum(1 for m in facts.meetings
                       if m.kind == rule.kind and m.held_by(today) and window.opens <= m.held_on <= window.due)
            required = ceil(rule.per_year_min * months_running(window) / 12)
            result.append(Obligation(rule, window, held, required))
    return result


def _status(process: ProcessDefinition, replay: _Replay) -> str:
    if replay.ended is not None:
        return "avslutad" if replay.ended.outcome_kind == "end" else "avbruten"
    status = "initiativ"
    for step in process.steps():
        if step.sets_status and step.key in replay.done:
            status = step.sets_status
    return status


# ---------------------------------------------------------------- completing a step


class TransitionRefused(Exception):
    """The rules do not allow this step to be completed now; ``message`` says
    why in Swedish, ``missing`` lists what is still needed."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.missing = missing


def _titles(roles: RolesTable, keys: tuple[str, ...]) -> str:
    titles = [r.title if (r := roles.get(k)) else k for k in keys]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " eller " + titles[-1]


def breaks_off(outcome: Outcome) -> bool:
    """Stopping or redirecting ends the process before its time."""
    return outcome.kind in ("stop", "redirect")


def needs_reason(outcome: Outcome) -> bool:
    """Breaking off always needs a written reason: the organisation is told why (JV-06, GEN-05)."""
    return outcome.needs_reason or breaks_off(outcome)


def is_short_agreement(dates: CaseDates, months: int) -> bool:
    """JV-09: an agreement of at most ``months`` months (one year: 12)."""
    start, end = dates.agreement_start, dates.agreement_end
    if start is None or end is None:
        return False
    return end < anniversary(start, months)


@dataclass(frozen=True)
class Completion:
    """A completion the rules allow: what to record."""

    step: Step
    outcome: Outcome
    period: str
    role_key: str
    round: int
    # Days after its deadline, for a step recorded with its lateness (JV-04).
    late_days: int = 0


def check_completion(
    progress: Progress,
    facts: CaseFacts,
    roles: RolesTable,
    *,
    step_key: str,
    outcome_key: str,
    motivation: str,
    role_keys: tuple[str, ...],
    today: date,
) -> Completion:
    """What may be recorded, or TransitionRefused with the reason."""
    process = progress.process
    step = process.step(step_key)
    if step is None:
        raise TransitionRefused("Steget finns inte i partnerskapets process.")
    title = f"”{step.title}”"
    if progress.ended is not None:
        ended = "avslutat" if progress.ended.outcome_kind == "end" else "avbrutet"
        raise TransitionRefused(f"Partnerskapet är {ended}. Inga fler steg kan slutföras.")
    acting = next((key for key in step.owner_roles if key in role_keys), None)
    if acting is None:
        raise TransitionRefused(f"Steget {title} slutförs av {_titles(roles, step.owner_roles)}. Din roll får inte slutföra det.")
    sp = progress.step(step_key)
    if sp.state == "done":
        raise TransitionRefused(f"Steget {title} är redan slutfört.")
    if sp.state == "waiting":
        pending = [f"”{process.step(k).title}”" for k in step.after if progress.step(k).state != "done"]
        listed = pending[0] if len(pending) == 1 else ", ".join(pending[:-1]) + " och " + pending[-1]
        raise TransitionRefused(f"Steget {title} kan inte slutföras ännu. Först behöver {listed} vara "
                                f"{'klart' if len(pending) == 1 else 'klara'}.")
    if step.recurring and not sp.period:
        raise TransitionRefused(f"Steget {title} kan inte slutföras förrän överenskommelsens start- och slutdatum är angivna.")
    choice = next((c for c in sp.outcomes if c.outcome.key == outcome_key), None)
    if choice is None:
        raise TransitionRefused("Välj vad som har beslutats.")
    # Breaking off needs no more documents, only its reasons; going on needs
    # everything the step asks for.
    gate = blocking_precondition(progress, today)
    if gate is not None and gate.key != step_key and choice.outcome.kind != "end":
        raise TransitionRefused(_blocked_by(gate))
    if sp.missing and not (breaks_off(choice.outcome) or choice.outcome.early):
        raise TransitionRefused(f"Steget {title} kan inte slutföras ännu. Det här saknas:",
                                tuple(r.message for r in sp.missing))
    if choice.blocked:
        raise TransitionRefused(f"”{choice.outcome.title}” kan inte väljas: {choice.blocked}")
    motivation = motivation.strip()
    if needs_reason(choice.outcome) and not motivation:
        raise TransitionRefused(f"Skriv en motivering till beslutet ”{choice.outcome.title}”.")
    if (step.short_agreement_months is not None and choice.outcome.kind == "continue" and not motivation
            and is_short_agreement(facts.dates, step.short_agreement_months)):
        raise TransitionRefused(
            f"Överenskommelsen gäller i högst {step.short_agreement_months} månader. Så korta överenskommelser ingås "
            "bara undantagsvis; skriv skälet i motiveringen."
        )
    late = lateness(progress, facts, sp, today) if step.late_needs_reason else 0
    if late > 0 and not motivation:
        raise TransitionRefused(
            f"Steget {title} skulle vara klart {sp.window.due.isoformat()} och är {late} "
            f"{'dag' if late == 1 else 'dagar'} sent. Skriv skälet till förseningen i motiveringen.")
    if sp.window is not None and sp.window.opens is not None and sp.window.opens > today and not motivation:
        raise TransitionRefused(
            f"Steget {title} görs normalt tidigast {sp.window.opens.isoformat()}. Skriv i motiveringen varför det görs redan nu."
        )
    return Completion(step=step, outcome=choice.outcome, period=sp.period, role_key=acting, round=progress.round,
                      late_days=max(late, 0))


def blocking_precondition(progress: Progress, today: date) -> StepProgress | None:
    """A precondition for going on whose window has passed undone (JV-16:
    a year's follow-up the nämnd has not approved)."""
    return _overdue_precondition(progress.steps, today)


def _overdue_precondition(steps, today: date) -> StepProgress | None:
    return next((sp for sp in steps if sp.step.precondition and sp.state == "current"
                 and sp.window is not None and sp.window.due < today), None)


def _blocked_by(gate: StepProgress) -> str:
    return (f"”{gate.step.title}” för {gate.period} skulle vara klar {gate.window.due.isoformat()} och är inte "
            "gjord. Den är en förutsättning för att partnerskapet ska fortsätta: till dess kan bara den, och ett "
            "avslut, göras.")


def lateness(progress: Progress, facts: CaseFacts, sp: StepProgress, today: date) -> int:
    """Days after its deadline the step is done: for a step that asks for a
    meeting, the day the first counted meeting was held (JV-04's first meeting)."""
    if sp.window is None:
        return 0
    kinds = [r.ref for r in sp.step.requires if r.kind == "meetings"]
    if kinds:
        replay = _Replay(progress.process, facts.decisions)
        held = sorted(m.held_on for kind in kinds for m in counted_meetings(progress.process, facts, kind, today, replay))
        if held:
            return (held[0] - sp.window.due).days
    return (today - sp.window.due).days


def check_new_meeting(progress: Progress, facts: CaseFacts, kind: str, held_on: date, today: date) -> None:
    """A meeting the rules do not allow is refused (JV-08: at most five idea meetings)."""
    rule = progress.process.meeting_rule(kind)
    if rule is None:
        raise TransitionRefused("Välj en mötestyp ur processen.")
    if progress.ended is not None:
        raise TransitionRefused("Partnerskapet är avslutat. Nya möten kan inte registreras.")
    if facts.dates.initiative is not None and held_on < facts.dates.initiative:
        raise TransitionRefused(
            f"Mötet är daterat före initiativet ({facts.dates.initiative.isoformat()}). Ärendets möten hålls "
            "tidigast den dag initiativet kom in; ett möte innan dess är inte ärendets första möte.")
    if rule.total_max is not None:
        replay = _Replay(progress.process, facts.decisions)
        start = replay.last_restart.date() if replay.last_restart else None
        count = sum(1 for m in facts.meetings if m.kind == kind and (start is None or m.held_on >= start))
        if count >= rule.total_max:
            raise TransitionRefused(
                f"Det finns redan {number_word(count)} {rule.title.lower()}n, vilket är det högsta antalet. "
                "Gå vidare med förslaget eller avbryt processen."
            )
