"""JV-13: an IOP-koordinator is a named person on each running partnership,
appointed before its running obligations start; the coordinator role's steps
are then theirs, and wait on their start page alone (issue 11, points 1 and 5)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core import clock
from core.engine import TransitionRefused
from core.models import AuditEvent, CaseTask
from core.services import casework, deadlines, documents, partnerships, tenants
from core.services.casework import newest_process
from core.walkthrough import Walker
from tests import factories
from tests.factories import login, post


@pytest.fixture
def running(db, registry, settings, world):
    """A signed Järva partnership, its staff, and two IOP-koordinatorer."""
    kommun = tenants.kommun_for(db, registry, world.jarva)
    staff = {role.key: factories.user(db, registry, f"{role.key}@jarva.test", (world.jarva, role.key))
             for role in kommun.roles.roles if role.key != "handlaggare"}
    staff["handlaggare"] = world.jarva_staff
    other = factories.user(db, registry, "annan.koordinator@jarva.test", (world.jarva, "iop_koordinator"))
    org = factories.organisation(db, world.jarva)
    p = factories.partnership(db, world.jarva, "Läxhjälp i Husby", process=newest_process(registry, kommun),
                              organisation_id=org.id, offentlig_pengar_amount=1000, ideburen_ideella_timmar_amount=10)
    start = date(clock.today().year + 1, 1, 1)
    walker = Walker(db, registry, kommun, world.jarva, staff, settings.documents_dir, clock.today())
    period = (start, start + timedelta(days=3 * 365))
    walker.advance(p, until_status="pagaende", period=period)
    db.commit()
    return p, staff, other, kommun, lambda: (walker.advance(p, steps=1, period=period), db.commit())


def _url(p, suffix=""):
    return f"/k/jarva/partnerskap/{p.id}{suffix}"


def test_jv_13_the_avdelningschef_names_the_koordinator_on_the_partnership(running, client, db):
    p, staff, other, _, _ = running
    login(client, "avdelningschef@jarva.test")
    page = client.get(_url(p)).text
    assert "Ingen utsedd ännu" in page and "annan.koordinator" not in page
    assert ">Annan Koordinator<" in page or other.name in page  # offered: holds the role
    bad = post(client, _url(p, "/koordinator"), {"coordinator_id": str(staff["stabsenhet"].id)})
    assert bad.status_code == 422 and "Välj en person som har rollen IOP-koordinator här." in bad.text
    assert post(client, _url(p, "/koordinator"), {"coordinator_id": "x1"}).status_code == 422
    ok = post(client, _url(p, "/koordinator"), {"coordinator_id": str(other.id)})
    assert ok.status_code == 303
    assert "Partnerskapets IOP-koordinator är sparad." in client.get(ok.headers["location"]).text
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "set_coordinator")).one()
    assert event.after == {"coordinator": other.name}
    # Someone who may only read the case cannot name one.
    login(client, "stadsdelsnamnd@jarva.test")
    assert post(client, _url(p, "/koordinator"), {"coordinator_id": ""}).status_code == 403


def test_jv_13_the_koordinators_steps_are_the_named_persons(running, db, registry, settings, world):
    p, staff, other, kommun, appoint = running
    appoint()
    p = partnerships.get_partnership(db, world.jarva, p.id)
    assert p.coordinator_id == staff["iop_koordinator"].id  # named when the walker appointed the groups
    documents.store_document(db, settings.documents_dir, world.jarva, staff["iop_koordinator"], partnership=p,
                             kind="utvardering", title="Utvärdering", filename="u.txt", content=b"Utv")
    db.commit()

    def complete(user):
        return casework.complete_step(db, registry, kommun, world.jarva, user, ("iop_koordinator",), p,
                                      step_key="utvardering", outcome_key="fortsatt", motivation="Tidigt, med skäl.",
                                      expected_version=p.version, today=clock.today())

    with pytest.raises(TransitionRefused, match=f"utsedd till IOP-koordinator för partnerskapet: {staff['iop_koordinator'].name}"):
        complete(other)
    db.rollback()
    p = partnerships.get_partnership(db, world.jarva, p.id)
    assert complete(staff["iop_koordinator"]).step_key == "utvardering"


def test_jv_13_what_waits_for_a_koordinator_is_their_own_partnerships(running, client, db, world, registry):
    p, staff, other, _, appoint = running
    appoint()
    login(client, "iop_koordinator@jarva.test")
    page = client.get("/k/jarva/?frister=mina").text
    assert "Partnerskap där du är utsedd koordinator (1)" in page and "Läxhjälp i Husby" in page
    login(client, other.email)
    page = client.get("/k/jarva/?frister=mina").text
    assert "Partnerskap där du är utsedd koordinator" not in page
    assert "Läxhjälp i Husby" not in page.split('id="frister"')[1].split("</section>")[0]


def test_jv_13_the_koordinators_deadline_waits_only_on_the_named_koordinator(running, db, world):
    p, staff, other, _, appoint = running
    appoint()
    task = db.scalars(select(CaseTask).where(CaseTask.partnership_id == p.id, CaseTask.key == "utvardering")).one()
    near = task.due - timedelta(days=10)
    named = deadlines.Person(staff["iop_koordinator"].id, ("iop_koordinator",), ("iop_koordinator",))
    someone_else = deadlines.Person(other.id, ("iop_koordinator",), ("iop_koordinator",))
    assert "Läxhjälp i Husby" in {i.partnership_title for i in deadlines.overview(db, world.jarva, near, person=named).items}
    assert "Läxhjälp i Husby" not in {i.partnership_title
                                      for i in deadlines.overview(db, world.jarva, near, person=someone_else).items}
    # The stabsenhet, which shares the step, still sees it.
    stab = deadlines.Person(staff["stabsenhet"].id, ("stabsenhet",))
    assert "Läxhjälp i Husby" in {i.partnership_title for i in deadlines.overview(db, world.jarva, near, person=stab).items}
