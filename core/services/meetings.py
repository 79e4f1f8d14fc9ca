"""A partnership's meetings: first meeting, idea meetings, steering and
working group meetings (JV-04, JV-08, JV-12, JV-15)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.engine import CaseFacts, Progress, check_new_meeting
from core.models import Meeting, Partnership, Tenant, User
from core.services import ValidationError, audit
from core.inputs import MeetingInput

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
    values: MeetingInput,
    today: date,
) -> Meeting:
    """Registers a meeting. A kind the process does not know raises
    ValidationError; a meeting the process does not allow raises
    TransitionRefused."""
    if progress.process.meeting_rule(values.kind) is None:
        raise ValidationError({"kind": "Välj vilken sorts möte det är."})
    check_new_meeting(progress, facts, values.kind, values.held_on, today)
    meeting = Meeting(tenant_id=tenant.id, partnership_id=p.id, kind=values.kind, held_on=values.held_on,
                      participants=values.participants, minutes=values.minutes,
                      created_by_id=actor.id if actor else None)
    session.add(meeting)
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=p.id,
                 action="register_meeting",
                 after={"meeting": meeting.id, "kind": values.kind, "held_on": values.held_on,
                        "participants": values.participants, "minutes": values.minutes})
    return meeting
