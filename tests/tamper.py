"""Editing the audit trail, the decisions and the diarium as someone with the database
owner's rights could: past the append-only triggers. What the hash chain
exists to reveal."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The diarium's entries refer to the decisions they register: removing a
# decision means removing its entry too, which is guarded the same way.
GUARDED = ("audit_event", "decision", "registry_entry")


def as_owner(database_url: str, *statements: str) -> None:
    """Runs the statements with the tables' triggers out of the way, then puts
    the triggers back as they were."""
    if database_url.startswith("sqlite"):
        # A plain sqlite3 connection: drop the triggers, edit, recreate them.
        con = sqlite3.connect(make_url(database_url).database)
        try:
            triggers = con.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                f"({', '.join('?' * len(GUARDED))})", GUARDED
            ).fetchall()
            assert triggers, "no triggers to get past"
            for name, _ in triggers:
                con.execute(f'DROP TRIGGER "{name}"')
            for statement in statements:
                con.execute(statement)
            for _, sql in triggers:
                con.execute(sql)
            con.commit()
        finally:
            con.close()
        return
    # PostgreSQL: the owner may disable a table's triggers (the application's
    # role is to be denied that); ALTER TABLE is transactional, so they are
    # back on when this commits.
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            for table in GUARDED:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            for statement in statements:
                conn.execute(text(statement))
            for table in GUARDED:
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    finally:
        engine.dispose()
