"""The process engine through its services, on SQLite and PostgreSQL: what is
recorded when a step is completed, what a refusal leaves untouched, and what
two people working at once get."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from core import clock
from core.engine import TransitionRefused
from core.models import AuditEvent, Decision, Meeting
from core.registry import build_plugin_manager, build_registry
from core.db import make_sessionmaker
from core.tenancy import Scope, set_scope
from core.services import ConflictError, ValidationError, case_forms, casework, deadlines, meetings, partnerships, tenants
from core.services.casework import newest_process
from tests import factories

TODAY = clock.today()


@pytest.fixture
def jarva(world, db, registry):
    kommun = tenants.kommun_for(db, registry, world.jarva)
    staff = {role: factories.user(db, registry, f"{role}@jarva.test", (world.jarva, role))
             for role in ("stabsenhet", "stadsdelsdirektor", "avdelningschef")}
    db.commit()
    return kommun, staff


def _complete(db, registry, kommun, world, user, role, p, step="initiativ", outcome="fortsatt", motivation="",
              version=None):
    return casework.complete_step(db, registry, kommun, world.jarva, user, (role,), p, step_key=step,
                                  outcome_key=outcome, motivation=motivation,
                                  expected_version=p.version if version is None else version, today=TODAY)


def _received(db, registry, kommun, world, p):
    view = casework.case_view(db, registry, kommun, world.jarva, p, TODAY)
    case_forms.save_form(db, world.jarva, world.jarva_staff, p, view.progress, view.process.form("initiativ"),
                         {"ursprung": "civilsamhallet", "verksamhetside": "Läxhjälp", "karnverksamhet": "Skola"}, 0)


def test_gen_05_completing_a_step_records_who_decided_what_in_which_role_and_why(world, db, registry, jarva):
    kommun, staff = jarva
    p = world.jarva_partnership
    _received(db, registry, kommun, world, p)
    decision = _complete(db, registry, kommun, world, staff["stabsenhet"], "stabsenhet", p, motivation="Anmält av skolan.")
    db.commit()
    saved = db.get(Decision, decision.id)
    assert (saved.step_key, saved.outcome_key, saved.role_key, saved.role_title, saved.actor_id, saved.motivation) == (
        "initiativ", "fortsatt", "stabsenhet", "Stabsenhet, administrativa avdelningen", staff["stabsenhet"].id,
        "Anmält av skolan.")
    assert (saved.process_code, saved.process_version) == ("jarva", 1)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "complete_step"))
    assert event.actor_id == staff["stabsenhet"].id and event.after["step"] == "initiativ"


def test_only_an_owner_role_may_complete_a_step_and_a_refusal_changes_nothing(world, db, registry, jarva):
    kommun, staff = jarva
    p = world.jarva_partnership
    _received(db, registry, kommun, world, p)
    db.commit()
    version, status = p.version, p.status
    with pytest.raises(TransitionRefused, match="slutförs av Handläggare eller Stabsenhet"):
        _complete(db, registry, kommun, world, staff["avdelningschef"], "avdelningschef", p)
    with pytest.raises(TransitionRefused, match="Först behöver ”Ta emot initiativet” vara klart"):
        _complete(db, registry, kommun, world, staff["stabsenhet"], "stabsenhet", p, step="forsta_mote")
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Decision)) == 0
    db.refresh(p)
    assert (p.version, p.status) == (version, status)


def test_two_people_completing_one_step_at_once_the_second_gets_a_conflict(world, db, registry, jarva, engine):
    kommun, staff = jarva
    p = world.jarva_partnership
    _received(db, registry, kommun, world, p)
    db.commit()
    read_version = p.version
    _complete(db, registry, kommun, world, staff["stabsenhet"], "stabsenhet", p)
    db.commit()
    with make_sessionmaker(engine)() as other:
        set_scope(other, Scope.of_tenant(world.jarva.id))
        stale = partnerships.get_partnership(other, world.jarva, p.id)
        with pytest.raises(ConflictError):
            casework.complete_step(other, registry, kommun, world.jarva, world.jarva_staff, ("handlaggare",), stale,
                                   step_key="initiativ", outcome_key="fortsatt", motivation="",
                                   expected_version=read_version, today=TODAY)
    assert db.scalar(select(func.count()).select_from(Decision)) == 1


def test_gen_05_decisions_are_append_only_in_the_database(world, db, registry, jarva):
    kommun, staff = jarva
    p = world.jarva_partnership
    _received(db, registry, kommun, world, p)
    _complete(db, registry, kommun, world, staff["stabsenhet"], "stabsenhet", p)
    db.commit()
    for statement in ("UPDATE decision SET motivation = 'ändrad'", "DELETE FROM decision"):
        with pytest.raises(DBAPIError):
            db.execute(text(statement))
        db.rollback()


def test_a_new_process_version_leaves_running_partnerships_on_theirs(world, db, registry):
    """Versioning: the registry gains version 2; the partnership started on 1 stays there."""
    from iop_jarva import plugin as jarva_plugin
    from iop_jarva.process import PROCESS_V1

    kommun = tenants.kommun_for(db, registry, world.jarva)
    old = factories.partnership(db, world.jarva, "Startad på version 1", process=newest_process(registry, kommun))
    renamed = replace(PROCESS_V1.phases[0], steps=(replace(PROCESS_V1.phases[0].steps[0], title="Nytt namn"),
                                                   *PROCESS_V1.phases[0].steps[1:]))
    v2 = replace(PROCESS_V1, version=2, phases=(renamed, *PROCESS_V1.phases[1:]))

    class Version2:
        iop_register_kommuner = staticmethod(jarva_plugin.iop_register_kommuner)
        iop_register_roles = staticmethod(jarva_plugin.iop_register_roles)
        iop_register_templates = staticmethod(jarva_plugin.iop_register_templates)

        @staticmethod
        def iop_register_processes():
            return [PROCESS_V1, v2]

    from core.plugin_api import hookimpl

    for name in ("iop_register_kommuner", "iop_register_roles", "iop_register_templates", "iop_register_processes"):
        setattr(Version2, name, hookimpl(getattr(Version2, name)))
    newer = build_registry(build_plugin_manager(load_entry_points=False, extra_plugins={"jarva": Version2}))
    kommun2 = newer.for_tenant("jarva", {"jarva"})
    new = factories.partnership(db, world.jarva, "Startad på version 2", process=newest_process(newer, kommun2))
    db.commit()
    assert casework.process_of(newer, kommun2, old).version == 1
    assert casework.process_of(newer, kommun2, old).step("initiativ").title == "Ta emot initiativet"
    assert casework.process_of(newer, kommun2, new).version == 2
    assert casework.case_view(db, newer, kommun2, world.jarva, new, TODAY).process.step("initiativ").title == "Nytt namn"


def test_forms_are_checked_saved_and_guarded_against_concurrent_saves(world, db, registry, jarva):
    kommun, _ = jarva
    p = world.jarva_partnership
    view = casework.case_view(db, registry, kommun, world.jarva, p, TODAY)
    form = view.process.form("granskning")
    with pytest.raises(ValidationError) as info:
        case_forms.save_form(db, world.jarva, None, p, view.progress, form, {"juridik_datum": "i morgon", "ideburen": "kanske"}, 0)
    assert info.value.errors == {"juridik_datum": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-03-15.",
                                 "ideburen": "Svara ja eller nej."}
    row, missing = case_forms.save_form(db, world.jarva, None, p, view.progress, form, {"ideburen": "nej"}, 0)
    db.commit()
    assert "Motivering saknas: Är parten en idéburen aktör?" in missing
    case_forms.save_form(db, world.jarva, None, p, view.progress, form, {"ideburen": "ja"}, row.version)
    db.commit()
    with pytest.raises(ConflictError):
        case_forms.save_form(db, world.jarva, None, p, view.progress, form, {"ideburen": "nej"}, 1)


def test_a_form_is_locked_once_its_step_is_completed(world, db, registry, jarva):
    kommun, staff = jarva
    p = world.jarva_partnership
    _received(db, registry, kommun, world, p)
    _complete(db, registry, kommun, world, staff["stabsenhet"], "stabsenhet", p)
    db.commit()
    view = casework.case_view(db, registry, kommun, world.jarva, p, TODAY)
    row = case_forms.get_response(db, world.jarva, p, "initiativ")
    with pytest.raises(case_forms.FormLocked):
        case_forms.save_form(db, world.jarva, None, p, view.progress, view.process.form("initiativ"), {}, row.version)


def test_jv_15_meetings_are_registered_with_participants_and_minutes(world, db, registry, jarva):
    kommun, _ = jarva
    p = world.jarva_partnership
    view = casework.case_view(db, registry, kommun, world.jarva, p, TODAY)
    with pytest.raises(ValidationError) as info:
        factories.mform({"kind": "forsta_mote", "held_on": "igår"})
    assert set(info.value.errors) == {"held_on", "participants"}
    with pytest.raises(ValidationError) as info:
        meetings.register_meeting(db, world.jarva, None, p, view.progress, view.facts,
                                  factories.mform({"kind": "middag", "held_on": "2026-01-01", "participants": "Vi"}), TODAY)
    assert set(info.value.errors) == {"kind"}
    meetings.register_meeting(db, world.jarva, world.jarva_staff, p, view.progress, view.facts, factories.mform({
        "kind": "forsta_mote", "held_on": TODAY.isoformat(), "participants": "Stabsenheten, föreningens ordförande",
        "minutes": "Föreningen presenterade sin idé."}), TODAY)
    db.commit()
    saved = db.scalar(select(Meeting))
    assert (saved.kind, saved.participants, saved.minutes) == (
        "forsta_mote", "Stabsenheten, föreningens ordförande", "Föreningen presenterade sin idé.")
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "register_meeting")).after["minutes"]


def test_jv_08_a_sixth_idea_meeting_is_refused_by_the_service(world, db, registry, jarva):
    kommun, _ = jarva
    p = world.jarva_partnership
    for n in range(6):
        view = casework.case_view(db, registry, kommun, world.jarva, p, TODAY)
        data = {"kind": "idemote", "held_on": (TODAY + timedelta(days=n)).isoformat(), "participants": "Båda parter"}
        if n < 5:
            meetings.register_meeting(db, world.jarva, None, p, view.progress, view.facts, factories.mform(data), TODAY)
            db.commit()
        else:
            with pytest.raises(TransitionRefused, match="högsta antalet"):
                meetings.register_meeting(db, world.jarva, None, p, view.progress, view.facts, factories.mform(data), TODAY)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Meeting)) == 5


def test_jv_04_deadlines_overview_shows_an_overdue_first_meeting_to_its_owner(world, db, registry, jarva):
    kommun, staff = jarva
    late = factories.partnership(db, world.jarva, "Sen start", initiated_on=(TODAY - timedelta(days=40)).isoformat(),
                                 process=newest_process(registry, kommun))
    soon = factories.partnership(db, world.jarva, "Snart dags", initiated_on=(TODAY - timedelta(days=20)).isoformat(),
                                 process=newest_process(registry, kommun))
    for p in (late, soon):
        _received(db, registry, kommun, world, p)
        _complete(db, registry, kommun, world, staff["stabsenhet"], "stabsenhet", p)
    db.commit()
    items = deadlines.overview(db, world.jarva, TODAY).items
    by_title = {i.partnership_title: i for i in items}
    assert by_title["Sen start"].state == "overdue" and by_title["Sen start"].title == "Första möte med den idéburna parten"
    assert by_title["Snart dags"].state == "soon" and by_title["Snart dags"].due == TODAY + timedelta(days=8)
    assert [i.partnership_title for i in items][:2] == ["Sen start", "Snart dags"]
    stab, chief = deadlines.Person(1, ("stabsenhet",)), deadlines.Person(2, ("avdelningschef",))
    mine = deadlines.overview(db, world.jarva, TODAY, person=stab).items
    assert {i.partnership_title for i in mine} >= {"Sen start", "Snart dags"}
    assert deadlines.overview(db, world.jarva, TODAY, person=chief).items == []
    # The start page's tab counts, counted in one pass, agree with each count on its own.
    for person in (stab, chief):
        own, everyone = deadlines.counts_mine_and_all(db, world.jarva, TODAY, person)
        assert own == deadlines.counts(db, world.jarva, TODAY, person)
        assert everyone == deadlines.counts(db, world.jarva, TODAY)
    assert deadlines.counts_mine_and_all(db, world.jarva, TODAY, stab)[0].overdue >= 1


@pytest.mark.parametrize("code", ["jarva", "hasselby-vallingby", "tyreso", "norrmalm"])
def test_every_installed_process_can_be_walked_from_initiative_to_its_end(db, registry, settings, code):
    """Norrmalm has no kommun plugin: it runs on the national guidance."""
    from core.walkthrough import Walker

    tenant = factories.tenant(db, registry, code)
    kommun = tenants.kommun_for(db, registry, tenant)
    staff = {role.key: factories.user(db, registry, f"{role.key}@{code}.test", (tenant, role.key))
             for role in kommun.roles.roles}
    org = factories.organisation(db, tenant)
    p = factories.partnership(db, tenant, "Hela vägen", process=newest_process(registry, kommun),
                              organisation_id=org.id, initiated_on=(TODAY - timedelta(days=1500)).isoformat())
    walker = Walker(db, registry, kommun, tenant, staff, settings.documents_dir, TODAY)
    walker.advance(p, period=(TODAY - timedelta(days=1100), TODAY - timedelta(days=1)))
    db.commit()
    view = casework.case_view(db, registry, kommun, tenant, p, TODAY)
    assert view.progress.status == p.status == "avslutad"
    assert view.process.kommun == ("generic" if code == "norrmalm" else code)
    assert all(s.state in ("done", "closed") for s in view.progress.steps)
