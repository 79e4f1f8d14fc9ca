"""Engine, session factory and the declarative base shared by all models."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator

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


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "do_connect")
        def _private_database_file(_dialect, _record, cargs, cparams):
            path = _sqlite_file_it_would_create(cargs[0], bool(cparams.get("uri")))
            if path is not None:
                _create_private_if_missing(path)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
            dbapi_connection.create_function(SQLITE_LOWER, 1, sqlite_lower, deterministic=True)

        return engine
    return create_engine(url, pool_pre_ping=True)


def _refuse_overlong_text(session, _flush_context, _instances) -> None:
    """The last guard against text longer than its column: services check the
    fields they know, with messages that name them; this catches the rest."""
    errors: dict[str, str] = {}
    for obj in (*session.new, *session.dirty):
        if hasattr(obj, "__table__"):
            errors.update(check_lengths(obj))
    if errors:
        raise ValidationError(errors)


def make_sessionmaker(engine: Engine, scope=None, *, orm_net: bool = True) -> sessionmaker:
    """Sessions with the tenancy net (core.tenancy), which must be given a
    scope before they read or write tenant data (``scope`` gives every session
    one from the start: the command line's Scope.system(), say), and with
    every audit event and decision hash-chained as it is flushed
    (core.audit_chain). ``orm_net=False`` exists only for the test that shows
    PostgreSQL's row-level security holding on its own."""
    from core import audit_chain  # imports the models, which import this module
    from core.tenancy import SCOPE_KEY, install_database_scope, install_net

    factory = sessionmaker(engine, expire_on_commit=False, info={SCOPE_KEY: scope} if scope else None)
    if orm_net:
        install_net(factory)
    install_database_scope(factory)
    event.listen(factory, "before_flush", _refuse_overlong_text)
    audit_chain.install(factory)
    return factory
