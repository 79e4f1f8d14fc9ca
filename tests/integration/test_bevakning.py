"""Bevakning (issue 11, point 6): the daily reminder digest, sent through the
outbox to a real SMTP server exactly once per person per day however often
`iop remind` runs, and the personal calendar feed, read back with a calendar
library."""

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from core import clock, jobs, mailer
from core.db import make_sessionmaker
from core.models import OutboxMessage, ReminderDigest
from core.tenancy import Scope
from tests import factories
from tests.factories import login, post

IOP = str(Path(sys.executable).with_name("iop"))
BASE = "https://iop.example.se"


@pytest.fixture
def watched(db, registry, world):
    """A Järva case whose first meeting is 16 days late (JV-04), beside the
    world's new one, due in 28 days; a stabsenhet who owns both, a handläggare
    who owns neither, a stabsenhet who has turned reminders off."""
    old = factories.partnership(db, world.jarva, "Läxhjälp i Tensta", initiated_on=clock.today() - timedelta(days=44))
    stab = factories.user(db, registry, "stab@jarva.test", (world.jarva, "stabsenhet"))
    quiet = factories.user(db, registry, "tyst@jarva.test", (world.jarva, "stabsenhet"))
    quiet.reminders_enabled = False
    db.commit()
    return old, stab


def _iop(database_url, tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOP_")}
    env.update(IOP_DATABASE_URL=database_url, IOP_DATA_DIR=str(tmp_path / "cli"), IOP_SECRET_KEY="test",
               IOP_BASE_URL=BASE)
    done = subprocess.run([IOP, *args], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_iop_remind_twice_sends_exactly_one_digest_per_person_per_day(watched, db, engine, database_url, tmp_path,
                                                                       smtp_server):
    old, _stab = watched
    first = _iop(database_url, tmp_path, "remind")
    assert "1 sammanställning lagd i utkorgen" in first
    second = _iop(database_url, tmp_path, "remind")
    assert "0 sammanställningar lagda i utkorgen, 1 redan skickade i dag" in second

    factory = make_sessionmaker(engine, Scope.system())
    assert mailer.deliver(factory, mailer.SmtpTransport.from_url(smtp_server.url), "iop@example.se").sent == 1
    _iop(database_url, tmp_path, "remind")
    assert mailer.deliver(factory, mailer.SmtpTransport.from_url(smtp_server.url), "iop@example.se").sent == 0

    # Only the stabsenhet who wants reminders gets one; the handläggare owns nothing due.
    assert [m["To"] for m in smtp_server.inbox.messages] == ["stab@jarva.test"]
    [digest] = smtp_server.inbox.to("stab@jarva.test")
    assert "1 frist, varav 1 försenad" in digest["Subject"]
    text = smtp_server.inbox.text(digest)
    assert "Järva stadsdelsnämnd" in text and "Läxhjälp i Tensta" in text
    assert "(16 dagar sedan)" in text
    assert f"{BASE}/k/jarva/partnerskap/{old.id}" in text
    # The world's case is due in 28 days: beyond the 14 days Järva has set.
    assert f"/k/jarva/partnerskap/{old.id + 0}" in text and "om 28 dagar" not in text


def test_the_days_ahead_are_the_tenants_own_and_the_admin_sets_them(watched, db, client, world, registry):
    login(client, "admin@plattform.test")
    form = {"name": world.jarva.name, "kind": world.jarva.kind, "decision_body": world.jarva.decision_body,
            "kommun_code": world.jarva.kommun_code or "", "takes_applications": "1"}
    bad = post(client, "/admin/organisationer/jarva", {**form, "reminder_days": "tre"})
    assert bad.status_code == 422 and "Skriv ett antal dagar från 0 till 90" in bad.text
    assert post(client, "/admin/organisationer/jarva", {**form, "reminder_days": "30"}).status_code == 303
    db.expire_all()
    assert world.jarva.reminder_days == 30
    factory = make_sessionmaker(db.get_bind(), Scope.system())
    assert jobs.send_reminders(factory, registry, clock.today(), BASE).sent == 1
    body = db.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "reminder-digest"))
    assert "om 28 dagar" in body and "(16 dagar sedan)" in body
    assert db.scalar(select(ReminderDigest.items)) == 2


def test_a_person_turns_reminders_off_and_on_under_bevakning(watched, db, client):
    login(client, "stab@jarva.test")
    page = client.get("/k/jarva/bevakning/").text
    assert "inom 14 dagar" in page and "checked" in page
    assert post(client, "/k/jarva/bevakning/paminnelser", {}).status_code == 303
    db.expire_all()
    assert watched[1].reminders_enabled is False
    assert "Du får inga påminnelser" in client.get("/k/jarva/bevakning/?sparad=av").text
    post(client, "/k/jarva/bevakning/paminnelser", {"paminnelser": "1"})
    db.expire_all()
    assert watched[1].reminders_enabled is True


def _feed_url(page: str) -> str:
    start = page.index(f"{BASE}/kalender/") if BASE in page else page.index("/kalender/")
    return page[start:page.index('"', start)]


def test_the_calendar_feed_holds_the_persons_deadlines_and_meetings_and_can_be_revoked(
        watched, db, client, world, app):
    old, _stab = watched
    login(client, "stab@jarva.test")
    meeting_day = clock.today() + timedelta(days=6)
    post(client, f"/k/jarva/partnerskap/{old.id}/moten", {
        "kind": "forsta_mote", "held_on": meeting_day.isoformat(), "starts_at": "13:30",
        "place": "Tensta träff", "participants": "Stab och förening"})
    made = post(client, "/k/jarva/bevakning/kalender", {"atgard": "ny"})
    assert made.status_code == 200 and "visas bara den här gången" in made.text
    url = _feed_url(made.text)
    path = url[url.index("/kalender/"):]
    client.cookies.clear()  # a calendar program sends no cookie

    feed = client.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "no-store" in feed.headers["cache-control"]
    cal = Calendar.from_ical(feed.content)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    due = events["Frist: Första möte med den idéburna parten – Läxhjälp i Tensta"]
    assert due.decoded("DTSTART") == clock.today() - timedelta(days=16)
    assert any(s.endswith(world.jarva_partnership.title) for s in events)  # due in 28 days, still theirs
    meeting = events["Möte: Läxhjälp i Tensta"]
    start = meeting.decoded("DTSTART")
    assert isinstance(start, datetime) and (start.date(), start.hour, start.minute) == (meeting_day, 13, 30)
    assert str(start.tzinfo) == "Europe/Stockholm" and str(meeting["LOCATION"]) == "Tensta träff"
    assert str(meeting["STATUS"]) == "TENTATIVE"

    assert client.get(path.replace(".ics", "x.ics")).status_code == 404
    assert client.get(path.removesuffix(".ics")).status_code == 404
    login(client, "stab@jarva.test")
    assert post(client, "/k/jarva/bevakning/kalender", {"atgard": "aterkalla"}).status_code == 303
    assert client.get(path).status_code == 404


def test_the_feed_of_someone_else_shows_nothing_of_theirs(watched, db, client, world, registry):
    login(client, "handlaggare@tyreso.test")
    page = post(client, "/k/tyreso/bevakning/kalender", {"atgard": "ny"}).text
    path = _feed_url(page)[_feed_url(page).index("/kalender/"):]
    client.cookies.clear()
    text = client.get(path).text
    assert "Läxhjälp i Tensta" not in text and "/k/jarva/" not in text


def test_the_navigation_counts_what_waits_for_the_person(watched, client):
    login(client, "stab@jarva.test")
    page = client.get("/k/jarva/organisationer/").text
    assert 'Väntar på dig <span class="nav-count">' in page
