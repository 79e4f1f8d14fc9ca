"""The second wall, on PostgreSQL: row-level security and a restricted role.

The application connects as its own role, which is neither the tables' owner
nor a superuser and cannot bypass row-level security. It may read and write
rows, but it may not TRUNCATE, ALTER or drop tables, disable triggers or
policies, or set session_replication_role; it may only add to the audit trail
and the decisions, never change or remove a row of them. Every tenant-scoped
table (core.tenancy: derived from the metadata, as the ORM net's list is) has
FORCE ROW LEVEL SECURITY and a policy that mirrors the net: a row is visible
and writable only in the scope the transaction declares (core.tenancy sets
``iop.tenant_id``, ``iop.organisation_id``, ``iop.user_id`` and ``iop.platform``
per transaction). So a query that both the service and the ORM net got wrong
still reads nothing of another tenant.

``install`` runs as the owner after every migration (core.migrate.upgrade),
so the policies and grants always cover exactly the tables the models declare.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.engine import Connection, make_url

from core.tenancy import tenant_scoped_classes

POLICY = "iop_scope"
# Tables the application may add to but never change (their triggers refuse
# it too): the audit trail, the process decisions, the diarium and the
# agreement's decided versions and signatures.
APPEND_ONLY = ("audit_event", "decision", "registry_entry", "agreement_version", "agreement_signature",
               "agreement_assessment")
READ_ONLY = ("alembic_version",)


def _setting(name: str, cast: str = "") -> str:
    """The scope's setting, read once per query: as a scalar subquery it is
    an InitPlan, where the bare function call is evaluated again for every
    row (a count over 10,000 rows took 6.7 ms instead of 1) and keeps the
    comparison from serving as an index condition."""
    value = f"nullif(current_setting('iop.{name}', true), '')"
    return f"(SELECT {value}::{cast})" if cast else f"(SELECT {value})"


PLATFORM = f"{_setting('platform')} = 'on'"
TENANT = f"tenant_id = {_setting('tenant_id', 'int')}"
ORGANISATION = _setting("organisation_id", "int")
# A representative's own parties: policies of other tables refer to these, and
# party's own policy does not refer back, so no policy recurses.
OWN_PARTIES = f"SELECT id FROM party WHERE organisation_id = {ORGANISATION}"
OWN_PARTNERSHIPS = f"SELECT partnership_id FROM party WHERE organisation_id = {ORGANISATION}"



def _chosen(kind: str, shared: bool) -> str:
    """The items of the representative's partnerships that staff chose to
    show (or not) to the parties (core.models.sharing)."""
    return (f"SELECT item_id FROM sharing WHERE item_kind = '{kind}' AND shared = {str(shared).lower()} "
            f"AND partnership_id IN ({OWN_PARTNERSHIPS})")


# Beyond its tenant's rows, what a scope other than a tenant's may see.
EXTRA = {
    "partnership": f"id IN ({OWN_PARTNERSHIPS})",
    "party": f"organisation_id = {ORGANISATION}",
    "contribution": f"party_id IN ({OWN_PARTIES})",
    "role_assignment": f"user_id = {_setting('user_id', 'int')}",
    "case_state": f"partnership_id IN ({OWN_PARTNERSHIPS})",
    "case_task": f"partnership_id IN ({OWN_PARTNERSHIPS})",
    "decision": f"partnership_id IN ({OWN_PARTNERSHIPS}) AND id NOT IN ({_chosen('decision', False)})",
    "meeting": f"partnership_id IN ({OWN_PARTNERSHIPS}) AND id NOT IN ({_chosen('meeting', False)})",
    "document": f"id IN ({_chosen('document', True)})",
    "document_request": f"organisation_id = {ORGANISATION}",
    "partnership_message": f"partnership_id IN ({OWN_PARTNERSHIPS})",
    "agreement_version": f"partnership_id IN ({OWN_PARTNERSHIPS})",
    "agreement_signature": f"partnership_id IN ({OWN_PARTNERSHIPS})",
    # Read by the policies above, as the representative.
    "sharing": f"partnership_id IN ({OWN_PARTNERSHIPS})",
}


# The clauses of EXTRA that read the staff's choices of what is shared: a
# database migrated to a revision before that table has none of them.
READS_SHARING = {"decision", "meeting", "document"}


def policy_expression(table: str, tables: set[str] | None = None) -> str:
    """``tables``: those the schema has (all, when not given)."""
    parts = [PLATFORM, TENANT]
    if table in EXTRA and not (table in READS_SHARING and tables is not None and "sharing" not in tables):
        parts.append(EXTRA[table])
    return " OR ".join(f"({p})" for p in parts)


def tenant_tables() -> list[str]:
    # The tenant-scoped tables are known from their models: a process that has
    # not imported them (a script that only migrates) would find none.
    import core.models  # noqa: F401

    return sorted(cls.__table__.name for cls in tenant_scoped_classes())


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


# What the application's role must not have (pg_roles' columns), and the
# error PostgreSQL gives for a role that exists already.
_POWERS = ("rolsuper", "rolbypassrls", "rolcreatedb", "rolcreaterole", "rolreplication")
DUPLICATE_OBJECT = "42710"


def ensure_role(connection: Connection, app_url: str) -> str:
    """Creates the application's login role named in ``app_url`` if it does
    not exist (with the password given there), and makes sure it has no power
    beyond its grants. Returns the role's name."""
    url = make_url(app_url)
    role = url.username
    if not role:
        raise ValueError("IOP_DATABASE_URL saknar användarnamn: appens roll måste ha ett eget namn")
    quoted = _quote(connection, role)
    # Roles belong to the server, not to one database, and an advisory lock
    # only to one database: migrations of two databases at once (parallel
    # test workers, replicas starting together) may both find the role
    # missing, or both change it ("tuple concurrently updated"). So the role
    # is created in a savepoint that may lose the race (CREATE ROLE gives it
    # none of the powers), and an existing one is changed only where it
    # differs from what it must be.
    found = connection.execute(text(f"SELECT {', '.join(_POWERS)} FROM pg_roles WHERE rolname = :r"),
                               {"r": role}).first()
    if found is None:
        try:
            with connection.begin_nested():
                connection.execute(text(f"CREATE ROLE {quoted} LOGIN"))
        except ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) != DUPLICATE_OBJECT:
                raise
    if url.password:
        # DDL takes no bound parameters: the password is a quoted literal.
        literal = "'" + url.password.replace("'", "''") + "'"
        connection.execute(text(f"ALTER ROLE {quoted} PASSWORD {literal}"))
    if found is not None and any(found):
        connection.execute(text(f"ALTER ROLE {quoted} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION"))
    return role


def install(connection: Connection, app_role: str | None) -> None:
    """Row-level security on every tenant-scoped table, and the application
    role's grants (when the application has a role of its own). Idempotent.
    A table the schema does not have yet (a database migrated to an older
    revision) is left for the upgrade that makes it."""
    tables = set(connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    statements = []
    for table in (t for t in tenant_tables() if t in tables):
        name = _quote(connection, table)
        expression = policy_expression(table, tables)
        statements += [f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY", f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY",
                       f"DROP POLICY IF EXISTS {POLICY} ON {name}",
                       f"CREATE POLICY {POLICY} ON {name} USING ({expression}) WITH CHECK ({expression})"]
    if app_role is not None:
        role = _quote(connection, app_role)
        statements += [f"GRANT USAGE ON SCHEMA public TO {role}", f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"]
        for table in sorted(tables):
            if table in READ_ONLY:
                rights = "SELECT"
            elif table in APPEND_ONLY:
                rights = "SELECT, INSERT"
            else:
                rights = "SELECT, INSERT, UPDATE, DELETE"
            statements.append(f"GRANT {rights} ON {_quote(connection, table)} TO {role}")
        statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    # One round trip for the lot (about 150 statements, none with parameters),
    # in the caller's transaction like each of them alone.
    connection.exec_driver_sql(";\n".join(statements))


class PrivilegedRole(RuntimeError):
    """The application would connect as a role that can pass the second wall."""


def refuse_privileged(engine) -> None:
    """Start-up check on PostgreSQL: the application's role must not be able
    to switch off what protects the data from the application's own bugs."""
    if engine.dialect.name != "postgresql":
        return
    try:
        with engine.connect() as connection:
            found = privileges(connection)
    except OperationalError:
        return  # not reachable now: the pages say so until it is (503)
    if found:
        raise PrivilegedRole(
            "appen ansluter till PostgreSQL som en roll som " + " och ".join(found) + ". Sätt "
            "IOP_DATABASE_OWNER_URL till ägarens adress och IOP_DATABASE_URL till en egen roll för appen, "
            "och kör 'iop db upgrade', som skapar rollen (se README)."
        )


def uninstall(connection: Connection) -> None:
    """Removes the policies, so that a downgrade may drop the columns they
    read; upgrade() puts them back for whatever schema remains."""
    tables = set(connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    for table in (t for t in tenant_tables() if t in tables):
        connection.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {_quote(connection, table)}"))


def privileges(connection: Connection) -> list[str]:
    """What makes the connected role too powerful to run the application as:
    empty when it is a plain role that owns none of the tables."""
    found = []
    row = connection.execute(text(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
    if row.rolsuper:
        found.append("superanvändare")
    if row.rolbypassrls:
        found.append("får gå förbi radsäkerheten (BYPASSRLS)")
    owned = connection.execute(text(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")).scalar()
    if owned:
        found.append("äger tabellerna")
    return found

