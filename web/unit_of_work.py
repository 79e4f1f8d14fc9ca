"""One transaction per request, committed once when the response starts.

The request's session (made by web.context) waits in the ASGI scope. When the
response starts, a status below 400 commits it and anything else rolls it
back, so a refused or failed request changes nothing. Commit and rollback run
in a worker thread: a database that is slow to answer must not stall the event
loop that serves every other request. A commit that fails is not swallowed:
the exception propagates and the person gets an error page instead of a page
that says "saved".

This is advanced-alchemy's autocommit before-send handler in spirit; ours
differs in those two points (that one commits on the event loop and only logs
a failed commit).
"""

from __future__ import annotations

from anyio import to_thread
from litestar.types import Message, Scope
from sqlalchemy.orm import Session

_KEY = "iop.unit_of_work"


def begin(scope: Scope, session: Session) -> None:
    scope.setdefault("state", {})[_KEY] = session


def _take(scope: Scope) -> Session | None:
    return scope.get("state", {}).pop(_KEY, None)


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def finish(scope: Scope, *, commit: bool) -> None:
    """Ends the request's transaction now (used when the handler raised)."""
    session = _take(scope)
    if session is not None:
        _end(session, commit)


async def before_send(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    session = _take(scope)
    if session is not None:
        await to_thread.run_sync(_end, session, message["status"] < 400)


async def after_response(request) -> None:
    """A response that never started (the client went away) still ends its transaction."""
    session = _take(request.scope)
    if session is not None:
        await to_thread.run_sync(_end, session, False)
