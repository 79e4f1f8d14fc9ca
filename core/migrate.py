"""Apply Alembic migrations: the only way the schema changes."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core import rls
from core.db import make_engine
from core.schema import MIGRATIONS



def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on a '%' in a password.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head", *, app_url: str | None = None) -> None:
    """Migrates the database at ``database_url``, which on PostgreSQL is the
    tables' owner's connection. Then, on PostgreSQL, the second wall follows
    the schema (core.rls): row-level security on every tenant-scoped table,
    and, when the application connects as another role (``app_url``), that
    role is created if missing and given exactly its grants."""
    command.upgrade(alembic_config(database_url), revision)
    _second_wall(database_url, app_url)


def downgrade(database_url: str, revision: str, *, app_url: str | None = None) -> None:
    """Migrates down (``iop demo --reset`` goes to ``base``). The policies read
    columns a downgrade may drop, so they come off first and back on after."""
    if database_url.startswith("postgresql"):
        engine = make_engine(database_url)
        try:
            with engine.begin() as connection:
                rls.uninstall(connection)
        finally:
            engine.dispose()
    command.downgrade(alembic_config(database_url), revision)
    if revision != "base":
        _second_wall(database_url, app_url)


def reset(database_url: str) -> None:
    """Empties the database of everything the migrations made (``iop demo
    --reset``). Undoing forty migrations one by one costs half a second for
    what is gone at once: a SQLite file is removed with its journal; on
    PostgreSQL the role at ``database_url`` drops every table and function it
    owns in the schema (what an extension brings is the extension's)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(url.database + suffix).unlink(missing_ok=True)
        return
    if url.get_backend_name() != "postgresql":
        downgrade(database_url, "base")
        return
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            tables = connection.execute(text(_OWN_TABLES)).scalars().all()
            if tables:
                connection.execute(text(f"DROP TABLE {', '.join(tables)} CASCADE"))
            functions = connection.execute(text(_OWN_FUNCTIONS)).scalars().all()
            if functions:
                connection.execute(text(f"DROP FUNCTION {', '.join(functions)} CASCADE"))
    finally:
        engine.dispose()


_OWN_TABLES = """
SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
WHERE schemaname = current_schema() AND tableowner = current_user
"""
_OWN_FUNCTIONS = """
SELECT p.oid::regprocedure::text FROM pg_proc p
WHERE p.pronamespace = current_schema()::regnamespace AND p.proowner = current_user::regrole
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
"""


def _second_wall(database_url: str, app_url: str | None) -> None:
    if not database_url.startswith("postgresql"):
        return
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            owner = connection.execute(text("SELECT current_user")).scalar()
            app_role = None
            if app_url and make_url(app_url).username not in (None, owner):
                app_role = rls.ensure_role(connection, app_url)
            rls.install(connection, app_role)
    finally:
        engine.dispose()
