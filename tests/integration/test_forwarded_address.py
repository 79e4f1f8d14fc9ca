"""The sign-in limit counts the real client: X-Forwarded-For is believed only
from IOP_TRUSTED_PROXIES, under uvicorn (``iop serve``) and in the app itself."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from litestar.testing import TestClient
from sqlalchemy import select

from core.models import LoginAttempt
from tests.factories import from_address, login
from web.app import create_app
from web.cli import proxy_options

FORGED = "198.51.100.99"


def _clients(db) -> list[str]:
    db.rollback()
    return list(db.scalars(select(LoginAttempt.client).order_by(LoginAttempt.id)))


@pytest.fixture
def serve(settings):
    """Runs the app under uvicorn on loopback, configured as ``iop serve`` does."""
    servers = []

    def start(**changes) -> str:
        app = create_app(dataclasses.replace(settings, **changes))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                               **proxy_options(app.state.ctx.settings)))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        deadline = time.monotonic() + 15
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def test_under_uvicorn_a_forged_header_from_loopback_is_ignored(serve, world, db):
    with httpx.Client(base_url=serve()) as client:
        client.headers["x-forwarded-for"] = FORGED
        assert login(client, world.jarva_staff.email, "fel").status_code == 400
    assert _clients(db) == ["127.0.0.1"]


def test_under_uvicorn_a_trusted_proxy_names_the_client(serve, world, db):
    with httpx.Client(base_url=serve(trusted_proxies=("127.0.0.1",))) as client:
        client.headers["x-forwarded-for"] = f"{FORGED}, 192.0.2.44"  # the client's own claim, then the proxy's
        assert login(client, world.jarva_staff.email, "fel").status_code == 400
    assert _clients(db) == ["192.0.2.44"]


def test_in_the_app_a_forged_header_from_an_untrusted_peer_is_ignored(client, world, db):
    from_address(client, "203.0.113.5")
    client.headers["x-forwarded-for"] = FORGED
    assert login(client, world.jarva_staff.email, "fel").status_code == 400
    assert _clients(db) == ["203.0.113.5"]


def test_in_the_app_a_trusted_proxy_names_the_client(settings, world, db):
    app = create_app(dataclasses.replace(settings, trusted_proxies=("10.0.0.0/8",)))
    with TestClient(app, base_url="http://testserver.local") as client:
        from_address(client, "10.0.0.2")
        client.headers["x-forwarded-for"] = f"{FORGED}, 192.0.2.44, 10.3.3.3"
        assert login(client, world.jarva_staff.email, "fel").status_code == 400
    assert _clients(db) == ["192.0.2.44"]
