"""When the database is unavailable: 503 with Retry-After and a calm page.

The database does not answer, refused or dropped a connection, has been
locked by another connection for longer than the busy timeout (SQLite), its
file is missing, or the pool had no connection free in time: the service is
unavailable for a while, not broken, and nothing of the request was saved.
Wherever in a request that happens (the request context, the handler, the
unit of work's commit), the person gets the same answer, and the next request
tries the database again: the pool replaces broken connections (pre-ping on
PostgreSQL, a file check on SQLite, core.db), so recovery needs no restart.
"""

from __future__ import annotations

from litestar import Request, Response
from litestar.response import Template
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
RETRY_AFTER_SECONDS = 30
RETRY_AFTER = {"retry-after": str(RETRY_AFTER_SECONDS)}
DETAIL = "Tjänsten är tillfälligt otillgänglig. Försök igen om en stund."


def _first_line(exc: Exception) -> str:
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]


def unavailable(request: Request, exc: Exception) -> Response:
    """The exception handler for UNAVAILABLE: logged as a warning (the
    operator sees why), answered 503."""
    request.logger.warning("database unavailable on %s %s: %s: %s", request.method, request.url.path,
                           type(exc).__name__, _first_line(exc))
    path = request.url.path
    if path == "/healthz":
        return Response({"status": "error", "reason": "databasen svarar inte"}, status_code=503, headers=RETRY_AFTER)
    if path.startswith("/api/"):
        return Response({"detail": DETAIL}, status_code=503, headers=RETRY_AFTER)
    return Template("errors/unavailable.html", status_code=503, headers=RETRY_AFTER, context={})
