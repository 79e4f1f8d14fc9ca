"""Fixtures shared by the unit and integration tests.

Every test that takes ``database_url`` runs once against SQLite and once against
PostgreSQL. PostgreSQL is 127.0.0.1:5432, database ``test`` by default
(IOP_TEST_POSTGRES_URL overrides). Under CI=true a missing PostgreSQL fails the
run; elsewhere those tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from core.config import Settings
from core.db import make_engine, make_sessionmaker
from core.migrate import upgrade
from core.registry import build_plugin_manager, build_registry
from core.services import tenants
from core.tenancy import Scope

# The application's role in the test databases (roles are per server, so the
# name is shared by every test run on it; its rights are per database).
APP_ROLE = "iop_test_app"
POSTGRES_URL = os.environ.get("IOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]


def pytest_addoption(parser):
    parser.addoption("--db", default=",".join(BACKENDS), help="comma-separated backends: sqlite,postgresql")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        chosen = [b for b in metafunc.config.getoption("--db").split(",") if b in BACKENDS]
        for only in BACKENDS:
            if metafunc.definition.get_closest_marker(f"{only}_only"):
                chosen = [b for b in chosen if b == only]
        metafunc.parametrize("backend", chosen, scope="session")


def pytest_collection_modifyitems(items):
    """The long tests first (the browser's and those marked slow): with two
    workers, a long test taken last keeps one worker busy while the other
    has nothing left to do."""
    items.sort(key=lambda item: not (item.get_closest_marker("e2e") or item.get_closest_marker("slow")))


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Argon2 with the cheapest parameters while the tests run: hashing a
    password with the real ones costs a tenth of a second or more, and the
    tests make and check hundreds. Hashes carry their parameters, so nothing
    else changes. Servers the e2e tests start keep the real parameters."""
    from argon2 import PasswordHasher

    from core.services import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "_hasher", cheap)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file; each test gets a copy (fast and fully fresh)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@dataclass(frozen=True)
class PostgresDatabase:
    # The application's restricted role, as IOP_DATABASE_URL would name it.
    app_url: str
    # The tables' owner, as IOP_DATABASE_OWNER_URL would (here the server's superuser).
    owner_url: str
    # The owner's engine, kept for the run to empty the tables before each test.
    owner_engine: Engine

    def empty(self) -> None:
        """Every table emptied and every sequence restarted, as a new database.
        DELETE with triggers and foreign keys off (the superuser's replica
        role; the audit trail's row triggers would refuse it) costs a few
        milliseconds where TRUNCATE of forty tables costs about 150. The
        sequences start again by setval: ALTER SEQUENCE ... RESTART gives each
        sequence a new file, and cost the server 38 ms of the 41 it spent on
        each test's emptying (now 3.5)."""
        with self.owner_engine.begin() as conn:
            tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
            sequences = conn.scalars(text(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'")).all()
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("; ".join(f'DELETE FROM "{t}"' for t in tables)))
            conn.execute(text("SELECT setval(format('%I', q)::regclass, 1, false) FROM unnest(CAST(:q AS text[])) q"),
                         {"q": sequences})


@pytest.fixture(scope="session")
def postgres_database() -> PostgresDatabase:
    """A fresh PostgreSQL database for this test run, migrated once by its
    owner, with the application's own restricted role as the README's set-up
    makes it (core.rls)."""
    admin_url = make_url(POSTGRES_URL)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not there"
        message = f"PostgreSQL is not reachable at {admin_url.render_as_string(hide_password=True)}: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    name = f"iop_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    owner_url = admin_url.set(database=name).render_as_string(hide_password=False)
    app_url = admin_url.set(database=name, username=APP_ROLE, password=None).render_as_string(hide_password=False)
    upgrade(owner_url, app_url=app_url)
    owner_engine = create_engine(owner_url, pool_size=1)
    yield PostgresDatabase(app_url=app_url, owner_url=owner_url, owner_engine=owner_engine)
    owner_engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def worker_dir(tmp_path_factory) -> Path:
    """The worker's own place for the database file and the data directory:
    the same paths test after test, so that the settings are equal and the
    tests can share one app (see ``app``)."""
    return tmp_path_factory.mktemp("worker")


@pytest.fixture
def database_url(request, backend, worker_dir) -> str:
    if backend == "sqlite":
        path = worker_dir / "iop.sqlite3"
        # A new file for each test, not the old one overwritten: a connection
        # a test left open keeps the old file and never sees the new one.
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    database = request.getfixturevalue("postgres_database")
    database.empty()
    return database.app_url


@pytest.fixture
def owner_url(request, backend, database_url) -> str:
    """The same database as its owner, who may do what the application may not."""
    if backend == "sqlite":
        return database_url
    return request.getfixturevalue("postgres_database").owner_url


@pytest.fixture
def settings(database_url, worker_dir) -> Settings:
    data_dir = worker_dir / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir()
    return Settings(database_url=database_url, data_dir=data_dir, secret_key="test-secret-key")


@pytest.fixture(scope="session")
def registry():
    return build_registry(build_plugin_manager())


@pytest.fixture(scope="session")
def shared_engines() -> dict:
    return {}


@pytest.fixture
def engine(settings, shared_engines):
    """One engine per database for the run, as a running application has:
    what SQLAlchemy compiles stays compiled (a new engine for every test
    compiled every statement again, a fifth of a test's set-up). Its
    connections are closed after each test, before the next test's database
    is put in place."""
    engine = shared_engines.get(settings.database_url)
    if engine is None:
        engine = shared_engines[settings.database_url] = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine, registry):
    with make_sessionmaker(engine, Scope.system(), registry=registry)() as session:
        yield session


@pytest.fixture(scope="session")
def shared_apps() -> dict:
    return {}


@pytest.fixture
def app(settings, registry, shared_apps):
    """The app for the test's settings, built once per worker and database:
    building one costs Litestar a tenth of a second, hundreds of times. What
    an app keeps between requests is made anew for each test (the tenants'
    plugin cache, its rendered pages, the count of requests in flight), and its connections are
    closed after it, before the next test's database is put in place."""
    from web.app import create_app
    from web.context import AppContext
    from web.page_cache import PageCache

    app = shared_apps.get(settings)
    if app is None:
        # The run's registry, validated once: a registry per app would render every mall again.
        app = shared_apps[settings] = create_app(settings, registry=registry)
    ctx: AppContext = app.state.ctx
    app.state.ctx = replace(ctx, tenant_config=tenants.TenantConfigCache(), pages=PageCache(ctx.pages.max_bytes))
    app.state.gate.in_flight = 0
    yield app
    ctx.sessionmaker.kw["bind"].dispose()


@pytest.fixture
def client(app):
    from litestar.testing import TestClient

    with TestClient(app, base_url="http://testserver.local") as client:
        yield client


@pytest.fixture
def world(db, registry):
    """Two tenants with their plugins, staff in each, and a partnership in each."""
    from tests import factories

    w = factories.two_tenants(db, registry)
    db.commit()
    return w


@pytest.fixture
def smtp_server():
    """A real SMTP server started for the test; ``.inbox`` holds what it received."""
    from tests.smtp import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()
