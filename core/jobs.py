"""Background jobs: work that runs outside a request, on a schedule or from
the command line, and owns its transactions (one per batch, so a long run
neither holds locks for long nor loses everything to one failure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from core.models import CaseState, Partnership, User
from core.registry import Registry
from core.services import bevakning, case_state

# How many partnerships one transaction of the daily refresh recomputes.
BATCH = 500


def refresh_case_states(session_factory: sessionmaker, registry: Registry, today: date, *, everything: bool = False) -> int:
    """The daily refresh: recomputes every partnership whose state time has
    moved (``changes_on`` has come) or that has no state yet, in batches of
    one transaction each. Idempotent: a second run the same day finds nothing
    to do. ``everything`` recomputes all (after a plugin update, say).
    Returns how many partnerships it recomputed."""
    done = 0
    last_id = 0
    while True:
        with session_factory() as session:
            query = (
                select(Partnership.id)
                .outerjoin(CaseState, CaseState.partnership_id == Partnership.id)
                .where(Partnership.id > last_id)
                .order_by(Partnership.id)
                .limit(BATCH)
            )
            if not everything:
                query = query.where(or_(CaseState.partnership_id.is_(None), CaseState.changes_on <= today))
            ids = list(session.scalars(query))
            if not ids:
                return done
            done += case_state.recompute(session, registry, ids, today)
            session.commit()
            last_id = ids[-1]


@dataclass(frozen=True)
class RemindResult:
    sent: int
    already: int


def send_reminders(session_factory: sessionmaker, registry: Registry, today: date, base_url: str) -> RemindResult:
    """The daily reminder (core.services.bevakning): each person's digest is
    queued in a transaction of its own, with the row that records it, so a
    second run that day, or a second process at once, sends nothing twice."""
    with session_factory() as session:
        due = {user.id: tasks for user, tasks in
               bevakning.due_for_reminders(session, bevakning.named_keys(registry)).items()}
    sent = already = 0
    for user_id, tasks in sorted(due.items()):
        with session_factory() as session:
            user = session.get(User, user_id)
            try:
                queued = bevakning.queue_digest(session, user, tasks, today, base_url)
                session.commit()
            except IntegrityError:  # another run got there first
                session.rollback()
                queued = False
        sent += queued
        already += not queued
    return RemindResult(sent=sent, already=already)
