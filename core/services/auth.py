"""Sign-in, server-side sessions and the sign-in rate limit.

Session ids are made here, at sign-in, and never taken from a client: a cookie
whose hash is not in ``user_session`` is simply not a session.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.db import utcnow, writing
from core.models import LoginAttempt, User, UserSession
from core.services.passwords import verify_password

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionPolicy:
    idle_timeout: timedelta = timedelta(minutes=60)
    absolute_timeout: timedelta = timedelta(hours=10)
    # Sign-in throttling. A failure is remembered for ``failure_window``. In each
    # scope below, the first failures are free; after them every attempt in that
    # scope waits ``first_delay`` after the scope's latest failure, twice as long
    # after each further failure, at most ``max_delay``. Nothing is ever locked:
    # the owner of an account can always sign in after a short wait.
    free_failures: int = 3  # one address from one client
    free_failures_per_client: int = 20  # one client, any address
    free_failures_per_address: int = 100  # one address, any client: a high ceiling against many clients
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(seconds=60)
    failure_window: timedelta = timedelta(minutes=15)

    def delay_after(self, failures: int, free: int) -> timedelta:
        """How long an attempt waits after the latest of ``failures`` recent
        failures in a scope that allows ``free`` failures without waiting."""
        if failures < free:
            return timedelta(0)
        doublings = min(failures - free, 32)  # 2**32 seconds is past any cap
        return min(self.first_delay * 2**doublings, self.max_delay)


class NotVerified(Exception):
    """The password was right, but the account's e-mail address is not yet
    verified (an organisation's sign-up): it cannot sign in until it is."""


class TooManyAttempts(Exception):
    """The attempt was not checked. ``retry_after`` is the whole number of
    seconds to wait before the next attempt can be checked."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


# How often a session's idle clock is written: at most once a minute, not on every request.
IDLE_CLOCK_STEP = timedelta(minutes=1)


def expired(policy: SessionPolicy, last_seen_at: datetime, created_at: datetime, now: datetime) -> bool:
    """Whether a session seen last at ``last_seen_at`` and begun at ``created_at`` has run out."""
    return now - last_seen_at > policy.idle_timeout or now - created_at > policy.absolute_timeout


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _wait_needed(session: Session, policy: SessionPolicy, attempt: LoginAttempt, now: datetime) -> timedelta:
    """How much longer this attempt must wait, judged by every other recent
    attempt of its address or its client: failures, and attempts still being
    checked (counted as failures until they are known, which errs on the safe
    side)."""
    others = session.execute(
        select(LoginAttempt.email, LoginAttempt.client, LoginAttempt.at).where(
            LoginAttempt.at >= now - policy.failure_window,
            LoginAttempt.id != attempt.id,
            or_(LoginAttempt.email == attempt.email, LoginAttempt.client == attempt.client),
        )
    ).all()
    scopes = (
        ([r.at for r in others if r.email == attempt.email and r.client == attempt.client], policy.free_failures),
        ([r.at for r in others if r.client == attempt.client], policy.free_failures_per_client),
        ([r.at for r in others if r.email == attempt.email], policy.free_failures_per_address),
    )
    wait = timedelta(0)
    for times, free in scopes:
        delay = policy.delay_after(len(times), free)
        if delay:
            wait = max(wait, delay - (now - max(times)))
    return wait


def authenticate(
    session: Session, email: str, password: str, client: str, policy: SessionPolicy, now: datetime | None = None
) -> User | None:
    """The active user with these credentials, or None. Raises TooManyAttempts,
    without checking the password, when the attempt must wait (see SessionPolicy).

    The attempt is recorded and committed before anything is counted, so
    parallel requests (threads, worker processes) each see the others: at most
    the allowed number of them ever reach the password check. This commits
    ``session``, so call it before the request has changed anything it may
    want to roll back. A refused attempt is removed again; a wrong password
    stays as a failure; a successful sign-in removes the failures of this
    address from this client (flushed with the caller's transaction).
    """
    now = now or utcnow()
    email = email.strip().lower()[:254]
    client = client[:64]
    attempt = LoginAttempt(email=email, client=client, at=now)
    session.add(attempt)
    session.commit()  # visible to every other request before anything is counted
    wait = _wait_needed(session, policy, attempt, now)
    if wait > timedelta(0):
        session.delete(attempt)
        session.commit()
        raise TooManyAttempts(max(1, math.ceil(wait.total_seconds())))
    user = session.scalar(select(User).where(User.email == email))
    # Checking a password takes a good part of a second by design. End the
    # transaction first: on SQLite a request that writes holds the database's
    # one write lock from its first query to its commit (core.db.writing), and
    # every other writer would wait out the hashing too.
    session.commit()
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if user.email_verified_at is None:
        raise NotVerified()
    session.execute(delete(LoginAttempt).where(
        or_(and_(LoginAttempt.email == email, LoginAttempt.client == client),
            LoginAttempt.at < now - policy.failure_window)))
    return user


def start_session(session: Session, user: User) -> str:
    """A new session for the user; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id))
    return token


def resolve_session(session: Session, token: str | None, policy: SessionPolicy) -> User | None:
    """The signed-in user for a cookie value, or None when it is unknown, expired
    or its user deactivated. Touches the idle clock."""
    if not token:
        return None
    # One query for the session and its user: every signed-in request asks.
    found = session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if expired(policy, row.last_seen_at, row.created_at, now):
        session.delete(row)
        return None
    if not user.is_active:
        return None
    if now - row.last_seen_at > IDLE_CLOCK_STEP:
        _touch(session, row.id, now)
    return user


def _touch(session: Session, session_id: int, now: datetime) -> None:
    """Writes the idle clock in a short transaction of its own, so a request
    that only reads never fails on it: on SQLite a transaction that has read
    and then writes fails at once when another writer committed in between
    (as happens when a browser's requests arrive together and all find the
    clock due). One that cannot write it now leaves it to the next request."""
    try:
        with writing(session.get_bind()).begin() as connection:
            connection.execute(update(UserSession).where(UserSession.id == session_id,
                                                         UserSession.last_seen_at < now - IDLE_CLOCK_STEP)
                               .values(last_seen_at=now))
    except OperationalError:
        log.warning("the idle clock of session %s was not written; the next request writes it", session_id,
                    exc_info=True)


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


def end_all_sessions(session: Session, user: User) -> None:
    """Used when a user is deactivated: every session of theirs stops working."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
