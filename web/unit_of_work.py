"""One transaction per request, ended once, in the request's worker thread.

The request's session (made by web.context.provide_context) waits in the ASGI
scope. ``web.context.in_worker_thread`` ends it in the same thread hop as the
handler: a status below 400 commits it, anything else closes it without
keeping anything, so a refused or failed request changes nothing. A commit
that fails is not swallowed: it raises from the handler, and the app's
exception handlers answer (503 with Retry-After when the database is
unavailable, web.faults) instead of a page that says "saved".

A request whose handler never ran (Litestar refused a parameter first, or the
client went away) still has its session when the response starts or ends:
``before_send`` and ``after_response`` close it. Nothing was written then, so
there is nothing to commit.

This is advanced-alchemy's autocommit handler in spirit; ours ends the
transaction off the event loop and turns a failed commit into an error page.
"""

from __future__ import annotations

import logging

from anyio import to_thread
from litestar.types import Message, Scope
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_KEY = "iop.unit_of_work"


def begin(scope: Scope, session: Session) -> None:
    scope.setdefault("state", {})[_KEY] = session


def _take(scope: Scope) -> Session | None:
    return scope.get("state", {}).pop(_KEY, None)


def _end(session: Session, commit: bool) -> None:
    """Commits, or ends the transaction without keeping anything: closing the
    session hands its connection back to the pool, which rolls back. (An
    explicit rollback first would only expire the objects a page may still
    show.)"""
    try:
        if commit:
            session.commit()
    finally:
        try:
            session.close()
        except Exception:  # noqa: BLE001 - nothing was to be kept; the pool drops a broken connection
            log.warning("closing the session failed", exc_info=True)


def finish(scope: Scope, *, commit: bool) -> None:
    """Ends the request's transaction now (web.context.in_worker_thread)."""
    session = _take(scope)
    if session is not None:
        _end(session, commit)


async def _close_leftover(scope: Scope) -> None:
    session = _take(scope)
    if session is not None:
        await to_thread.run_sync(_end, session, False)


async def before_send(message: Message, scope: Scope) -> None:
    if message["type"] == "http.response.start":
        await _close_leftover(scope)


async def after_response(request) -> None:
    """A response that never started (the client went away) still ends its transaction."""
    await _close_leftover(request.scope)
