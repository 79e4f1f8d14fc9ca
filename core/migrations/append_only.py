"""The append-only guard of a table, for the migrations that make one (the
diarium's entries, the agreement's versions, signatures and assessments):
UPDATE and DELETE are refused by a trigger; on SQLite also an INSERT that
collides with a row already there, since INSERT OR REPLACE would delete
that row without a DELETE trigger. The application's role may only add rows
too (core.rls.APPEND_ONLY)."""

from __future__ import annotations

from alembic import op


def guard(table: str, collisions: tuple[str, ...] = ("id = NEW.id",)) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only';
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
    collides = " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {c})" for c in collisions)
    op.execute(f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {collides} "
               f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def drop_function(table: str) -> None:
    """After the table is dropped (its triggers go with it), its PostgreSQL function."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
