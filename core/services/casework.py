"""Running partnerships through their process: which process a partnership
follows, the facts the engine reads, and completing a step.

Facts are loaded for many partnerships at once with one query per kind of
fact, so a page listing every deadline of a tenant costs the same few queries
whether it holds two partnerships or two hundred.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core import session_memo
from core.db import utcnow
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
from core.models import Decision, Document, FormResponse, Meeting, Organisation, Partnership, Party, Tenant, User
from core.models.meeting import CANCELLED, PLANNED
from core.plugin_api import RolesTable
from core.process import CaseDates, ProcessDefinition
from core.registry import KommunEntry, Registry
from core.services import ConflictError, agreements, audit
from core.services.permissions import acting_roles
from core.values import clean_text, too_long

MAX_MOTIVATION = 20_000


def process_of(registry: Registry, kommun: KommunEntry, p: Partnership) -> ProcessDefinition | None:
    """The process the partnership runs on: the version it was pinned to, or,
    for one registered before the engine, the tenant's newest. None when the
    pinned process is no longer installed."""
    if p.process_code is not None:
        entry = registry.kommuner.get(p.process_code)
        return entry.process(p.process_version) if entry is not None else None
    return newest_process(registry, kommun)


def newest_process(registry: Registry, kommun: KommunEntry) -> ProcessDefinition | None:
    """What a new partnership starts on: the kommun's newest version, or the
    generic default when the kommun declares no process."""
    return kommun.process() or registry.generic.process()


def roles_of(registry: Registry, process: ProcessDefinition) -> RolesTable:
    """The roles table the process's owner roles refer to."""
    return registry.kommuner[process.kommun].roles


def pin(p: Partnership, process: ProcessDefinition) -> None:
    p.process_code = process.kommun
    p.process_version = process.version


def case_dates(p: Partnership) -> CaseDates:
    return CaseDates(initiative=p.initiated_on, agreement_start=p.period_start, agreement_end=p.period_end)


def _fields(p: Partnership) -> frozenset[str]:
    present = {f for f in ("title", "samhallsutmaning", "goals", "target_group") if (getattr(p, f) or "").strip()}
    if p.period_start is not None:
        present.add("period_start")
    if p.period_end is not None:
        present.add("period_end")
    if any(party.role == "ideburen" and party.organisation_id for party in p.parties):
        present.add("organisation")
    if p.coordinator_id is not None:
        present.add("coordinator")
    return frozenset(present)


def _contributing_roles(p: Partnership) -> frozenset[str]:
    """The roles whose every party contributes: with several idéburna parties,
    each brings its own resources (GEN-03, GEN-08)."""
    roles = {party.role for party in p.parties}
    return frozenset(r for r in roles if all(party.contributions for party in p.parties if party.role == r))


# The facts' five statements, built once and run with the tenant and the
# partnerships bound: every partnership page and every step completed reads
# them, and building the expressions cost about as much as running them.
_TENANT, _IDS = bindparam("tenant_id"), bindparam("ids", expanding=True)
_DOCUMENTS = (select(Document.partnership_id, Document.kind, Document.uploaded_at, User.organisation_id)
              .outerjoin(User, User.id == Document.uploaded_by_id)
              .where(Document.tenant_id == _TENANT, Document.partnership_id.in_(_IDS)))
_IDEBURNA = (select(Party.partnership_id, Party.organisation_id, Organisation.name)
             .join(Organisation, Organisation.id == Party.organisation_id)
             .where(Party.tenant_id == _TENANT, Party.partnership_id.in_(_IDS), Party.role == "ideburen")
             .order_by(Party.partnership_id, Party.id))
_MEETINGS = (select(Meeting.partnership_id, Meeting.kind, Meeting.held_on, Meeting.status)
             .where(Meeting.tenant_id == _TENANT, Meeting.partnership_id.in_(_IDS), Meeting.status != CANCELLED))
_FORMS = (select(FormResponse.partnership_id, FormResponse.form_key, FormResponse.answers, FormResponse.updated_at)
          .where(FormResponse.tenant_id == _TENANT, FormResponse.partnership_id.in_(_IDS)))
_DECISIONS = (select(Decision.partnership_id, Decision.step_key, Decision.outcome_key, Decision.outcome_kind,
                     Decision.decided_at, Decision.period, Decision.motivation, Decision.role_title, User.name)
              .outerjoin(User, User.id == Decision.actor_id)
              .where(Decision.tenant_id == _TENANT, Decision.partnership_id.in_(_IDS))
              .order_by(Decision.decided_at, Decision.id))


def load_facts(session: Session, tenant: Tenant, partnerships: list[Partnership]) -> dict[int, CaseFacts]:
    """The engine's facts for each partnership (their parties and contributions
    must be loaded already, as the partnership service's queries do)."""
    ids = [p.id for p in partnerships]
    if not ids:
        return {}
    bound = {"tenant_id": tenant.id, "ids": ids}
    key = (tenant.id, tuple(ids))
    found = {kind: session_memo.read(session, (kind, key), tables,
                                     functools.partial(_read, session, statement, bound, build))
             for kind, (statement, build, tables) in _FACT_KINDS.items()}
    return {
        p.id: CaseFacts(
            dates=case_dates(p),
            fields=_fields(p),
            contributions=_contributing_roles(p),
            documents=found["documents"].get(p.id, ()),
            meetings=found["meetings"].get(p.id, ()),
            forms=dict(found["forms"].get(p.id, {})),
            decisions=found["decisions"].get(p.id, ()),
            ideburna=found["ideburna"].get(p.id, ()),
        )
        for p in partnerships
    }


def _read(session: Session, statement, bound: dict, build):
    return build(session.execute(statement, bound))


def _by_partnership(fact, rows) -> dict[int, tuple]:
    """Each row's fact (made from the row's columns after the partnership's
    id), by partnership, in the order of the rows."""
    found: dict[int, list] = defaultdict(list)
    for pid, *columns in rows:
        found[pid].append(fact(*columns))
    return {pid: tuple(facts) for pid, facts in found.items()}


def _party(organisation_id, name) -> tuple[int, str]:
    return organisation_id, name


def _meeting_fact(kind, held_on, status) -> MeetingFact:
    return MeetingFact(kind, held_on, planned=status == PLANNED)


def _decision_fact(step_key, outcome_key, outcome_kind, decided_at, period, motivation, role_title,
                   name) -> DecisionFact:
    return DecisionFact(step_key=step_key, outcome_key=outcome_key, outcome_kind=outcome_kind, decided_at=decided_at,
                        period=period, motivation=motivation, role_title=role_title, actor_name=name or "")


def _forms(rows) -> dict[int, dict[str, FormFact]]:
    forms: dict[int, dict[str, FormFact]] = defaultdict(dict)
    for pid, key, answers, at in rows:
        forms[pid][key] = FormFact(answers or {}, at)
    return dict(forms)


# Each kind of fact: its statement, what makes the facts of its rows, and the
# tables it reads, with those its row-level security policies read (party,
# sharing): a session that keeps its reads (core.session_memo) reads a kind
# again only after writing one of them.
_POLICIES = frozenset({"party", "sharing"})
_FACT_KINDS = {
    "documents": (_DOCUMENTS, functools.partial(_by_partnership, DocumentFact), _POLICIES | {"document", "app_user"}),
    "ideburna": (_IDEBURNA, functools.partial(_by_partnership, _party), _POLICIES | {"organisation"}),
    "meetings": (_MEETINGS, functools.partial(_by_partnership, _meeting_fact), _POLICIES | {"meeting"}),
    "forms": (_FORMS, _forms, _POLICIES | {"form_response"}),
    "decisions": (_DECISIONS, functools.partial(_by_partnership, _decision_fact), _POLICIES | {"decision", "app_user"}),
}


@dataclass(frozen=True)
class CaseView:
    """A partnership's process as the workspace shows it."""

    process: ProcessDefinition
    roles: RolesTable
    # The kommun's templates (mallar) by key, for the names the steps refer to.
    templates: dict[str, str]
    facts: CaseFacts
    progress: Progress

    def role_titles(self, keys: tuple[str, ...]) -> list[str]:
        return [r.title for k in keys if (r := self.roles.get(k)) is not None]


def case_view(session: Session, registry: Registry, kommun: KommunEntry, tenant: Tenant, p: Partnership,
              today: date) -> CaseView | None:
    process = process_of(registry, kommun, p)
    if process is None:
        return None
    facts = load_facts(session, tenant, [p])[p.id]
    entry = registry.kommuner[process.kommun]
    return CaseView(process, entry.roles, {t.key: t.name for t in entry.templates}, facts,
                    evaluate(process, facts, today))


def complete_step(
    session: Session,
    registry: Registry,
    kommun: KommunEntry,
    tenant: Tenant,
    actor: User,
    role_keys: tuple[str, ...],
    p: Partnership,
    *,
    step_key: str,
    outcome_key: str,
    motivation: str,
    expected_version: int,
    today: date,
) -> Decision:
    """Records the decision that completes a step, if the rules allow it.
    Raises TransitionRefused (nothing changes) or ConflictError when someone
    else changed the partnership since the page was read."""
    if p.version != expected_version:
        raise ConflictError()
    motivation = clean_text(motivation)
    if too_long(motivation, MAX_MOTIVATION):
        raise TransitionRefused(f"Motiveringen får vara högst {MAX_MOTIVATION} tecken.")
    view = case_view(session, registry, kommun, tenant, p, today)
    if view is None:
        raise TransitionRefused(
            f"Processen som partnerskapet följer ({p.process_code} version {p.process_version}) är inte installerad."
        )
    acting = acting_roles(view.roles.roles, p.coordinator_id, actor.id, role_keys)
    step = view.process.step(step_key)
    if step is not None and acting != role_keys and not set(acting) & set(step.owner_roles) \
            and set(role_keys) & set(step.owner_roles):
        named = session.get(User, p.coordinator_id)
        title = next(r.title for r in view.roles.roles if r.key in set(role_keys) & set(step.owner_roles))
        raise TransitionRefused(f"Steget ”{step.title}” görs av den som är utsedd till {title} för partnerskapet: "
                                f"{named.name if named else 'en annan person'}.")
    completion = check_completion(view.progress, view.facts, view.roles, step_key=step_key, outcome_key=outcome_key,
                                  motivation=motivation, role_keys=acting, today=today)
    rule = view.process.agreement
    goes_on = completion.outcome.kind == "continue"
    freezes = rule is not None and step_key == rule.decided_at_step and goes_on
    assesses = rule is not None and step_key == rule.assessed_at_step and goes_on
    if (freezes or assesses) and not agreements.has_draft(session, tenant, p, rule):
        raise TransitionRefused("Det finns inget förslag till överenskommelse att besluta om. "
                                "Skapa det från mallen eller ladda upp det först.")
    if p.process_code is None:
        pin(p, view.process)
    role = view.roles.get(completion.role_key)
    decision = Decision(
        tenant_id=tenant.id, partnership_id=p.id, process_code=view.process.kommun,
        process_version=view.process.version, round=completion.round, step_key=step_key, period=completion.period,
        outcome_key=completion.outcome.key, outcome_kind=completion.outcome.kind, motivation=motivation.strip(),
        actor_id=actor.id, role_key=completion.role_key, role_title=role.title if role else completion.role_key,
        decided_at=utcnow(),
    )
    session.add(decision)
    after = replace(view.facts, decisions=(*view.facts.decisions, DecisionFact(
        step_key=step_key, outcome_key=decision.outcome_key, outcome_kind=decision.outcome_kind,
        decided_at=decision.decided_at, period=decision.period)))
    before_status = p.status
    p.status = evaluate(view.process, after, today).status
    # Always touch the row: the version it bumps is what makes a second,
    # concurrent completion fail instead of being recorded twice.
    p.updated_at = utcnow()
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        raise ConflictError() from exc
    if assesses:
        # TY-05: the assessment is of the proposal as it is now.
        agreements.assess_newest_draft(session, tenant, p, rule, decision)
    if freezes:
        # GEN-09: the decided version is fixed from this moment.
        agreements.freeze(session, tenant, p, rule, decision)
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=p.id, action="complete_step",
                 before={"status": before_status},
                 after={"step": step_key, "period": decision.period, "outcome": decision.outcome_key,
                        "role": decision.role_key, "motivation": decision.motivation, "status": p.status,
                        **({"late_days": completion.late_days} if completion.late_days else {})})
    return decision
