"""Bevakning: keeping watch over deadlines for the people who own them
(issue 11, point 6).

- The daily reminder: one e-mail per person per day (a digest, never one per
  item) listing the steps their roles own that are overdue or due within the
  days their tenant sets (``Tenant.reminder_days``), across every tenant they
  work in. ``iop remind`` runs it; a ReminderDigest row per person and day,
  written in the same transaction as the queued message, makes a second run
  (or a second process) send nothing twice.
- The calendar feed: the same person's deadlines, and the meetings of the
  partnerships those deadlines belong to or that they planned themselves, as
  iCalendar at a secret address that Outlook and other calendars subscribe to.
  Only the token's SHA-256 is kept; a new address revokes the old.

Both read the stored case state (core.models.case_state), never the engine.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import format_date
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from core import clock
from core.db import utcnow
from core.models import (CalendarFeed, CaseTask, CaseTaskRole, Meeting, Partnership, ReminderDigest, RoleAssignment,
                         Tenant, User)
from core.models.meeting import CANCELLED, PLANNED
from core.registry import Registry
from core.services import mail
from core.services.permissions import named_role_keys
from core.tenancy import Scope, within

# Deadlines this far back stay in the calendar, so last month's still show.
CALENDAR_PAST = timedelta(days=90)
# Meetings at most this far ahead go into the calendar.
CALENDAR_AHEAD = timedelta(days=400)
MIN_REMINDER_DAYS, MAX_REMINDER_DAYS = 0, 90


@dataclass(frozen=True)
class WatchedTask:
    """A deadline one of a person's roles owns."""

    tenant_code: str
    tenant_name: str
    partnership_id: int
    partnership_title: str
    key: str
    period: str
    title: str
    detail: str
    due: date


def named_keys(registry: Registry) -> frozenset[str]:
    """Role keys named per partnership in any installed kommun (JV-13)."""
    return frozenset(named_role_keys(r for entry in registry.kommuner.values() for r in entry.roles.roles))


def _tasks(session: Session, user_ids: list[int] | None, named: frozenset[str], *, until_days: bool,
           since: date | None = None, tenant_id: int | None = None):
    """The dated tasks owned by the roles of these people (or of everyone),
    each once per person even when several of their roles own it; a role
    named per partnership only where the person is the one named, or no one
    is (JV-13). With ``until_days``: only those due within their tenant's
    reminder days."""
    today = clock.today()
    query = (
        select(RoleAssignment.user_id, RoleAssignment.role_key, Partnership.coordinator_id, Tenant.code, Tenant.name,
               Tenant.reminder_days, CaseTask.id, CaseTask.partnership_id, Partnership.title, CaseTask.key,
               CaseTask.period, CaseTask.title, CaseTask.detail, CaseTask.due)
        .join(CaseTaskRole, (CaseTaskRole.tenant_id == RoleAssignment.tenant_id)
              & (CaseTaskRole.role == RoleAssignment.role_key))
        .join(CaseTask, CaseTask.id == CaseTaskRole.task_id)
        .join(Partnership, Partnership.id == CaseTask.partnership_id)
        .join(Tenant, Tenant.id == RoleAssignment.tenant_id)
        .where(CaseTask.due.is_not(None))
        .order_by(RoleAssignment.user_id, CaseTask.due, Tenant.code, CaseTask.partnership_id, CaseTask.position)
    )
    if user_ids is not None:
        query = query.where(RoleAssignment.user_id.in_(user_ids))
    if since is not None:
        query = query.where(CaseTask.due >= since)
    if tenant_id is not None:
        query = query.where(RoleAssignment.tenant_id == tenant_id)
    found: dict[int, list[WatchedTask]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for (user_id, role, coordinator, code, name, days, task_id, pid, ptitle, key, period, title, detail,
         due) in session.execute(query):
        if until_days and due > today + timedelta(days=days):
            continue
        if role in named and coordinator not in (None, user_id):
            continue
        if (user_id, task_id) in seen:
            continue
        seen.add((user_id, task_id))
        found[user_id].append(WatchedTask(code, name, pid, ptitle, key, period, title, detail, due))
    return found


# ---------------------------------------------------------------- reminders


def _when(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        late = -days
        return f"skulle vara klart {_day(due)} ({late} {'dag' if late == 1 else 'dagar'} sedan)"
    if days == 0:
        return "ska vara klart i dag"
    return f"ska vara klart senast {_day(due)} (om {days} {'dag' if days == 1 else 'dagar'})"


def _day(d: date) -> str:
    return format_date(d, "d MMMM y", locale="sv_SE")


def digest_text(user: User, tasks: list[WatchedTask], today: date, base_url: str) -> tuple[str, str]:
    """The digest's subject and body, in plain Swedish."""
    overdue = sum(1 for t in tasks if t.due < today)
    subject = f"Bevakning {_day(today)}: {len(tasks)} {'frist' if len(tasks) == 1 else 'frister'}"
    if overdue:
        subject += f", varav {overdue} {'försenad' if overdue == 1 else 'försenade'}"
    lines = [f"Hej {user.name}!", "",
             "Här är dina frister i IOP-plattformen: steg som dina roller ansvarar för och som är försenade "
             "eller snart ska vara klara."]
    by_tenant: dict[str, list[WatchedTask]] = defaultdict(list)
    for t in tasks:
        by_tenant[t.tenant_name].append(t)
    for tenant_name, items in by_tenant.items():
        lines += ["", tenant_name, "-" * len(tenant_name)]
        for t in items:
            what = f"{t.title} ({t.detail})" if t.detail else t.title
            lines += [f"* {t.partnership_title}: {what}", f"  {_when(t.due, today)[0].upper()}{_when(t.due, today)[1:]}.",
                      f"  {base_url}/k/{t.tenant_code}/partnerskap/{t.partnership_id}"]
    lines += ["", "Du får ett sådant här meddelande högst en gång om dagen, bara de dagar något väntar.",
              f"Vill du inte ha dem kan du stänga av dem här: {base_url}/k/{tasks[0].tenant_code}/bevakning"]
    return subject, "\n".join(lines)


def due_for_reminders(session: Session, named: frozenset[str]) -> dict[User, list[WatchedTask]]:
    """Today's digest's contents for each active staff member who wants one."""
    found = _tasks(session, None, named, until_days=True)
    people = session.scalars(select(User).where(
        User.id.in_(list(found)), User.is_active.is_(True), User.reminders_enabled.is_(True),
        User.organisation_id.is_(None))).all()
    return {user: found[user.id] for user in people}


def queue_digest(session: Session, user: User, tasks: list[WatchedTask], today: date, base_url: str) -> bool:
    """Queues the person's digest for today unless one is recorded already.
    The caller commits; a concurrent run's row makes that commit fail."""
    if session.scalar(select(exists().where(ReminderDigest.user_id == user.id, ReminderDigest.sent_on == today))):
        return False
    subject, body = digest_text(user, tasks, today, base_url)
    session.add(ReminderDigest(user_id=user.id, sent_on=today, items=len(tasks)))
    mail.queue(session, to=user.email, subject=subject, body=body, kind="reminder-digest")
    return True


# ---------------------------------------------------------------- calendar


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed(session: Session, user: User) -> str:
    """A new secret address for the person's calendar; the old one stops working."""
    token = secrets.token_urlsafe(32)
    row = session.get(CalendarFeed, user.id)
    if row is None:
        session.add(CalendarFeed(user_id=user.id, token_hash=_hash(token)))
    else:
        row.token_hash, row.created_at = _hash(token), utcnow()
    session.flush()
    return token


def revoke_feed(session: Session, user: User) -> None:
    row = session.get(CalendarFeed, user.id)
    if row is not None:
        session.delete(row)
        session.flush()


def feed(session: Session, user: User) -> CalendarFeed | None:
    return session.get(CalendarFeed, user.id)


def user_for_feed(session: Session, token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
                          .where(CalendarFeed.token_hash == _hash(token), User.is_active.is_(True)))


@dataclass(frozen=True)
class WatchedMeeting:
    meeting: Meeting
    tenant_code: str
    tenant_name: str
    partnership_title: str


def calendar_items(session: Session, user: User, named: frozenset[str]) -> tuple[list[WatchedTask], list[WatchedMeeting]]:
    """The person's deadlines (from 90 days back) and the meetings of those
    partnerships, or that they planned, within the same span and a year
    ahead: read tenant by tenant, each in that tenant's scope, since the
    feed's request has no signed-in person."""
    today = clock.today()
    with within(session, Scope.of_user(user.id)):
        tenant_ids = sorted(set(session.scalars(select(RoleAssignment.tenant_id)
                                                .where(RoleAssignment.user_id == user.id))))
    tasks: list[WatchedTask] = []
    meetings: list[WatchedMeeting] = []
    for tenant_id in tenant_ids:
        with within(session, Scope.of_tenant(tenant_id)):
            found = _tasks(session, [user.id], named, until_days=False, since=today - CALENDAR_PAST,
                           tenant_id=tenant_id).get(user.id, [])
            theirs = {t.partnership_id for t in found}
            rows = session.execute(
                select(Meeting, Tenant.code, Tenant.name, Partnership.title)
                .join(Partnership, Partnership.id == Meeting.partnership_id)
                .join(Tenant, Tenant.id == Meeting.tenant_id)
                .where(Meeting.tenant_id == tenant_id,
                       or_(Meeting.partnership_id.in_(theirs), Meeting.created_by_id == user.id),
                       Meeting.held_on >= today - CALENDAR_PAST, Meeting.held_on <= today + CALENDAR_AHEAD)
                .order_by(Meeting.held_on, Meeting.id)
            ).all()
        tasks += found
        meetings += [WatchedMeeting(m, code, name, title) for m, code, name, title in rows]
    return tasks, meetings


def ics(session: Session, user: User, named: frozenset[str], base_url: str, host: str) -> bytes:
    """The person's calendar as iCalendar (RFC 5545)."""
    from icalendar import Calendar, Event

    tasks, meetings = calendar_items(session, user, named)
    cal = Calendar()
    cal.add("prodid", "-//IOP-plattformen//Bevakning//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "IOP: mina frister och möten")
    cal.add("x-wr-timezone", "Europe/Stockholm")
    stamp = datetime.now(clock.SWEDEN)
    for t in tasks:
        event = Event()
        event.add("uid", f"frist-{t.tenant_code}-{t.partnership_id}-{t.key}-{t.period or 'x'}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", t.due)
        event.add("dtend", t.due + timedelta(days=1))
        event.add("summary", f"Frist: {t.title} – {t.partnership_title}")
        event.add("description", "\n".join(filter(None, [t.detail, t.tenant_name,
                                                          f"{base_url}/k/{t.tenant_code}/partnerskap/{t.partnership_id}"])))
        event.add("url", f"{base_url}/k/{t.tenant_code}/partnerskap/{t.partnership_id}")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    for w in meetings:
        m = w.meeting
        event = Event()
        event.add("uid", f"mote-{w.tenant_code}-{m.id}@{host}")
        event.add("dtstamp", stamp)
        if m.starts_at is not None:
            start = datetime.combine(m.held_on, m.starts_at, tzinfo=clock.SWEDEN)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(hours=1))
        else:
            event.add("dtstart", m.held_on)
            event.add("dtend", m.held_on + timedelta(days=1))
        event.add("summary", f"Möte: {w.partnership_title}")
        if m.place:
            event.add("location", m.place)
        url = f"{base_url}/k/{w.tenant_code}/partnerskap/{m.partnership_id}/moten/{m.id}"
        event.add("description", "\n".join(filter(None, [m.participants, w.tenant_name, url])))
        event.add("url", url)
        event.add("status", {PLANNED: "TENTATIVE", CANCELLED: "CANCELLED"}.get(m.status, "CONFIRMED"))
        cal.add_component(event)
    return cal.to_ical()
