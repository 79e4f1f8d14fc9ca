"""Meetings planned, changed, held and cancelled (issue 11, point 6): only a
held meeting counts towards the rules (JV-04, JV-12), every change is in the
audit trail, and a bad input is explained without losing what was saved."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core import clock
from core.models import AuditEvent, Meeting, RegistryEntry
from core.services import casework, partnerships, tenants
from tests import factories
from tests.factories import login, post


@pytest.fixture
def stab(world, db, registry):
    factories.user(db, registry, "stabsenhet@jarva.test", (world.jarva, "stabsenhet"))
    db.commit()
    login_as = "stabsenhet@jarva.test"
    return login_as


def _url(world, suffix=""):
    return f"/k/jarva/partnerskap/{world.jarva_partnership.id}/moten{suffix}"


def _plan(client, world, day: date, **extra):
    response = post(client, _url(world), {"kind": "forsta_mote", "held_on": day.isoformat(),
                                          "participants": "Stabsenheten och föreningen", **extra})
    assert response.status_code == 303, response.text
    return response


def _meeting(db) -> Meeting:
    db.expire_all()
    return db.scalars(select(Meeting).order_by(Meeting.id.desc())).first()


def _to_first_meeting(client, world):
    """Receives the initiative, so that the first meeting is what the case waits for."""
    base = f"/k/jarva/partnerskap/{world.jarva_partnership.id}"
    form = client.get(base + "/formular/initiativ").text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    assert post(client, base + "/formular/initiativ", {"version": version, "ursprung": "civilsamhallet",
                "verksamhetside": "Läxhjälp", "karnverksamhet": "Skolan"}).status_code == 303
    version = re.search(r'name="version" value="(\d+)"', client.get(base + "/andra").text).group(1)
    assert post(client, base + "/steg/initiativ", {"outcome": "fortsatt", "motivation": "Mottaget.",
                                                    "version": version}).status_code == 303


def _first_meeting_done(db, registry, world) -> bool:
    """JV-04: whether the engine counts the first meeting as held."""
    db.expire_all()
    view = casework.case_view(db, registry, tenants.kommun_for(db, registry, world.jarva), world.jarva,
                              partnerships.get_partnership(db, world.jarva, world.jarva_partnership.id), clock.today())
    return not any(r.ref == "forsta_mote" for sp in view.progress.current for r in sp.missing)


def test_a_meeting_ahead_is_planned_with_time_and_place_and_can_be_changed(client, world, stab, db):
    login(client, stab)
    _plan(client, world, clock.today() + timedelta(days=10), starts_at="9.30", place="Rinkeby folkets hus")
    m = _meeting(db)
    assert (m.status, m.starts_at.isoformat("minutes"), m.place) == ("planned", "09:30", "Rinkeby folkets hus")
    page = client.get(_url(world, f"/{m.id}")).text
    assert "Planerat" in page and "klockan 09.30" in page and "Markera som hållet" not in page

    bad = post(client, _url(world, f"/{m.id}/andra"), {"held_on": "2026-13-01", "starts_at": "25:00",
                                                      "participants": "", "place": "Tensta träff"})
    assert bad.status_code == 422
    assert "Skriv tiden som TT:MM" in bad.text and "Tensta träff" in bad.text
    assert _meeting(db).place == "Rinkeby folkets hus"  # nothing saved by a refused change

    moved = clock.today() + timedelta(days=12)
    ok = post(client, _url(world, f"/{m.id}/andra"), {"held_on": moved.isoformat(), "starts_at": "13:00",
                                                     "place": "Tensta träff", "participants": "Alla"})
    assert ok.status_code == 303 and "Ändringen är sparad." in client.get(ok.headers["location"]).text
    changed = db.scalars(select(AuditEvent).where(AuditEvent.action == "update_meeting")).one()
    assert changed.before["place"] == "Rinkeby folkets hus" and changed.after["place"] == "Tensta träff"
    assert changed.after["held_on"] == moved.isoformat()


def test_jv_04_a_planned_meeting_counts_only_once_marked_held(client, world, stab, db, registry, monkeypatch):
    login(client, stab)
    _to_first_meeting(client, world)
    assert not _first_meeting_done(db, registry, world)
    day = clock.today() + timedelta(days=3)
    _plan(client, world, day)
    m = _meeting(db)
    early = post(client, _url(world, f"/{m.id}/hallet"), {"participants": "Alla", "minutes": "Klart"})
    assert early.status_code == 422 and "först den dagen" in early.text

    monkeypatch.setattr(clock, "today", lambda: day + timedelta(days=1))
    assert not _first_meeting_done(db, registry, world)  # its day has passed, but no one says it happened
    assert "Markera som hållet" in client.get(_url(world)).text

    empty = post(client, _url(world, f"/{m.id}/hallet"), {"participants": "", "minutes": ""})
    assert empty.status_code == 422 and "Skriv vad mötet kom fram till." in empty.text
    held = post(client, _url(world, f"/{m.id}/hallet"), {"participants": "Stab och förening", "minutes": "Samsyn."})
    assert held.status_code == 303
    assert _meeting(db).status == "held" and _first_meeting_done(db, registry, world)
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "hold_meeting")).one().before["status"] == "planned"
    # The minutes written when it is marked held are registered in the diarium, once.
    assert len(db.scalars(select(RegistryEntry).where(RegistryEntry.meeting_id == m.id)).all()) == 1

    again = post(client, _url(world, f"/{m.id}/installt"), {"reason": "Fel"})
    assert again.status_code == 422 and "Ett hållet möte kan ändras" in again.text
    future = post(client, _url(world, f"/{m.id}/andra"), {"held_on": (day + timedelta(days=30)).isoformat(),
                                                         "participants": "Alla"})
    assert future.status_code == 422 and "framåt i tiden" in future.text


def test_a_cancelled_meeting_keeps_its_reason_never_counts_and_cannot_be_changed(client, world, stab, db, registry):
    login(client, stab)
    _to_first_meeting(client, world)
    _plan(client, world, clock.today() + timedelta(days=5))
    m = _meeting(db)
    assert post(client, _url(world, f"/{m.id}/installt"), {"reason": ""}).status_code == 422
    ok = post(client, _url(world, f"/{m.id}/installt"), {"reason": "Föreningens ordförande är sjuk."})
    assert ok.status_code == 303
    assert _meeting(db).status == "cancelled"
    listing = client.get(_url(world)).text
    assert "Inställt" in listing and "Föreningens ordförande är sjuk." in listing
    refused = post(client, _url(world, f"/{m.id}/andra"), {"held_on": clock.today().isoformat(), "participants": "X"})
    assert refused.status_code == 422 and "Mötet är inställt" in refused.text
    assert not _first_meeting_done(db, registry, world)
    # Another partnership's meeting, or one that does not exist, is not found.
    assert client.get(_url(world, f"/{m.id + 1000}")).status_code == 404


def test_a_meeting_is_changed_only_by_someone_who_may_edit_the_partnership(client, world, stab, db, registry):
    login(client, stab)
    _plan(client, world, clock.today() + timedelta(days=5))
    m = _meeting(db)
    factories.user(db, registry, "namnd@jarva.test", (world.jarva, "stadsdelsnamnd"))
    db.commit()
    login(client, "namnd@jarva.test")
    assert client.get(_url(world, f"/{m.id}")).status_code == 200
    assert post(client, _url(world, f"/{m.id}/installt"), {"reason": "Nej"}).status_code == 403
    assert _meeting(db).status == "planned"
