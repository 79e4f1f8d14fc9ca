"""Is the database the one this code was written for? Its Alembic version must
be the code's head: start-up refuses anything else, and /healthz says so.

A database that does not answer is another matter: at start-up that is only
an error for SQLite, whose file is here or not; a database server may come
up after the application, which answers 503 until it does.
"""

from __future__ import annotations

import ast
import logging
import os
import re
from functools import cache
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from core.db import sqlite_file

log = logging.getLogger(__name__)

UPGRADE = "kör 'iop db upgrade'"
# The migrations (Alembic's script directory), and the table in which
# Alembic keeps the versions a database is at.
MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


class DatabaseNotReady(RuntimeError):
    """Start-up stops: one line in Swedish saying what to do."""


@cache
def code_heads() -> frozenset[str]:
    """The migration heads this code brings: the revisions that no other
    revision follows, read from each migration file's ``revision`` and
    ``down_revision`` (once: the files do not change). Read as plain
    assignments rather than through Alembic's ScriptDirectory, which would
    make every server start and every command import Alembic (a third of a
    second); tests/integration/test_database.py checks it against Alembic."""
    revisions: dict[str, tuple[str, ...]] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        values = _identifiers(path.read_text(encoding="utf-8"))
        if "revision" in values:
            down = values.get("down_revision")
            revisions[values["revision"]] = tuple(down) if isinstance(down, (tuple, list)) else (down,) if down else ()
    followed = {down for downs in revisions.values() for down in downs}
    return frozenset(revisions.keys() - followed)


# A module-level ``revision = ...`` or ``down_revision = ...`` on one line, as
# Alembic writes them.
_NAMES = ("revision", "down_revision")
_IDENTIFIER = re.compile(r"^(revision|down_revision)\s*(?::[^=]+)?=\s*(.+)$", re.MULTILINE)


def _identifiers(source: str) -> dict:
    """A migration's ``revision`` and ``down_revision``. Only their lines are
    read: parsing the whole file, as was done, cost 60 ms of every start for
    the 23 migrations. A value spread over several lines is read from the
    whole file's syntax tree."""
    try:
        return {name: ast.literal_eval(value.strip()) for name, value in _IDENTIFIER.findall(source)}
    except (SyntaxError, ValueError):
        values = {}
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target = node.target
            else:
                continue
            if isinstance(target, ast.Name) and target.id in _NAMES:
                values[target.id] = ast.literal_eval(node.value)
        return values


def database_heads(connection: Connection) -> frozenset[str]:
    """The versions the database says it is at (none for an empty database),
    from the table Alembic keeps them in."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


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
