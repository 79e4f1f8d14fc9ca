"""Engine, session factory and the declarative base shared by all models."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs, quote, unquote, urlsplit

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from core.config import DEFAULT_WORKER_THREADS
from core.search import SQLITE_LOWER, sqlite_lower
from core.values import ValidationError, check_lengths

# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use utcnow()")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def _sqlite_file_it_would_create(database: str, uri: bool) -> str | None:
    """The file SQLite creates if it is missing when it opens ``database``, or
    None when it creates none: in memory, or a URI with mode=ro or mode=rw
    (which must still be able to refuse a missing file)."""
    if uri and database.startswith("file:"):
        parts = urlsplit(database)
        if parse_qs(parts.query).get("mode", ["rwc"])[-1] != "rwc":
            return None
        database = unquote(parts.path)
    return None if database in ("", ":memory:") else database


def _create_private_if_missing(path: str) -> None:
    """Create the database file as SQLite would, empty, but with mode 0600.

    SQLite creates a missing file with 0644 (less the umask), and its -wal and
    -shm companions take the main file's mode, so the one moment that matters
    is this creation. Creating the empty file a moment before SQLite opens it,
    at exactly the point where SQLite would create it anyway, changes nothing
    but the mode: an empty file is an empty database to SQLite, and nothing is
    created at make_engine time or when SQLite would not create a file.
    O_EXCL leaves an existing file untouched. Narrowing the umask around the
    connect instead would narrow it for every thread of the process at once;
    chmod after the connect would leave a window in which another user could
    open the file and keep the descriptor."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        # It exists, or cannot be made here: SQLite opens it or reports why.
        pass


# How long a SQLite statement waits for another connection's write lock before
# it gives up with "database is locked" (answered 503, try again). Writers hold
# the lock for milliseconds; a wait this long means something holds it far
# longer (a backup, a stuck process), and every waiting request holds a worker
# thread, so waiting longer only spreads the stall to pages that need no lock.
# SQLite's own default would wait five seconds too; the driver's is 30 s.
SQLITE_BUSY_TIMEOUT_SECONDS = 5.0
# How long a request waits for a free pooled connection before it is answered
# 503: a full pool means the database is not keeping up.
POOL_TIMEOUT_SECONDS = 5.0
# How long connecting to PostgreSQL may take before the request is answered
# 503, instead of hanging on an unanswered network for minutes.
CONNECT_TIMEOUT_SECONDS = 5
# A pooled PostgreSQL connection idle longer than this is pinged before it is
# used again (_ping_if_idle); one used within it is taken as alive.
PING_AFTER_IDLE_SECONDS = 1.0
_USED_AT = "iop.used_at"


_BEGIN_IMMEDIATE = "iop_sqlite_begin_immediate"
_SQLITE_PATH = "iop.sqlite_path"
_SQLITE_FILE = "iop.sqlite_file"


def _read_write_uri(database: str, uri: bool) -> tuple[str, str | None]:
    """The SQLite database argument that opens ``database`` read-write and
    never creates it (``mode=rw``), and the file's path (None in memory)."""
    if uri and database.startswith("file:"):
        parts = urlsplit(database)
        query = parse_qs(parts.query)
        path = unquote(parts.path)
        if query.get("mode", ["rwc"])[-1] == "memory" or path in ("", ":memory:"):
            return database, None
        if "mode" not in query:
            database += ("&" if parts.query else "?") + "mode=rw"
        return database, path
    if database in ("", ":memory:"):
        return database, None
    return f"file:{quote(os.path.abspath(database))}?mode=rw", os.path.abspath(database)


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _sqlite_in_memory(url: str) -> bool:
    u = make_url(url)
    database = u.database or ""
    return database in ("", ":memory:") or database.startswith("file::memory:") or \
        u.query.get("mode") == "memory"


def sqlite_file(url: str) -> str | None:
    """The file of a SQLite database URL; None for another database or one in memory."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or _sqlite_in_memory(url):
        return None
    database = u.database or ""
    if database.startswith("file:") and str(u.query.get("uri", "")).lower() in ("true", "1"):
        database = unquote(urlsplit(database).path)
    return os.path.abspath(database)


def make_engine(url: str, *, application: bool = False, pool_size: int = DEFAULT_WORKER_THREADS) -> Engine:
    """An engine for ``url``; ``application``: the running web application's.

    For the application, a SQLite file is opened with ``mode=rw``, so a missing
    file is an error (answered 503) instead of a new empty database: only
    ``iop db upgrade`` creates it. A pooled connection whose file has gone from
    its path, or been replaced by another, is dropped when it is next taken
    from the pool, so a deleted file is not written to behind everyone's back
    and a file put back is used at once. And SQLAlchemy, not the driver, begins
    its transactions (SQLAlchemy's documented pysqlite recipe), so a unit of
    work that will write can begin IMMEDIATE (``writing``). The command line
    and the migrations keep the driver's own transaction handling, which they
    rely on (PRAGMAs outside a transaction).

    ``pool_size``: connections kept open for reuse; as many again may be opened
    under load (one per worker thread, and requests waiting between two thread
    hops hold theirs). A request that finds none free within
    POOL_TIMEOUT_SECONDS is answered 503.
    """
    # Last in, first out: under light load the same few connections, with
    # warm caches and prepared statements, serve every request.
    pool = {"pool_size": pool_size, "max_overflow": pool_size, "pool_timeout": POOL_TIMEOUT_SECONDS,
            "pool_use_lifo": True}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                               **({} if _sqlite_in_memory(url) else pool))

        @event.listens_for(engine, "do_connect")
        def _open(_dialect, record, cargs, cparams):
            if application:
                database, path = _read_write_uri(cargs[0], bool(cparams.get("uri")))
                if path is not None:
                    cargs[0], cparams["uri"] = database, True
                    record.info[_SQLITE_PATH] = path
                return
            path = _sqlite_file_it_would_create(cargs[0], bool(cparams.get("uri")))
            if path is not None:
                _create_private_if_missing(path)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, record):
            if path := record.info.get(_SQLITE_PATH):
                record.info[_SQLITE_FILE] = _file_identity(path)
            if application:
                # The driver begins nothing; the "begin" event below does.
                dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
            dbapi_connection.create_function(SQLITE_LOWER, 1, sqlite_lower, deterministic=True)

        if application:
            @event.listens_for(engine, "checkout")
            def _same_file(_dbapi_connection, record, _proxy):
                path = record.info.get(_SQLITE_PATH)
                if path and _file_identity(path) != record.info.get(_SQLITE_FILE):
                    raise DisconnectionError(f"the database file {path} is gone or was replaced")

            @event.listens_for(engine, "begin")
            def _begin(conn):
                # A unit of work that will write takes the write lock at once
                # and so waits its turn on the busy timeout. A deferred
                # transaction that has read and then writes fails at once with
                # "database is locked" in WAL mode when another writer
                # committed in between: its snapshot is stale.
                immediate = conn.get_execution_options().get(_BEGIN_IMMEDIATE)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    connect_args = {} if "connect_timeout" in make_url(url).query else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    engine = create_engine(url, connect_args=connect_args, **pool)
    _ping_if_idle(engine)
    return engine


def _ping_if_idle(engine: Engine) -> None:
    """A pooled connection idle for more than PING_AFTER_IDLE_SECONDS is
    pinged when it is taken from the pool, and replaced if the server does
    not answer (a restart, a proxy that dropped it): SQLAlchemy's
    ``pool_pre_ping``, but not for a connection used a moment ago. Pinging
    every time cost a round trip per request, a third of a kept page's time
    at the database (web/page_cache.py). A connection that breaks within the
    second fails its request, which is answered 503, and the pool drops every
    connection it held (SQLAlchemy does so on a disconnect)."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _used(_dbapi_connection, record) -> None:
        record.info[_USED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get(_USED_AT, 0.0) <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the server did not answer the pool's ping") from exc


def writing(engine: Engine) -> Engine:
    """``engine`` for a unit of work that will write (an unsafe HTTP method).
    On SQLite (an application engine) its transactions begin IMMEDIATE, so
    concurrent writers queue on the busy timeout instead of failing, and a rule
    that counts rows before inserting one (JV-08) counts with no other writer
    in between. On PostgreSQL nothing changes: rows are locked where a rule
    needs it (core.services.partnerships.get_partnership)."""
    return engine.execution_options(**{_BEGIN_IMMEDIATE: True})


def open_session(factory: sessionmaker, *, writes: bool) -> Session:
    """A session of ``factory``; one that ``writes`` is bound to ``writing(engine)``."""
    if not writes:
        return factory()
    return factory(bind=writing(factory.kw["bind"]))


def _refuse_overlong_text(session, _flush_context, _instances) -> None:
    """The last guard against text longer than its column: services check the
    fields they know, with messages that name them; this catches the rest."""
    errors: dict[str, str] = {}
    for obj in (*session.new, *session.dirty):
        if hasattr(obj, "__table__"):
            errors.update(check_lengths(obj))
    if errors:
        raise ValidationError(errors)


def make_sessionmaker(engine: Engine, scope=None, *, registry=None, orm_net: bool = True) -> sessionmaker:
    """Sessions with the tenancy net (core.tenancy), which must be given a
    scope before they read or write tenant data (``scope`` gives every session
    one from the start: the command line's Scope.system(), say), and with
    every audit event and decision hash-chained as it is flushed
    (core.audit_chain). Given the plugin ``registry``, every partnership whose
    facts a transaction changes has its stored state (core.services.case_state)
    recomputed in that transaction, and what the diarium must hold is registered
    (core.services.diarium). Every write raises its tenant's data version
    (core.data_version) in the same transaction. Reads kept until the session
    writes (core.session_memo) are forgotten at every write. ``orm_net=False`` exists only for the test that shows
    PostgreSQL's row-level security holding on its own."""
    from core import audit_chain, data_version, session_memo  # import the models, which import this module
    from core.tenancy import SCOPE_KEY, install_database_scope, install_net

    factory = sessionmaker(engine, expire_on_commit=False, info={SCOPE_KEY: scope} if scope else None)
    if orm_net:
        install_net(factory)
    install_database_scope(factory)
    event.listen(factory, "before_flush", _refuse_overlong_text)
    session_memo.install(factory)
    audit_chain.install(factory)
    if registry is not None:
        from core.services import case_state, diarium

        case_state.install(factory, registry)
        diarium.install(factory, registry)
    # Last: the listeners above may still write before the commit, and those writes count too.
    data_version.install(factory)
    return factory
