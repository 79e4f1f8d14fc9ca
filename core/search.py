"""Searching text the way a Swedish user expects on both databases: case does
not matter for any letter (å, ä, ö and É included), and what the user types
is matched literally: '%' and '_' are characters, not wildcards.

SQLite's own lower() folds only ASCII, so on SQLite the engine registers
``iop_lower`` (Python's str.lower) on every connection (core.db); PostgreSQL's
lower() folds every letter in a database with a UTF-8 character type, which is
how PostgreSQL databases are created unless told otherwise.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from core.values import clean_text

ESCAPE = "\\"
SQLITE_LOWER = "iop_lower"


class folded(FunctionElement):  # noqa: N801 - reads as SQL
    """lower() that folds every letter, on either database."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _folded(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _folded_sqlite(element, compiler, **kw):
    return f"{SQLITE_LOWER}({compiler.process(element.clauses, **kw)})"


def sqlite_lower(value):
    return value.lower() if isinstance(value, str) else value


def pattern(query: str) -> str | None:
    """The LIKE pattern for text containing ``query``, or None for an empty query."""
    query = clean_text(query).lower()
    if not query:
        return None
    escaped = query.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def contains(column, like: str) -> ColumnElement[bool]:
    """``column`` contains the text behind ``like`` (from pattern()), in any case."""
    return folded(column).like(like, escape=ESCAPE)
