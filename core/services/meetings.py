"""A partnership's meetings: first meeting, idea meetings, steering and
working group meetings (JV-04, JV-08, JV-12, JV-15), planned, held or
cancelled (core.models.meeting). Every change is in the audit trail with what
it was before."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.engine import CaseFacts, Progress, TransitionRefused, check_new_meeting
from core.inputs import MeetingCancelInput, MeetingHeldInput, MeetingInput
from core.models import Meeting, Partnership, Tenant, User
from core.models.meeting import CANCELLED, HELD, PLANNED
from core.services import ValidationError, audit


def list_meetings(session: Session, tenant: Tenant, p: Partnership) -> list[Meeting]:
    return list(session.scalars(
        select(Meeting).where(Meeting.tenant_id == tenant.id, Meeting.partnership_id == p.id)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ))


def get_meeting(session: Session, tenant: Tenant, p: Partnership, meeting_id: int) -> Meeting | None:
    return session.scalar(select(Meeting).where(
        Meeting.tenant_id == tenant.id, Meeting.partnership_id == p.id, Meeting.id == meeting_id))


def _snapshot(m: Meeting) -> dict:
    return {"meeting": m.id, "kind": m.kind, "held_on": m.held_on, "starts_at": m.starts_at.isoformat("minutes")
            if m.starts_at else None, "place": m.place, "status": m.status, "participants": m.participants,
            "minutes": m.minutes, "cancel_reason": m.cancel_reason}


def _record(session: Session, tenant: Tenant, actor: User | None, m: Meeting, action: str,
            before: dict | None) -> None:
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=m.partnership_id,
                 action=action, before=before, after=_snapshot(m))


def register_meeting(
    session: Session,
    tenant: Tenant,
    actor: User | None,
    p: Partnership,
    progress: Progress,
    facts: CaseFacts,
    values: MeetingInput,
    today: date,
) -> Meeting:
    """Registers a meeting: held when its day has come, planned when it is
    ahead. A kind the process does not know raises ValidationError; a meeting
    the process does not allow raises TransitionRefused."""
    if progress.process.meeting_rule(values.kind) is None:
        raise ValidationError({"kind": "Välj vilken sorts möte det är."})
    check_new_meeting(progress, facts, values.kind, values.held_on, today)
    meeting = Meeting(tenant_id=tenant.id, partnership_id=p.id, kind=values.kind, held_on=values.held_on,
                      starts_at=values.starts_at, place=values.place,
                      status=PLANNED if values.held_on > today else HELD,
                      participants=values.participants, minutes=values.minutes,
                      created_by_id=actor.id if actor else None)
    session.add(meeting)
    session.flush()
    _record(session, tenant, actor, meeting, "register_meeting", None)
    return meeting


def _refuse_if_ended(progress: Progress) -> None:
    if progress.ended is not None:
        raise TransitionRefused("Partnerskapet är avslutat. Dess möten kan inte ändras.")


def update_meeting(session: Session, tenant: Tenant, actor: User | None, m: Meeting, progress: Progress,
                   values: MeetingInput, today: date) -> None:
    """Changes a meeting's date, time, place, participants or notes. Its kind
    stays (the rules count by kind); a cancelled meeting is not changed, and a
    held one cannot move into the future."""
    _refuse_if_ended(progress)
    if m.status == CANCELLED:
        raise TransitionRefused("Mötet är inställt och kan inte ändras. Registrera ett nytt möte i stället.")
    if m.status == HELD and values.held_on > today:
        raise ValidationError({"held_on": "Ett hållet möte kan inte ha ett datum framåt i tiden."})
    before = _snapshot(m)
    m.held_on, m.starts_at, m.place = values.held_on, values.starts_at, values.place
    m.participants, m.minutes = values.participants, values.minutes
    if _snapshot(m) != before:
        session.flush()
        _record(session, tenant, actor, m, "update_meeting", before)


def mark_held(session: Session, tenant: Tenant, actor: User | None, m: Meeting, progress: Progress,
              values: MeetingHeldInput, today: date) -> None:
    """A planned meeting whose day has come is marked held, with who came and
    what was said; from then on it counts towards the rules."""
    _refuse_if_ended(progress)
    if m.status != PLANNED:
        raise TransitionRefused("Bara ett planerat möte kan markeras som hållet.")
    if m.held_on > today:
        raise TransitionRefused(f"Mötet är planerat till {m.held_on.isoformat()} och kan markeras som hållet "
                                "först den dagen.")
    before = _snapshot(m)
    m.status, m.participants, m.minutes = HELD, values.participants, values.minutes
    session.flush()
    _record(session, tenant, actor, m, "hold_meeting", before)


def cancel(session: Session, tenant: Tenant, actor: User | None, m: Meeting, progress: Progress,
           values: MeetingCancelInput) -> None:
    """A planned meeting is cancelled with a reason; it stays in the list as
    cancelled and never counts. A held meeting happened and is not cancelled."""
    _refuse_if_ended(progress)
    if m.status != PLANNED:
        raise TransitionRefused("Bara ett planerat möte kan ställas in. Ett hållet möte kan ändras.")
    before = _snapshot(m)
    m.status, m.cancel_reason = CANCELLED, values.reason
    session.flush()
    _record(session, tenant, actor, m, "cancel_meeting", before)
