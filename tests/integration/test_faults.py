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
from pathlib import Path

import anyio
import pytest
from anyio import to_thread
from litestar.testing import TestClient
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from core import clock, schema
from core.config import load_settings
from core.db import SQLITE_BUSY_TIMEOUT_SECONDS, make_engine, make_sessionmaker, open_session
from core.models import Decision, Meeting, Tenant
from core.tenancy import Scope
from tests import factories
from tests.factories import csrf, login, post
from tests.tcpproxy import TcpProxy
from web.app import create_app

UNAVAILABLE = "Tjänsten är tillfälligt otillgänglig"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def stabsenhet(world, db, registry):
    user = factories.user(db, registry, "stabsenhet@jarva.test", (world.jarva, "stabsenhet"))
    db.commit()
    return user


def _client(settings, **changes) -> TestClient:
    return TestClient(create_app(dataclasses.replace(settings, **changes)), base_url="http://testserver.local")


def _meetings_url(world) -> str:
    return f"/k/jarva/partnerskap/{world.jarva_partnership.id}/moten"


def _meeting(kind: str = "arbetsgrupp") -> dict:
    return {"kind": kind, "held_on": clock.today().isoformat(), "participants": "Stabsenheten och föreningen"}


def _meetings_stored(settings, kind: str | None = None) -> int:
    """Counted through a connection of its own (the test's session may hold an old snapshot)."""
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, Scope.system())() as session:
            query = select(func.count()).select_from(Meeting)
            return session.scalar(query.where(Meeting.kind == kind) if kind else query)
    finally:
        engine.dispose()


def _assert_unavailable_page(response) -> None:
    assert response.status_code == 503, response.text[:500]
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in response.text and UNAVAILABLE in response.text


def _sqlite_path(settings) -> str:
    return make_url(settings.database_url).database


# --------------------------------------------------------------------------- 1. unreachable


@dataclasses.dataclass
class Outage:
    """The database as one app sees it, which the test can take away and give back."""

    url: str
    vanish: Callable[[], None]
    come_back: Callable[[], None]
    proxy: TcpProxy | None = None


@pytest.fixture
def outage(backend, database_url):
    """PostgreSQL through a TCP proxy the test stops and starts; SQLite as a
    file the test moves away and back."""
    if backend == "postgresql":
        url = make_url(database_url)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        proxy.start()
        yield Outage(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
                     proxy.stop, proxy.start, proxy)
        proxy.stop()
    else:
        path = Path(make_url(database_url).database)
        away = path.with_name(path.name + ".borta")
        yield Outage(database_url, lambda: path.rename(away), lambda: away.rename(path))
        if away.exists():
            away.rename(path)


def test_a_database_that_vanishes_answers_503_and_the_app_recovers_without_restart(
        settings, outage, world, stabsenhet):
    with _client(settings, database_url=outage.url) as client:
        login(client, stabsenhet.email)
        token = csrf(client)  # read while there is a database to read it with
        assert client.get("/k/jarva/").status_code == 200

        outage.vanish()
        _assert_unavailable_page(client.get("/k/jarva/"))
        _assert_unavailable_page(client.get(_meetings_url(world)))
        api = client.get("/api/v1/k/jarva/partnerships")
        assert api.status_code == 503 and "retry-after" in api.headers
        assert api.json() == {"detail": "Tjänsten är tillfälligt otillgänglig. Försök igen om en stund."}
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "error"
        saved = client.post(_meetings_url(world), data={**_meeting(), "_csrf_token": token}, follow_redirects=False)
        _assert_unavailable_page(saved)
        if outage.proxy is None:
            # Not re-created empty: the file stays gone until someone puts it back.
            assert not Path(_sqlite_path(settings)).exists()

        outage.come_back()
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/k/jarva/").status_code == 200, "still signed in, with no restart"
        assert client.post(_meetings_url(world), data={**_meeting(), "_csrf_token": token},
                           follow_redirects=False).status_code == 303
    assert _meetings_stored(settings) == 1, "the request refused with 503 saved nothing"


@pytest.mark.postgresql_only  # a SQLite file that is not there stops start-up (test_start_up_needs_the_sqlite_file)
def test_an_app_started_while_the_database_server_is_down_serves_once_it_is_up(settings, outage, world):
    outage.vanish()
    with _client(settings, database_url=outage.url) as client:
        assert client.get("/healthz").status_code == 503
        # A browser with a session cookie: finding out whose it is needs the database.
        client.cookies.set("iop_session", "en-gammal-session")
        _assert_unavailable_page(client.get("/k/jarva/"))
        outage.come_back()
        assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.postgresql_only  # SQLite has no connection to drop
def test_a_connection_dropped_in_the_middle_of_a_request_poisons_nothing(settings, outage, world, stabsenhet):
    with _client(settings, database_url=outage.url) as client:
        login(client, stabsenhet.email)
        token = csrf(client)
        engine = client.app.state.ctx.sessionmaker.kw["bind"]
        armed = [True]

        @event.listens_for(engine, "before_cursor_execute")
        def drop(_conn, _cursor, statement, *_args):
            # While the request counts the meetings, the line to the database breaks.
            if armed[0] and "FROM meeting" in statement:
                armed[0] = False
                outage.proxy.cut()

        _assert_unavailable_page(client.post(_meetings_url(world), data={**_meeting(), "_csrf_token": token},
                                             follow_redirects=False))
        assert not armed[0]
        for _ in range(3):  # every pooled connection that was cut is replaced, none is handed out broken
            assert client.get(_meetings_url(world)).status_code == 200
        assert client.post(_meetings_url(world), data={**_meeting(), "_csrf_token": token},
                           follow_redirects=False).status_code == 303
    assert _meetings_stored(settings) == 1


@pytest.mark.postgresql_only  # SQLite has no connection to drop
def test_a_pooled_connection_dropped_while_idle_is_replaced_unseen_and_one_just_used_is_not_pinged(
        database_url, owner_url, monkeypatch):
    """The pool pings a connection idle for more than a second before handing
    it out, and replaces it if the server does not answer; one used a moment
    ago goes out without the round trip (core.db._ping_if_idle)."""
    engine = make_engine(database_url)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi: (pings.append(1), real_ping(dbapi))[1])
    owner = make_engine(owner_url)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == pid
        assert pings == [], "a connection used a moment ago is not pinged"
        with owner.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        monkeypatch.setattr("core.db.PING_AFTER_IDLE_SECONDS", 0.0)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        assert pings, "the idle connection was pinged (and so was its replacement, with no idle time allowed)"
    finally:
        engine.dispose()
        owner.dispose()


def test_a_commit_that_fails_for_the_database_answers_503_and_saves_nothing(settings, world, stabsenhet,
                                                                             monkeypatch):
    with _client(settings) as client:
        login(client, stabsenhet.email)
        token = csrf(client)

        def commit(self):
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

        monkeypatch.setattr("sqlalchemy.orm.Session.commit", commit)
        response = client.post(_meetings_url(world), data={**_meeting(), "_csrf_token": token},
                               follow_redirects=False)
        monkeypatch.undo()
        _assert_unavailable_page(response)
        assert "location" not in response.headers
        assert "content-security-policy" in response.headers, "the replaced answer keeps the security headers"
    assert _meetings_stored(settings) == 0


# --------------------------------------------------------------------------- 2. SQLite locks


def _hold_write_lock(settings) -> sqlite3.Connection:
    """Another process's view: a connection that has begun a write and keeps it."""
    lock = sqlite3.connect(_sqlite_path(settings), timeout=0, isolation_level=None, check_same_thread=False)
    lock.execute("BEGIN IMMEDIATE")
    return lock


@pytest.mark.sqlite_only
def test_sqlite_a_write_that_waits_too_long_for_the_lock_answers_503(settings, world, stabsenhet):
    with _client(settings) as client:
        login(client, stabsenhet.email)
        csrf(client)
        result = {}

        def write():
            start = time.monotonic()
            result["response"] = post(client, _meetings_url(world), _meeting())
            result["seconds"] = time.monotonic() - start

        lock = _hold_write_lock(settings)
        try:
            writer = threading.Thread(target=write)
            writer.start()
            writer.join(SQLITE_BUSY_TIMEOUT_SECONDS + 10)
        finally:
            lock.rollback()
            lock.close()
        writer.join(60)
        _assert_unavailable_page(result["response"])
        assert SQLITE_BUSY_TIMEOUT_SECONDS - 0.5 <= result["seconds"] < SQLITE_BUSY_TIMEOUT_SECONDS + 10
        assert post(client, _meetings_url(world), _meeting()).status_code == 303
    assert _meetings_stored(settings) == 1


@pytest.mark.sqlite_only
def test_sqlite_a_writer_begins_immediate_so_a_stale_snapshot_cannot_fail_it(settings, world):
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


@pytest.mark.sqlite_only
def test_sqlite_signing_in_does_not_hold_the_write_lock_while_the_password_is_checked(
        settings, world, stabsenhet, monkeypatch):
    """A sign-in writes (its attempt, its session), so on SQLite it holds the
    write lock while it runs; checking the password is slow by design and
    runs with no transaction open, so other writers need not wait for it."""
    from core.services import auth

    lock_free: list[bool] = []
    check = auth.verify_password

    def verify_password(password_hash, password):
        other = sqlite3.connect(_sqlite_path(settings), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            lock_free.append(True)
        except sqlite3.OperationalError:
            lock_free.append(False)
        finally:
            other.close()
        return check(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", verify_password)
    with _client(settings) as client:
        assert login(client, stabsenhet.email).status_code == 303
    assert lock_free == [True]


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


@pytest.mark.sqlite_only
def test_sqlite_while_writes_wait_for_a_lock_pages_that_read_still_answer(settings, world, stabsenhet):
    """Twenty writes stuck on another connection's lock hold twenty worker
    threads and connections; the partnership list still answers, before any
    of them has given up."""
    stuck = 20  # more writers than the pool held before (5 + 10) and than the loop's default threads
    with _client(settings) as client:
        login(client, stabsenhet.email)
        csrf(client)
        writes: list = []
        read: dict = {}
        lock = _hold_write_lock(settings)
        try:
            writers = [threading.Thread(target=lambda: writes.append(post(client, _meetings_url(world), _meeting())))
                       for _ in range(stuck)]
            for w in writers:
                w.start()
            time.sleep(1.0)  # they are all waiting for the lock now

            def read_page():
                response = client.get("/k/jarva/")
                read["writes_done"], read["response"] = len(writes), response

            reader = threading.Thread(target=read_page)
            reader.start()
            reader.join(15)
        finally:
            lock.rollback()
            lock.close()
        reader.join(60)
        for w in writers:
            w.join(60)
    assert read.get("writes_done") == 0, "the list answered while every write was still waiting"
    assert read["response"].status_code == 200 and "Järvas hemliga läxhjälp" in read["response"].text
    assert len(writes) == stuck and {r.status_code for r in writes} <= {303, 503}


# --------------------------------------------------------------------------- 4. missing file, schema version


def test_start_up_needs_the_sqlite_file_and_does_not_create_it(settings, tmp_path):
    missing = tmp_path / "saknas.sqlite3"
    with pytest.raises(schema.DatabaseNotReady, match="iop db upgrade") as refused:
        create_app(dataclasses.replace(settings, database_url=f"sqlite:///{missing}"))
    assert "\n" not in str(refused.value)
    assert not missing.exists()


def test_iop_serve_stops_with_one_line_until_iop_db_upgrade_has_made_the_database(tmp_path, monkeypatch, capsys):
    from web.cli import main

    monkeypatch.delenv("IOP_DATABASE_URL", raising=False)
    monkeypatch.setenv("IOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IOP_SECRET_KEY", "test")
    database = tmp_path / "iop.sqlite3"
    assert main(["serve", "--port", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "iop db upgrade" in err
    assert not database.exists()
    assert main(["db", "upgrade"]) == 0 and database.exists()
    create_app(load_settings())  # starts now


def _set_version(database_url: str, version: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
    finally:
        engine.dispose()


def test_start_up_stops_when_the_schema_is_not_at_the_codes_version(settings, owner_url):
    (head,) = schema.code_heads()
    _set_version(owner_url, "0003")
    try:
        with pytest.raises(schema.DatabaseNotReady, match="iop db upgrade"):
            create_app(settings)
    finally:
        _set_version(owner_url, head)
    create_app(settings)


def test_healthz_is_ok_only_when_the_schema_is_at_the_codes_version(settings, owner_url):
    (head,) = schema.code_heads()
    with _client(settings) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        _set_version(owner_url, "0003")
        try:
            response = client.get("/healthz")
        finally:
            _set_version(owner_url, head)
        assert response.status_code == 503
        assert response.json()["status"] == "error" and "iop db upgrade" in response.json()["reason"]
        assert client.get("/healthz").json() == {"status": "ok"}


# --------------------------------------------------------------------------- 5. caps under parallel requests


def test_jv_08_parallel_requests_register_at_most_five_idea_meetings(settings, world, stabsenhet):
    """JV-08: at most five idea meetings, also when twelve arrive at once."""
    attempts = 12
    with _client(settings) as client:
        login(client, stabsenhet.email)
        csrf(client)
        start = threading.Barrier(attempts)
        responses: list = []

        def register():
            start.wait()
            responses.append(post(client, _meetings_url(world), _meeting("idemote")))

        threads = [threading.Thread(target=register) for _ in range(attempts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    stored = _meetings_stored(settings, "idemote")
    statuses = sorted(r.status_code for r in responses)
    assert len(responses) == attempts
    assert stored == 5 and statuses.count(303) == 5, statuses
    refused = [r for r in responses if r.status_code != 303]
    assert all(r.status_code in (409, 422) for r in refused), statuses
    assert all("vilket är det högsta antalet" in r.text for r in refused)


def test_parallel_requests_complete_a_step_once(settings, world, stabsenhet):
    """The other check-then-write of the process, under the same lock: a step
    is done once, whoever else pressed the button at the same moment."""
    attempts = 8
    url = f"/k/jarva/partnerskap/{world.jarva_partnership.id}"
    with _client(settings) as client:
        login(client, stabsenhet.email)
        form = client.get(f"{url}/formular/initiativ").text
        assert post(client, f"{url}/formular/initiativ", {
            "version": re.search(r'name="version" value="(\d+)"', form).group(1),
            "ursprung": "civilsamhallet", "verksamhetside": "Läxhjälp", "karnverksamhet": "Skolan"}).status_code == 303
        version = re.search(r'name="version" value="(\d+)"', client.get(f"{url}/andra").text).group(1)
        start = threading.Barrier(attempts)
        responses: list = []

        def complete():
            start.wait()
            responses.append(post(client, f"{url}/steg/initiativ",
                                  {"outcome": "fortsatt", "motivation": "Mottaget.", "version": version}))

        threads = [threading.Thread(target=complete) for _ in range(attempts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    statuses = sorted(r.status_code for r in responses)
    assert len(responses) == attempts and statuses.count(303) == 1, statuses
    assert set(statuses) <= {303, 409, 422}, statuses
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, Scope.system())() as session:
            assert session.scalar(select(func.count()).select_from(Decision)
                                  .where(Decision.step_key == "initiativ")) == 1
    finally:
        engine.dispose()
