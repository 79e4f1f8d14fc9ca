"""One transaction per request, committed once when the response starts.

The request's session (made by web.context) waits in the ASGI scope. When the
response starts, a status below 400 commits it and anything else rolls it
back, so a refused or failed request changes nothing. Commit and rollback run
in a worker thread: a database that is slow to answer must not stall the event
loop that serves every other request. A commit that fails is not swallowed:
the person gets an error page instead of a page that says "saved". The
response that was about to start is replaced, status, headers and body, by the
one the app's exception handlers give for that exception (503 with Retry-After
when the database is unavailable, web.faults). A rollback that fails (the
connection is gone) is logged and dropped: nothing was saved, and the pool
replaces the connection.

This is advanced-alchemy's autocommit before-send handler in spirit; ours
differs in those points (that one commits on the event loop and only logs a
failed commit).
"""

from __future__ import annotations

import logging

from anyio import to_thread
from litestar import Response
from litestar.types import Message, Scope
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_KEY = "iop.unit_of_work"
# The body that replaces the one of a response whose commit failed.
_REPLACED_BODY = "iop.unit_of_work.replaced_body"


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
        except Exception:  # noqa: BLE001 - as above
            log.warning("closing the session failed", exc_info=True)


def finish(scope: Scope, *, commit: bool) -> None:
    """Ends the request's transaction now (used when the handler raised)."""
    session = _take(scope)
    if session is not None:
        _end(session, commit)


def _handler_for(app, exc: Exception):
    handlers = getattr(app, "exception_handlers", None) or {}
    return next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers), None)


def _error_response(scope: Scope, exc: Exception):
    """The response the app gives for ``exc``, ready to send."""
    app = scope["litestar_app"]
    request = app.request_class(scope=scope)
    handler = _handler_for(app, exc)
    if handler is None:
        log.error("the commit failed", exc_info=exc)
        response = Response("Internt fel. Försök igen om en stund.", status_code=500, media_type="text/plain")
    else:
        response = handler(request, exc)
    return response.to_asgi_response(app=None, request=request)


async def before_send(message: Message, scope: Scope) -> None:
    if message["type"] == "http.response.body":
        state = scope.get("state", {})
        if _REPLACED_BODY in state:
            # The first part carries the error page, any further part nothing.
            message["body"], state[_REPLACED_BODY] = state[_REPLACED_BODY], b""
        return
    if message["type"] != "http.response.start":
        return
    session = _take(scope)
    if session is None:
        return
    try:
        await to_thread.run_sync(_end, session, message["status"] < 400)
    except Exception as exc:  # noqa: BLE001 - every failed commit gets an answer that says so
        replacement = _error_response(scope, exc)
        message["status"] = replacement.status_code
        message["headers"] = replacement.encode_headers()
        scope["state"][_REPLACED_BODY] = b"" if scope.get("method") == "HEAD" else replacement.body


async def after_response(request) -> None:
    """A response that never started (the client went away) still ends its transaction."""
    session = _take(request.scope)
    if session is not None:
        await to_thread.run_sync(_end, session, False)
