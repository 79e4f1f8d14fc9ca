"""Keeping each partnership's state as data (core.models.case_state).

Two things move a case's state: a change to its facts (the partnership, its
parties and contributions, decisions, meetings, forms, documents) and the
passing of time (a window opens, a planned meeting's day comes, a year ends).

- Changes: ``install`` puts listeners on a sessionmaker. A flush notes the
  partnerships whose facts it wrote; before the transaction commits, their
  state is recomputed and written in that same transaction. No service has to
  remember to do it, and a change and its state commit or fail together.
- Time: every state row records the first day on which time alone can change
  it (``changes_on``). ``core.jobs.refresh_case_states`` recomputes the rows
  whose day has come (``iop deadlines refresh``, daily).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from core import clock
from core.engine import CaseFacts, Progress, evaluate
from core.models import (
    CaseState,
    CaseTask,
    CaseTaskRole,
    Contribution,
    Decision,
    Document,
    FormResponse,
    Meeting,
    Partnership,
    Party,
    PluginActivation,
    Tenant,
)
from core.plugin_api import RolesTable
from core.process import ProcessDefinition, agreement_years, due_windows, number_word
from core.registry import Registry
from core.services import search_index
from core.services.casework import load_facts, process_of, roles_of
from core.services.partnerships import eager_parties

PENDING_KEY = "iop.case_state.pending"
TENANTS_KEY = "iop.case_state.tenants"
# Objects whose change can move the state of the partnership they belong to.
FACTS = (Partnership, Party, Contribution, Decision, Meeting, Document, FormResponse)


@dataclass(frozen=True)
class Task:
    position: int
    kind: str
    key: str
    period: str
    title: str
    detail: str
    state: str
    opens: date | None
    due: date | None
    owner_roles: tuple[str, ...]
    owner_titles: str


@dataclass(frozen=True)
class Computed:
    phase: str
    current_steps: str
    tasks: tuple[Task, ...]
    changes_on: date | None


def compute(process: ProcessDefinition, roles: RolesTable, facts: CaseFacts, today: date) -> Computed:
    """What is stored for one case: its open steps (current or upcoming, with
    a deadline or without), and the yearly meeting minimums not met that are
    still news (this year's, and the latest year that has ended)."""
    progress = evaluate(process, facts, today)

    def titles(keys: tuple[str, ...]) -> str:
        return "; ".join(r.title for k in keys if (r := roles.get(k)) is not None)

    tasks = [
        Task(position=order, kind="step", key=sp.step.key, period=sp.period, title=sp.step.title, detail=sp.period,
             state=sp.state, opens=sp.window.opens if sp.window else None, due=sp.window.due if sp.window else None,
             owner_roles=sp.step.owner_roles, owner_titles=titles(sp.step.owner_roles))
        for order, sp in enumerate(progress.steps) if sp.open
    ]
    tasks.extend(_next_in_line(progress, facts, titles))
    latest_ended = max((ob.year for ob in progress.obligations if ob.window.due < today), default=None)
    for ob in progress.obligations:
        # A year long gone cannot be mended; only the latest one is still news.
        if ob.met or (ob.window.due < today and ob.year != latest_ended):
            continue
        tasks.append(Task(
            position=len(progress.steps), kind="obligation", key=ob.rule.kind, period=str(ob.year),
            title=f"{ob.rule.title}n",
            detail=f"{ob.year}: {number_word(ob.held)} av minst {number_word(ob.required)} hållna",
            state="current", opens=ob.window.opens, due=ob.window.due, owner_roles=ob.rule.owner_roles,
            owner_titles=titles(ob.rule.owner_roles),
        ))
    return Computed(
        phase=progress.current_phase or "",
        current_steps="; ".join(sp.step.title for sp in progress.current),
        tasks=tuple(tasks),
        changes_on=_changes_on(process, facts, progress, today),
    )


def _next_in_line(progress: Progress, facts: CaseFacts, titles) -> list[Task]:
    """A step that waits only for the current ones, and whose deadline already
    runs (JV-04: the first meeting within four weeks of the initiative, while
    the initiative is still being received): stored as upcoming, with that
    deadline, so that its owners see it on their start page."""
    state = {sp.step.key: sp.state for sp in progress.steps}
    found = []
    for order, sp in enumerate(progress.steps):
        step = sp.step
        if sp.state != "waiting" or step.deadline is None or step.recurring:
            continue
        if not all(state.get(k) in ("done", "current") for k in step.after):
            continue
        windows = due_windows(step.deadline, facts.dates)
        if windows:
            found.append(Task(position=order, kind="step", key=step.key, period="", title=step.title, detail="",
                              state="upcoming", opens=windows[0].opens, due=windows[0].due,
                              owner_roles=step.owner_roles, owner_titles=titles(step.owner_roles)))
    return found


def _changes_on(process: ProcessDefinition, facts: CaseFacts, progress: Progress, today: date) -> date | None:
    """The first day after ``today`` on which the engine, given the same facts,
    could answer differently: a step's or a year's window opens (upcoming
    becomes current, a year's minimum begins) or a year ends (the year before
    it stops being news). A planned meeting counts only once marked held,
    which is a change of its own."""
    if progress.ended is not None:
        return None
    days: list[date] = []
    for step in process.steps():
        if step.deadline is not None:
            days.extend(w.opens for w in due_windows(step.deadline, facts.dates) if w.opens is not None)
    for window in agreement_years(facts.dates):
        days.append(window.opens)
        if window.due < date.max:
            days.append(window.due + timedelta(days=1))
    return min((d for d in days if d is not None and d > today), default=None)


# ---------------------------------------------------------------- storing


def recompute(session: Session, registry: Registry, partnership_ids: Iterable[int], today: date) -> int:
    """Computes and stores the state of these partnerships (those that still
    exist and that the session may see). Returns how many it stored."""
    from core.services.tenants import kommun_for  # tenants imports the partnership service

    ids = sorted(set(partnership_ids))
    if not ids:
        return 0
    partnerships = list(session.scalars(
        select(Partnership).where(Partnership.id.in_(ids)).options(*eager_parties())
    ))
    by_tenant: dict[int, list[Partnership]] = defaultdict(list)
    for p in partnerships:
        by_tenant[p.tenant_id].append(p)
    session.execute(delete(CaseState).where(CaseState.partnership_id.in_(ids)))
    session.execute(delete(CaseTaskRole).where(CaseTaskRole.task_id.in_(
        select(CaseTask.id).where(CaseTask.partnership_id.in_(ids)))))
    session.execute(delete(CaseTask).where(CaseTask.partnership_id.in_(ids)))
    # The search entries follow the partnership's own text (core.services.search_index).
    search_index.write(session, partnerships)
    states: list[dict] = []
    tasks: list[tuple[Partnership, Task]] = []
    for tenant_id, group in by_tenant.items():
        tenant = session.get(Tenant, tenant_id)
        kommun = kommun_for(session, registry, tenant)
        facts = load_facts(session, tenant, group)
        for p in group:
            process = process_of(registry, kommun, p)
            computed = None if process is None else compute(process, roles_of(registry, process), facts[p.id], today)
            states.append(_state_row(p, computed, today))
            tasks.extend((p, t) for t in (computed.tasks if computed else ()))
    _store(session, states, tasks)
    return len(partnerships)


def _state_row(p: Partnership, computed: Computed | None, today: date) -> dict:
    tasks = computed.tasks if computed else ()
    first = min((t for t in tasks if t.due is not None), key=lambda t: (t.due, t.position), default=None)
    return {
        "tenant_id": p.tenant_id, "partnership_id": p.id,
        "phase": computed.phase if computed else "", "current_steps": computed.current_steps if computed else "",
        "next_due": first.due if first else None, "next_title": first.title if first else "",
        "changes_on": computed.changes_on if computed else None, "computed_on": today,
        "process_known": computed is not None,
    }


def _store(session: Session, states: list[dict], tasks: list[tuple[Partnership, Task]]) -> None:
    """Writes the rows of many partnerships at once: three statements however
    many (the daily refresh recomputes hundreds per transaction)."""
    if states:
        session.execute(insert(CaseState), states)
    if not tasks:
        return
    ids = session.scalars(insert(CaseTask).returning(CaseTask.id, sort_by_parameter_order=True), [{
        "tenant_id": p.tenant_id, "partnership_id": p.id, "position": t.position, "kind": t.kind, "key": t.key,
        "period": t.period, "title": t.title, "detail": t.detail, "state": t.state, "opens": t.opens, "due": t.due,
        "owner_titles": t.owner_titles,
    } for p, t in tasks]).all()
    roles = [{"tenant_id": p.tenant_id, "task_id": task_id, "role": role, "due": t.due}
             for task_id, (p, t) in zip(ids, tasks, strict=True) for role in dict.fromkeys(t.owner_roles)]
    if roles:
        session.execute(insert(CaseTaskRole), roles)


# ---------------------------------------------------------------- listeners


def install(factory: sessionmaker, registry: Registry) -> None:
    """Keeps the state of every partnership a session changes up to date, in
    the transaction that changes it."""
    from sqlalchemy import event

    event.listen(factory, "after_flush", _note_changes)
    event.listen(factory, "before_commit", _make_recompute(registry))
    event.listen(factory, "after_rollback", _forget)


def _partnership_of(obj) -> int | None:
    if isinstance(obj, Partnership):
        return obj.id
    if isinstance(obj, Contribution):
        party = obj.__dict__.get("party")
        return party.partnership_id if party is not None else None
    return getattr(obj, "partnership_id", None)


def _note_changes(session: Session, _flush_context) -> None:
    pending: set[int] = session.info.setdefault(PENDING_KEY, set())
    tenants: set[int] = session.info.setdefault(TENANTS_KEY, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, FACTS):
            pid = _partnership_of(obj)
            if pid is not None:
                pending.add(pid)
        elif isinstance(obj, (PluginActivation, Tenant)):
            # The tenant's kommun, and so the process of its unpinned cases, may have changed.
            tenants.add(obj.tenant_id if isinstance(obj, PluginActivation) else obj.id)


def _make_recompute(registry: Registry):
    def before_commit(session: Session) -> None:
        # A flush during the recompute must not start it again.
        session.flush()
        pending: set[int] = session.info.pop(PENDING_KEY, set())
        tenants: set[int] = session.info.pop(TENANTS_KEY, set())
        if tenants:
            pending |= set(session.scalars(select(Partnership.id).where(Partnership.tenant_id.in_(tenants))))
        if pending:
            recompute(session, registry, pending, clock.today())
            session.flush()
            session.info.pop(PENDING_KEY, None)
            session.info.pop(TENANTS_KEY, None)

    return before_commit


def _forget(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
    session.info.pop(TENANTS_KEY, None)
