"""Is the database the one this code was written for? Its Alembic version must
be the code's head: start-up refuses anything else, and /healthz says so.

A database that does not answer is another matter: at start-up that is only
an error for SQLite, whose file is here or not; a database server may come
up after the application, which answers 503 until it does.
"""

from __future__ import annotations

import logging
import os
from functools import cache

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from core.db import sqlite_file
from core.migrate import MIGRATIONS

log = logging.getLogger(__name__)

UPGRADE = "kör 'iop db upgrade'"


class DatabaseNotReady(RuntimeError):
    """Start-up stops: one line in Swedish saying what to do."""


@cache
def code_heads() -> frozenset[str]:
    """The migration heads this code brings (read once: the files do not change)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_heads(connection: Connection) -> frozenset[str]:
    """The versions the database says it is at (none for an empty database)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def _versions(heads: frozenset[str]) -> str:
    return ", ".join(sorted(heads)) or "ingen"


def schema_problem(connection: Connection) -> str | None:
    """Why the database is not the one the code needs, or None when it is."""
    found = database_heads(connection)
    if found == code_heads():
        return None
    return (f"databasens schema har inte den version som koden kräver (databasen: {_versions(found)}, "
            f"koden: {_versions(code_heads())}); {UPGRADE}")


def check_at_startup(engine: Engine) -> None:
    """Raises DatabaseNotReady when the SQLite file is missing or the schema is
    not at the code's head. A database server that does not answer only
    gets a warning in the log."""
    path = sqlite_file(str(engine.url))
    if path is not None and not os.path.exists(path):
        raise DatabaseNotReady(f"databasen {path} finns inte; {UPGRADE} för att skapa den")
    try:
        with engine.connect() as connection:
            problem = schema_problem(connection)
    except SQLAlchemyError as exc:
        first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        if path is not None:
            raise DatabaseNotReady(f"databasen {path} går inte att öppna ({first})") from exc
        log.warning("the database does not answer at start-up; pages answer 503 until it does: %s", first)
        return
    if problem is not None:
        raise DatabaseNotReady(problem)
