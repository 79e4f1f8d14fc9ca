"""A tenant's process page: the diagram generated from its definition, and the
list of phases, steps, owner roles, deadlines and templates.

The list is the diagram's full text alternative, so it says in words what the
diagram draws: which steps come before each step, and where the process can end.
The Swedish sentences are made here, where they can be read and tested, rather
than pieced together in the template.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Response

from core.plugin_api import GENERIC_ROLES
from core.process import (
    REDIRECTS,
    FormDefinition,
    MeetingRule,
    Outcome,
    ProcessDefinition,
    Step,
    describe_deadline,
    number_word,
)
from core.registry import KommunEntry
from core.services.casework import newest_process
from web import page_cache
from web.context import RequestContext, Requires, in_worker_thread
from web.diagram import Diagram, layout
from web.rendering import page

_FIELD_KINDS = {"text": "text", "yesno": "ja eller nej", "date": "datum", "amount": "belopp", "choice": "val"}


@dataclass(frozen=True)
class OutcomeView:
    title: str
    note: str


@dataclass(frozen=True)
class StepView:
    key: str
    number: int
    title: str
    description: str
    owners: tuple[str, ...]
    after: tuple[str, ...]
    deadline: str
    recurring: bool
    templates: tuple[str, ...]
    form: str | None
    outcomes: tuple[OutcomeView, ...]
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class PhaseView:
    key: str
    number: int
    title: str
    steps: tuple[StepView, ...]


@dataclass(frozen=True)
class MeetingView:
    title: str
    rule: str
    convened_by: tuple[str, ...]
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class FormView:
    title: str
    questions: tuple[tuple[str, str], ...]
    template: str | None
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class ProcessView:
    definition: ProcessDefinition
    diagram: Diagram
    phases: tuple[PhaseView, ...]
    meetings: tuple[MeetingView, ...]
    forms: tuple[FormView, ...]
    documents: tuple[str, ...]

    @property
    def step_count(self) -> int:
        return sum(len(p.steps) for p in self.phases)


def _sentences(parts: list[str]) -> str:
    """Clauses as sentences: each starts with a capital letter and ends with a full stop."""
    return " ".join(p[:1].upper() + p[1:] + "." for p in parts)


def _outcome_note(outcome: Outcome, step_refs: dict[str, str]) -> str:
    other_support = REDIRECTS.get(outcome.redirect_to or "", "annat stöd").lower()
    notes = {
        "end": "partnerskapet avslutas",
        "stop": "processen avbryts",
        "redirect": f"processen avbryts och parten hänvisas till {other_support}",
        "restart": f"processen går tillbaka till {step_refs.get(outcome.restart_at or '', 'ett tidigare steg')}",
    }
    parts = [notes[outcome.kind]] if outcome.kind in notes else []
    if outcome.needs_reason:
        parts.append("kräver en skriftlig motivering")
    return _sentences(parts)


def _outcomes(step: Step, step_refs: dict[str, str]) -> tuple[OutcomeView, ...]:
    # A step with only the plain "go on" has nothing to choose between.
    if len(step.outcomes) == 1 and step.outcomes[0].kind == "continue" and not step.outcomes[0].needs_reason:
        return ()
    return tuple(OutcomeView(o.title, _outcome_note(o, step_refs)) for o in step.outcomes)


def _meeting_rule(rule: MeetingRule, step_refs: dict[str, str]) -> str:
    parts = []
    if rule.per_year_min:
        yearly = f"minst {number_word(rule.per_year_min)} per år"
        if rule.from_step:
            yearly += f" från och med {step_refs.get(rule.from_step, rule.from_step)}"
        parts.append(yearly)
    if rule.total_max:
        parts.append(f"högst {number_word(rule.total_max)} totalt")
    if rule.offer_stop_after:
        parts.append(f"efter {number_word(rule.offer_stop_after)} möten utan samsyn kan processen avbrytas")
    return _sentences(parts) if parts else "Inget krav på antal."


def process_view(process: ProcessDefinition, kommun: KommunEntry) -> ProcessView:
    """Everything the page shows about one version of a process."""
    role_titles = {r.key: r.title for r in kommun.roles.roles}
    template_names = {t.key: t.name for t in kommun.templates}
    numbers = {s.key: n for n, s in enumerate(process.steps(), start=1)}
    step_names = {s.key: f"{numbers[s.key]}. {s.title}" for s in process.steps()}
    # How a sentence refers to a step: "steg 6 (Idémöten)".
    step_refs = {s.key: f"steg {numbers[s.key]} ({s.title})" for s in process.steps()}

    def step_view(step: Step) -> StepView:
        form = process.form(step.form) if step.form else None
        return StepView(
            key=step.key,
            number=numbers[step.key],
            title=step.title,
            description=step.description,
            owners=tuple(role_titles.get(k, k) for k in step.owner_roles),
            after=tuple(step_names.get(k, k) for k in step.after),
            deadline=describe_deadline(step.deadline),
            recurring=step.recurring,
            templates=tuple(template_names.get(k, k) for k in step.templates),
            form=form.title if form else step.form,
            outcomes=_outcomes(step, step_refs),
            rule_ids=step.rule_ids,
        )

    def form_view(form: FormDefinition) -> FormView:
        questions = tuple((f.label, _FIELD_KINDS.get(f.kind, f.kind)) for f in form.fields)
        template = template_names.get(form.template, form.template) if form.template else None
        return FormView(form.title, questions, template, form.rule_ids)

    return ProcessView(
        definition=process,
        diagram=layout(process, role_titles),
        phases=tuple(
            PhaseView(phase.key, n, phase.title, tuple(step_view(s) for s in phase.steps))
            for n, phase in enumerate(process.phases, start=1)
        ),
        meetings=tuple(
            MeetingView(rule.title, _meeting_rule(rule, step_refs),
                        tuple(role_titles.get(k, k) for k in rule.owner_roles), rule.rule_ids)
            for rule in process.meeting_rules
        ),
        forms=tuple(form_view(f) for f in process.forms),
        documents=tuple(d.title for d in process.document_kinds),
    )


class ProcessPageController(Controller):
    path = "/k/{code:str}/process"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    @get("/", opt={page_cache.OPT: True})  # kept as rendered until the data moves (web.page_cache)
    @in_worker_thread
    def process(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        access = ctx.access
        registry = request.app.state.ctx.registry
        # What a new partnership starts on: the kommun's newest process, or the national guidance.
        definition = newest_process(registry, access.kommun)
        view = process_view(definition, registry.kommuner[definition.kommun]) if definition is not None else None
        return page(request, "workspace/process.html", access=access, tenant=access.tenant, kommun=access.kommun,
                    generic_roles=GENERIC_ROLES, process=view)
