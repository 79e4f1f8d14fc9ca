"""Building a case's facts step by step for engine-level tests, without a
database: the engine reads plain facts, so a rule can be proven in a few lines."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

import pytest

from core.engine import (
    CaseFacts,
    DecisionFact,
    DocumentFact,
    FormFact,
    MeetingFact,
    Progress,
    TransitionRefused,
    check_completion,
    evaluate,
)
from core.forms import motivation_key, needs_motivation
from core.plugin_api import RolesTable
from core.process import NO, YES, CaseDates, ProcessDefinition


def at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


@dataclass
class Case:
    process: ProcessDefinition
    roles: RolesTable
    today: date
    facts: CaseFacts = field(default_factory=lambda: CaseFacts(dates=CaseDates()))
    # Every recorded fact happens on the case's today, each a moment after the one before.
    clock: datetime | None = None

    def _tick(self) -> datetime:
        self.clock = max(self.clock + timedelta(minutes=1) if self.clock else at(self.today), at(self.today))
        return self.clock

    @property
    def progress(self) -> Progress:
        return evaluate(self.process, self.facts, self.today)

    def dates(self, **dates) -> Case:
        self.facts = replace(self.facts, dates=replace(self.facts.dates, **dates))
        return self

    def fields(self, *names: str) -> Case:
        self.facts = replace(self.facts, fields=self.facts.fields | set(names))
        return self

    def contributions(self, *parties: str) -> Case:
        self.facts = replace(self.facts, contributions=self.facts.contributions | set(parties))
        return self

    def document(self, kind: str, organisation_id: int | None = None) -> Case:
        """A document of the kind, uploaded by staff or sent by an organisation's representative."""
        self.facts = replace(self.facts, documents=(*self.facts.documents,
                                                    DocumentFact(kind, self._tick(), organisation_id)))
        return self

    def meeting(self, kind: str, held_on: date | None = None) -> Case:
        self.facts = replace(self.facts, meetings=(*self.facts.meetings, MeetingFact(kind, held_on or self.today)))
        return self

    def form(self, key: str, **answers: str) -> Case:
        self.facts = replace(self.facts, forms={**self.facts.forms, key: FormFact(answers, self._tick())})
        return self

    def complete_form(self, key: str, **overrides: str) -> Case:
        """Every question answered in favour of going on: yes/no with the
        answer that needs no motivation ('ja', or 'nej' where a 'ja' must be
        motivated), the first choice, some text."""
        form = self.process.form(key)
        answers = {}
        for f in form.fields:
            yes_no = NO if f.motivation_when is True else YES
            answers[f.key] = {"yesno": yes_no, "choice": f.choices[0][0] if f.choices else "", "date": "2026-01-01",
                              "amount": "0"}.get(f.kind, "Text.")
        answers.update(overrides)
        return self.form(key, **answers)

    def check(self, step: str, outcome: str = "fortsatt", *, role: str, motivation: str = ""):
        return check_completion(self.progress, self.facts, self.roles, step_key=step, outcome_key=outcome,
                                motivation=motivation, role_keys=(role,), today=self.today)

    def complete(self, step: str, outcome: str = "fortsatt", *, role: str, motivation: str = "") -> Case:
        """Completes the step through the engine's own check, as the service does."""
        completion = self.check(step, outcome, role=role, motivation=motivation)
        decision = DecisionFact(step_key=step, outcome_key=outcome, outcome_kind=completion.outcome.kind,
                                decided_at=self._tick(), period=completion.period, motivation=motivation)
        self.facts = replace(self.facts, decisions=(*self.facts.decisions, decision))
        return self

    def state(self, step: str) -> str:
        return self.progress.step(step).state

    # ------------------------------------------------------------ walking

    def supply(self, step: str) -> Case:
        """Adds whatever the current step still needs, answering its forms so
        that going on is possible."""
        sp = self.progress.step(step)
        for req in sp.missing:
            if req.kind == "field":
                self.fields(req.ref)
                if req.ref == "period_start" and self.facts.dates.agreement_start is None:
                    self.dates(agreement_start=date(self.today.year + 1, 1, 1))
                if req.ref == "period_end" and self.facts.dates.agreement_end is None:
                    self.dates(agreement_end=date(self.today.year + 3, 12, 31))
            elif req.kind == "contributions":
                self.contributions("offentlig", "ideburen")
            elif req.kind == "document":
                self.document(req.ref)
            elif req.kind == "meetings":
                day = min(sp.window.due, self.today) if sp.window and sp.step.recurring else self.today
                for _ in range(req.minimum):
                    self.meeting(req.ref, day)
            elif req.kind == "form":
                answers = {}
                for s in self.process.steps():
                    going_on = next((o for o in s.outcomes if o.kind in ("continue", "end")), None)
                    for cond in going_on.when if going_on else ():
                        if cond.form == req.ref:
                            answers[cond.field] = cond.equals
                for f in self.process.form(req.ref).fields:
                    if needs_motivation(f, answers.get(f.key, YES if f.kind == "yesno" else "")):
                        answers[motivation_key(f)] = "Motiverat."
                self.complete_form(req.ref, **answers)
        return self

    def go_on(self, step: str, motivation: str = "Motiverat.") -> Case:
        """Supplies and completes the step in its first owner role with its first outcome that goes on."""
        self.supply(step)
        sp = self.progress.step(step)
        outcome = next(c.outcome.key for c in sp.outcomes if not c.blocked and c.outcome.kind in ("continue", "end"))
        return self.complete(step, outcome, role=sp.step.owner_roles[0], motivation=motivation)

    def walk_until(self, step: str) -> Case:
        """Completes current steps in process order until ``step`` is current."""
        for _ in range(100):
            if self.state(step) == "current":
                return self
            current = [s for s in self.progress.current if s.key != step]
            if not current:
                raise AssertionError(f"'{step}' never became current: {[(s.key, s.state) for s in self.progress.steps]}")
            self.go_on(current[0].key)
        raise AssertionError("walked too far")


def refused(c: Case, step: str, outcome: str = "fortsatt", *, role: str, motivation: str = "") -> TransitionRefused:
    """The engine's refusal of completing ``step``; fails the test if it is allowed."""
    with pytest.raises(TransitionRefused) as info:
        c.check(step, outcome, role=role, motivation=motivation)
    return info.value
