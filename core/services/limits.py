"""Rate limits for requests anyone can make without signing in (sign-up,
password reset): at most so many per key (a client address, an e-mail
address) within a window. Kept in the database, so they hold across worker
processes and replicas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import RequestLimitEvent


@dataclass(frozen=True)
class Limit:
    kind: str
    per_window: int
    window: timedelta = timedelta(hours=1)


SIGN_UP_PER_CLIENT = Limit("signup-client", 10)
SIGN_UP_PER_ADDRESS = Limit("signup-address", 3)
RESET_PER_CLIENT = Limit("reset-client", 10)
RESET_PER_ADDRESS = Limit("reset-address", 3)


def allow(session: Session, checks: list[tuple[Limit, str]], now: datetime | None = None) -> bool:
    """Records one request under each (limit, key) and says whether every
    limit still allows it. A refused request is recorded too: hammering
    does not open the limit sooner. Commits ``session``, so the record
    outlives a refused request's rollback (as the sign-in limit does): call
    it before the request has changed anything."""
    now = now or utcnow()
    allowed = True
    for limit, key in checks:
        key = key[:254]
        session.execute(delete(RequestLimitEvent).where(RequestLimitEvent.kind == limit.kind,
                                                        RequestLimitEvent.at < now - limit.window))
        recent = session.scalar(select(func.count()).select_from(RequestLimitEvent).where(
            RequestLimitEvent.kind == limit.kind, RequestLimitEvent.key == key,
            RequestLimitEvent.at >= now - limit.window)) or 0
        session.add(RequestLimitEvent(kind=limit.kind, key=key, at=now))
        allowed = allowed and recent < limit.per_window
    session.commit()
    return allowed
