"""Sign-in, server-side sessions and the sign-in rate limit.

Session ids are made here, at sign-in, and never taken from a client: a cookie
whose hash is not in ``user_session`` is simply not a session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import LoginAttempt, User, UserSession
from core.services.passwords import verify_password


@dataclass(frozen=True)
class SessionPolicy:
    idle_timeout: timedelta = timedelta(minutes=60)
    absolute_timeout: timedelta = timedelta(hours=10)
    # Failed attempts allowed per e-mail address, and per client, within the window.
    max_failures: int = 5
    max_failures_per_client: int = 20
    failure_window: timedelta = timedelta(minutes=15)


class TooManyAttempts(Exception):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _recent_failures(session: Session, policy: SessionPolicy, *, email: str | None = None, client: str | None = None) -> int:
    since = utcnow() - policy.failure_window
    query = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since)
    if email is not None:
        query = query.where(LoginAttempt.email == email)
    if client is not None:
        query = query.where(LoginAttempt.client == client)
    return session.scalar(query) or 0


def authenticate(session: Session, email: str, password: str, client: str, policy: SessionPolicy) -> User | None:
    """The active user with these credentials, or None. Raises TooManyAttempts
    when the address or the client has failed too often recently."""
    email = email.strip().lower()
    if (
        _recent_failures(session, policy, email=email) >= policy.max_failures
        or _recent_failures(session, policy, client=client) >= policy.max_failures_per_client
    ):
        raise TooManyAttempts()
    user = session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        session.add(LoginAttempt(email=email[:254], client=client[:64]))
        session.commit()
        return None
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    return user


def start_session(session: Session, user: User) -> str:
    """A new session for the user; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_hash(token), user_id=user.id))
    return token


def resolve_session(session: Session, token: str | None, policy: SessionPolicy) -> User | None:
    """The signed-in user for a cookie value, or None when it is unknown, expired
    or its user deactivated. Touches the idle clock."""
    if not token:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None:
        return None
    now = utcnow()
    if now - row.last_seen_at > policy.idle_timeout or now - row.created_at > policy.absolute_timeout:
        session.delete(row)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    # Write the idle clock at most once a minute, not on every request.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return user


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))


def end_all_sessions(session: Session, user: User) -> None:
    """Used when a user is deactivated: every session of theirs stops working."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
