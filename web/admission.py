"""Admission: never more requests in flight than the database pool can serve.

Each request that reads the database holds a pooled connection from its
first query to its end. If more requests are in flight than the pool has
connections, the extra ones wait for a connection while holding a worker
thread, the threads run out, and the server stops answering until the pool's
time-outs clear the queue (85 s was measured). So one process admits at most
``limit`` requests at once (the pool's size, core.db.make_engine) and answers
the next at once with 503 and ``Retry-After``: a load balancer or the browser
tries again, and the requests already admitted finish at full speed.

Static files and ``/healthz`` are always admitted: they hold no connection
for long, and the health check must answer during a burst.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

RETRY_AFTER_SECONDS = 1
_EXEMPT = ("/static/", "/healthz")
_PAGE = (
    "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Hög belastning</title></head>"
    "<body><main><h1>Tjänsten har många besök just nu</h1>"
    "<p>Försök igen om en liten stund. Inget av det du har skrivit har sparats.</p></main></body></html>"
).encode()


class Gate:
    """The process's count of requests in flight. Litestar builds a middleware
    stack per route, so the count lives here and every stack shares it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0


def admission(gate: Gate):
    """The middleware factory: at most ``gate.limit`` HTTP requests in flight."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def admit(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith(_EXEMPT):
                await app(scope, receive, send)
                return
            if gate.in_flight >= gate.limit:
                await _shed(scope, send)
                return
            # One event loop per process: the count needs no lock.
            gate.in_flight += 1
            try:
                await app(scope, receive, send)
            finally:
                gate.in_flight -= 1

        return admit

    return middleware


async def _shed(scope: Scope, send: Send) -> None:
    api = scope["path"].startswith("/api/")
    body = b'{"detail":"Tj\xc3\xa4nsten har h\xc3\xb6g belastning. F\xc3\xb6rs\xc3\xb6k igen om en stund."}' if api else _PAGE
    await send({
        "type": "http.response.start",
        "status": 503,
        "headers": [
            (b"content-type", b"application/json" if api else b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            (b"cache-control", b"no-store"),
        ],
    })
    await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})
