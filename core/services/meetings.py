"""A partnership's meetings: first meeting, idea meetings, steering and
working group meetings (JV-04, JV-08, JV-12, JV-15)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.engine import CaseFacts, Progress, check_new_meeting
from core.models import Meeting, Partnership, Tenant, User
from core.services import ValidationError, audit
from core.values import clean_text, parse_date

MAX_TEXT = 20_000


def list_meetings(session: Session, tenant: Tenant, p: Partnership) -> list[Meeting]:
    return list(session.scalars(
        select(Meeting).where(Meeting.tenant_id == tenant.id, Meeting.partnership_id == p.id)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ))


def register_meeting(
    session: Session,
    tenant: Tenant,
    actor: User | None,
    p: Partnership,
    progress: Progress,
    facts: CaseFacts,
    data: dict[str, str],
    today: date,
) -> Meeting:
    """Registers a meeting. Bad input raises ValidationError; a meeting the
    process does not allow raises TransitionRefused."""
    errors: dict[str, str] = {}
    kind = clean_text(data.get("kind"))
    if progress.process.meeting_rule(kind) is None:
        errors["kind"] = "Välj vilken sorts möte det är."
    held_on, message = parse_date(data.get("held_on"))
    if message:
        errors["held_on"] = message
    elif held_on is None:
        errors["held_on"] = "Skriv mötets datum."
    participants = clean_text(data.get("participants"))
    minutes = clean_text(data.get("minutes"))
    if not participants:
        errors["participants"] = "Skriv vilka som deltog (eller är kallade)."
    elif len(participants) > MAX_TEXT:
        errors["participants"] = f"Texten får vara högst {MAX_TEXT} tecken."
    if len(minutes) > MAX_TEXT:
        errors["minutes"] = f"Anteckningarna får vara högst {MAX_TEXT} tecken."
    if errors:
        raise ValidationError(errors)
    check_new_meeting(progress, facts, kind, held_on, today)
    meeting = Meeting(tenant_id=tenant.id, partnership_id=p.id, kind=kind, held_on=held_on, participants=participants,
                      minutes=minutes, created_by_id=actor.id if actor else None)
    session.add(meeting)
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=p.id,
                 action="register_meeting",
                 after={"meeting": meeting.id, "kind": kind, "held_on": held_on, "participants": participants,
                        "minutes": minutes})
    return meeting
