"""Beyond what the pool can serve, a request is answered 503 at once instead
of queueing until the server wedges (issue 8: 24 requests in flight left it
unresponsive for 85 s)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from web.admission import Gate, admission


def _run(app, path: str) -> tuple[int, dict]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    # In a thread of its own: the browser tests' Playwright keeps an event
    # loop running in the worker's main thread for the rest of the run.
    request = app({"type": "http", "path": path, "method": "GET", "headers": []}, receive, send)
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, request).result()
    start = sent[0]
    return start["status"], dict(start["headers"])


def test_requests_beyond_the_limit_are_shed_at_once_with_retry_after():
    gate = Gate(limit=2)
    async def slow_app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = admission(gate)(slow_app)
    gate.in_flight = 2  # two requests are being served
    status, headers = _run(app, "/k/jarva/")
    assert status == 503 and headers[b"retry-after"] == b"1"
    status, headers = _run(app, "/api/v1/k/jarva/partnerships")
    assert status == 503 and headers[b"content-type"] == b"application/json"
    # The health check and static files are always let in.
    assert _run(app, "/healthz")[0] == 200
    assert _run(app, "/static/css/site.css")[0] == 200
    gate.in_flight = 1
    assert _run(app, "/k/jarva/")[0] == 200
    assert gate.in_flight == 1  # counted while it ran, released after


def test_the_app_sheds_load_when_its_gate_is_full(app, client, world):
    from tests.factories import login

    login(client, world.jarva_staff.email)
    gate = app.state.gate
    assert gate.limit == 32  # IOP_WORKER_THREADS' default: one request per thread and pooled connection
    gate.in_flight = gate.limit
    try:
        shed = client.get("/k/jarva/")
        assert shed.status_code == 503 and shed.headers["retry-after"] == "1"
        assert "många besök" in shed.text
        assert client.get("/healthz").status_code == 200
    finally:
        gate.in_flight = 0
    assert client.get("/k/jarva/").status_code == 200
