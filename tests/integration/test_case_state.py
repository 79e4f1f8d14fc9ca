"""The stored state of every partnership (core.services.case_state) is what
the engine says, after every change and as time passes.

The property test walks cases of every kommun through random sequences of
what staff do (work a step, hold or plan a meeting, change the period, add a
document, stop the case) and of days passing with the daily refresh, and after
each compares what is stored for every partnership with the engine's own
evaluation of that day."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from core import clock, jobs
from core.db import make_sessionmaker
from core.engine import TransitionRefused
from core.inputs import PartnershipInput
from core.models import CaseState, CaseTask, CaseTaskRole, Partnership
from core.services import ValidationError, case_state, documents, meetings, partnerships, tenants
from core.services.casework import load_facts, newest_process, process_of, roles_of
from core.tenancy import Scope
from core.walkthrough import Walker
from tests import factories

EXAMPLES = int(os.environ.get("IOP_STATE_EXAMPLES", "25"))
START = date(2026, 11, 23)
KOMMUNER = ("jarva", "hasselby-vallingby", "tyreso", "norrmalm")


def stored(db, p_id: int):
    state = db.get(CaseState, p_id)
    tasks = db.scalars(select(CaseTask).where(CaseTask.partnership_id == p_id)).all()
    roles = {}
    for task_id, role in db.execute(select(CaseTaskRole.task_id, CaseTaskRole.role)):
        roles.setdefault(task_id, set()).add(role)
    return (
        None if state is None else (state.phase, state.current_steps, state.next_due, state.next_title,
                                    state.process_known),
        sorted((t.position, t.kind, t.key, t.period, t.title, t.detail, t.state, t.opens, t.due, t.owner_titles,
                frozenset(roles.get(t.id, ()))) for t in tasks),
    )


def expected(db, registry, p: Partnership, today: date):
    tenant = p.tenant_id
    from core.models import Tenant

    t = db.get(Tenant, tenant)
    kommun = tenants.kommun_for(db, registry, t)
    process = process_of(registry, kommun, p)
    if process is None:
        return (("", "", None, "", False), [])
    facts = load_facts(db, t, [p])[p.id]
    computed = case_state.compute(process, roles_of(registry, process), facts, today)
    first = min((x for x in computed.tasks if x.due is not None), key=lambda x: (x.due, x.position), default=None)
    return (
        (computed.phase, computed.current_steps, first.due if first else None, first.title if first else "", True),
        sorted((x.position, x.kind, x.key, x.period, x.title, x.detail, x.state, x.opens, x.due, x.owner_titles,
                frozenset(x.owner_roles)) for x in computed.tasks),
    )


def assert_all_match(db, registry, today: date, only: int | None = None) -> None:
    db.expire_all()
    query = select(Partnership).options(*partnerships.eager_parties())
    ps = db.scalars(query if only is None else query.where(Partnership.id == only)).all()
    for p in ps:
        assert stored(db, p.id) == expected(db, registry, p, today), f"partnership {p.id} ({p.title}) on {today}"


@pytest.fixture
def walkers(db, registry, settings):
    result = {}
    for code in KOMMUNER:
        tenant = factories.tenant(db, registry, code)
        kommun = tenants.kommun_for(db, registry, tenant)
        staff = {role.key: factories.user(db, registry, f"{role.key}@{code}.test", (tenant, role.key))
                 for role in kommun.roles.roles}
        org = factories.organisation(db, tenant)
        result[code] = (Walker(db, registry, kommun, tenant, staff, settings.documents_dir, START), org)
    db.commit()
    return result


OPERATION = st.one_of(
    st.tuples(st.just("advance"), st.integers(1, 3)),
    # Into the running agreement, where yearly minimums and follow-ups live.
    st.tuples(st.just("running"), st.just(0)),
    st.tuples(st.just("meeting"), st.integers(0, 5), st.integers(-200, 60)),
    st.tuples(st.just("time"), st.integers(1, 500)),
    st.tuples(st.just("period"), st.integers(-900, 400), st.integers(20, 1500)),
    st.tuples(st.just("document"), st.integers(0, 5)),
    st.tuples(st.just("stop"), st.just(0)),
)


@pytest.mark.slow
def test_stored_state_is_the_engines_after_every_operation(db, engine, registry, walkers, monkeypatch):
    day = {"today": START}
    monkeypatch.setattr(clock, "today", lambda: day["today"])
    refresh_sessions = make_sessionmaker(engine, Scope.system(), registry=registry)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(code=st.sampled_from(KOMMUNER), started_days_ago=st.integers(0, 60),
           operations=st.lists(OPERATION, max_size=8))
    def run(code, started_days_ago, operations):
        walker, org = walkers[code]
        walker.today = day["today"]
        p = partnerships.create_partnership(db, walker.tenant, None, PartnershipInput.from_form({
            "title": f"Fall {code}", "organisation_id": str(org.id),
            "initiated_on": (day["today"] - timedelta(days=started_days_ago)).isoformat()}, day["today"]),
            process=newest_process(registry, walker.kommun))
        db.commit()
        assert_all_match(db, registry, day["today"])
        for op, a, *rest in operations:
            walker.today = day["today"]
            try:
                apply(db, walker, p, op, a, *rest, refresh_sessions=refresh_sessions, day=day)
                db.commit()
            except (TransitionRefused, ValidationError, RuntimeError):
                db.rollback()
            p = db.get(Partnership, p.id)
            # The case worked on after each operation; every case when time
            # has passed (the refresh touches them all) and after each example.
            assert_all_match(db, registry, day["today"], only=None if op == "time" else p.id)
        assert_all_match(db, registry, day["today"])

    run()


def apply(db, walker: Walker, p: Partnership, op: str, a: int, *rest, refresh_sessions, day) -> None:
    p = partnerships.get_partnership(db, walker.tenant, p.id)
    if op == "advance":
        walker.advance(p, steps=a)
    elif op == "running":
        start = date(day["today"].year, 1, 1)
        walker.advance(p, until_status="pagaende", period=(start, start + timedelta(days=3 * 365)))
    elif op == "meeting":
        view = walker.view(p)
        # The kinds with a yearly minimum first: their meetings move what is stored (JV-12).
        rules = sorted(view.process.meeting_rules, key=lambda r: not r.per_year_min)
        kinds = [rule.kind for rule in rules][: max(1, sum(1 for r in rules if r.per_year_min))]
        if not kinds:
            return
        meetings.register_meeting(db, walker.tenant, next(iter(walker.users.values())), p, view.progress, view.facts,
                                  factories.mform({"kind": kinds[a % len(kinds)],
                                                   "held_on": (day["today"] + timedelta(days=rest[0])).isoformat(),
                                                   "participants": "Båda parter", "minutes": "Anteckningar"}),
                                  day["today"])
    elif op == "time":
        day["today"] += timedelta(days=a)
        jobs.refresh_case_states(refresh_sessions, walker.registry, day["today"])
    elif op == "period":
        values = partnerships.form_values(p)
        start = day["today"] + timedelta(days=a)
        values.update(period_start=start.isoformat(), period_end=(start + timedelta(days=rest[0])).isoformat())
        partnerships.update_partnership(db, walker.tenant, next(iter(walker.users.values())), p,
                                        PartnershipInput.from_form(values, day["today"]), p.version)
    elif op == "document":
        kinds = [k.key for k in walker.view(p).process.document_kinds] or ["ovrigt"]
        documents.store_document(db, walker.documents_dir, walker.tenant, next(iter(walker.users.values())),
                                 partnership=p, kind=kinds[a % len(kinds)], title="Underlag", filename="underlag.txt",
                                 content=b"Underlag\n")
    elif op == "stop":
        walker.stop(p)


def test_the_daily_refresh_is_idempotent_and_touches_only_what_time_moved(db, engine, registry, walkers):
    walker, org = walkers["jarva"]
    today = clock.today()
    p = factories.partnership(db, walker.tenant, "Vänta", process=newest_process(registry, walker.kommun),
                              organisation_id=org.id, initiated_on=today.isoformat(),
                              period_start=(today + timedelta(days=100)).isoformat(),
                              period_end=(today + timedelta(days=1000)).isoformat())
    db.commit()
    sessions = make_sessionmaker(engine, Scope.system(), registry=registry)
    # Everything was computed when it was written: nothing for time to move today.
    assert jobs.refresh_case_states(sessions, registry, today) == 0
    # The agreement's first year opens on its first day.
    assert db.get(CaseState, p.id).changes_on == today + timedelta(days=100)
    assert jobs.refresh_case_states(sessions, registry, today + timedelta(days=99)) == 0
    assert jobs.refresh_case_states(sessions, registry, today + timedelta(days=100)) == 1
    assert jobs.refresh_case_states(sessions, registry, today + timedelta(days=100)) == 0


def test_a_database_without_stored_state_gets_it_from_the_refresh(db, engine, owner_url, registry, walkers):
    """What `iop db upgrade` does after the migration that adds the tables."""
    walker, org = walkers["tyreso"]
    p = factories.partnership(db, walker.tenant, "Från förr", process=newest_process(registry, walker.kommun),
                              organisation_id=org.id, initiated_on=START.isoformat())
    db.commit()
    from sqlalchemy import create_engine, text

    owner = create_engine(owner_url)
    with owner.begin() as conn:
        conn.execute(text("DELETE FROM case_task_role"))
        conn.execute(text("DELETE FROM case_task"))
        conn.execute(text("DELETE FROM case_state"))
    owner.dispose()
    assert jobs.refresh_case_states(make_sessionmaker(engine, Scope.system(), registry=registry), registry, clock.today()) >= 1
    assert_all_match(db, registry, clock.today())
    assert db.get(CaseState, p.id) is not None


def test_jv_12_a_meeting_alone_moves_the_stored_yearly_minimum(db, registry, walkers):
    """Registering a steering group meeting changes nothing on the partnership
    row itself, yet the year's count on the start page must follow (JV-12)."""
    walker, org = walkers["jarva"]
    today = clock.today()
    walker.today = today
    p = factories.partnership(db, walker.tenant, "Styrgrupp", process=newest_process(registry, walker.kommun),
                              organisation_id=org.id, initiated_on=today.isoformat())
    start = date(today.year, 1, 1)
    walker.advance(p, until_status="pagaende", period=(start, start + timedelta(days=3 * 365)))
    db.commit()
    before = {t.key: t.detail for t in db.scalars(select(CaseTask).where(
        CaseTask.partnership_id == p.id, CaseTask.kind == "obligation"))}
    rule = next(r for r in walker.view(p).process.meeting_rules if r.per_year_min and r.kind in before)
    view = walker.view(p)
    meetings.register_meeting(db, walker.tenant, None, p, view.progress, view.facts, factories.mform({
        "kind": rule.kind, "held_on": today.isoformat(), "participants": "Båda parter", "minutes": "Anteckningar"}),
        today)
    db.commit()
    assert_all_match(db, registry, today)
    after = {t.key: t.detail for t in db.scalars(select(CaseTask).where(
        CaseTask.partnership_id == p.id, CaseTask.kind == "obligation"))}
    assert after.get(rule.kind) != before[rule.kind]
