"""Faults are survived (issue 7, item 8): a database that vanishes, is locked
or is not the code's version gets 503 with Retry-After and a calm Swedish
page, never 500; the application recovers without a restart; a rule's cap
holds under parallel requests; a missing SQLite file is never re-created
empty."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import anyio
import pytest
from anyio import to_thread
from litestar.testing import TestClient
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from core.config import load_settings
from core.db import SQLITE_BUSY_TIMEOUT_SECONDS, make_engine, make_sessionmaker, open_session
from core.models import Decision, Meeting, Tenant
from core.tenancy import Scope
from tests import factories
from tests.factories import csrf, login, post
from web.app import create_app

UNAVAILABLE = "Tjänsten är tillfälligt otillgänglig"


# --------------------------------------------------------------------------- helpers


def _client(settings, **changes) -> TestClient:
    return TestClient(create_app(dataclasses.replace(settings, **changes)), base_url="http://testserver.local")


def _sqlite_path(settings) -> str:
    return make_url(settings.database_url).database


# --------------------------------------------------------------------------- 2. SQLite locks


@pytest.fixture
def sqlite_only(backend):
    if backend != "sqlite":
        pytest.skip("SQLite's file lock")


def test_sqlite_a_writer_begins_immediate_so_a_stale_snapshot_cannot_fail_it(settings, world, sqlite_only):
    """A deferred transaction that has read, then writes after another writer
    committed, fails at once in WAL mode; a writer's transaction takes the
    lock when it begins, so the other writer waits for it instead."""
    engine = make_engine(settings.database_url, application=True)
    factory = make_sessionmaker(engine, Scope.system())
    setup = sqlite3.connect(_sqlite_path(settings), isolation_level=None)
    setup.execute("CREATE TABLE scratch (x TEXT)")
    setup.close()

    def other_writer(code: str, done: dict) -> None:
        other = sqlite3.connect(_sqlite_path(settings), timeout=SQLITE_BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO scratch (x) VALUES (?)", (code,))
            other.execute("COMMIT")
            done["ok"] = True
        except sqlite3.OperationalError as exc:
            done["error"] = exc
        finally:
            other.close()

    try:
        # A reader that turns writer: the other writer slips in between.
        reader = open_session(factory, writes=False)
        reader.scalar(select(func.count()).select_from(Tenant))
        done: dict = {}
        other_writer("annan-1", done)
        assert done == {"ok": True}
        reader.add(Tenant(code="lasare", name="Läsare", kind="kommun", decision_body="KS"))
        with pytest.raises(OperationalError, match="database is locked"):
            reader.flush()
        reader.rollback()
        reader.close()

        # A writer: the other writer waits for its commit.
        writer = open_session(factory, writes=True)
        writer.scalar(select(func.count()).select_from(Tenant))
        done = {}
        thread = threading.Thread(target=other_writer, args=("annan-2", done))
        thread.start()
        time.sleep(0.3)
        assert done == {}, "the other writer waits"
        writer.add(Tenant(code="skrivare", name="Skrivare", kind="kommun", decision_body="KS"))
        writer.commit()
        writer.close()
        thread.join(SQLITE_BUSY_TIMEOUT_SECONDS + 5)
        assert done == {"ok": True}
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- 3. worker threads


def test_worker_threads_come_from_the_settings(settings):
    threads = 48  # more than either default (the loop's: at most 32; anyio's: 40)

    async def all_at_once() -> int:
        loop = asyncio.get_running_loop()
        barrier = threading.Barrier(threads, timeout=10)
        await asyncio.gather(*(loop.run_in_executor(None, barrier.wait) for _ in range(threads)))
        barrier = threading.Barrier(threads, timeout=10)
        async with anyio.create_task_group() as group:
            for _ in range(threads):
                group.start_soon(to_thread.run_sync, barrier.wait)
        return to_thread.current_default_thread_limiter().total_tokens

    with _client(settings, worker_threads=threads) as client:
        assert client.blocking_portal.call(all_at_once) == threads


def test_iop_worker_threads_is_read_and_checked(tmp_path):
    assert load_settings({"IOP_DATA_DIR": str(tmp_path)}).worker_threads == 32
    assert load_settings({"IOP_DATA_DIR": str(tmp_path), "IOP_WORKER_THREADS": "6"}).worker_threads == 6
    for bad in ("0", "-1", "sex", "1000"):
        with pytest.raises(ValueError, match="IOP_WORKER_THREADS"):
            load_settings({"IOP_DATA_DIR": str(tmp_path), "IOP_WORKER_THREADS": bad})
