"""Alembic environment. The URL comes from the config the caller builds
(core.migrate.alembic_config), never from a file, so one code path serves the
command line, the tests and the container."""

import warnings

from alembic import context
from sqlalchemy import text

import core.models  # noqa: F401 - registers every table on the metadata
from core.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


# Search structures the models do not map (migration 0007, core.models.search_entry):
# SQLite's FTS5 table and its shadow tables, PostgreSQL's generated tsvector
# column and the indexes on it and on the folded text.
UNMAPPED = ("search_fts", "ix_search_entry_tsv", "ix_search_entry_trgm", "tsv")


def _include_name(name, type_, parent_names) -> bool:
    return not (name or "").startswith(UNMAPPED)


def _migrate(conn) -> None:
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a table's keys by rebuilding it, and with foreign keys
        # enforced the old table cannot be dropped while rows point at it. The
        # pragma only takes effect outside a transaction; the keys are checked
        # in full once the migrations are done.
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
    if conn.dialect.name == "postgresql":
        # The owner is subject to the row-level security it installs (FORCE):
        # migrations work on every tenant's rows.
        conn.execute(text("SELECT set_config('iop.platform', 'on', false)"))
        conn.commit()
    context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True,
                      include_name=_include_name)
    with context.begin_transaction(), warnings.catch_warnings():
        # A batch on SQLite reflects the tables it copies and those it refers to,
        # and SQLAlchemy cannot reflect an index on an expression: it warned on
        # every 'iop db upgrade', and Alembic's check warned that it cannot
        # compare one. A referred-to table is not copied; a copied one gets its
        # index back in the same migration (0021); and a test checks that every
        # index the models declare is there after the migrations.
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", message="autogenerate skipping metadata-specified expression-based index")
        context.run_migrations()
        if sqlite:
            broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows whose foreign keys do not hold: {broken[:5]}")
    if sqlite:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _migrate(conn)
    engine.dispose()


run_migrations_online()
