"""The second wall: PostgreSQL's row-level security, and an application role
that cannot take it down. Each wall is shown to hold alone: here with the ORM
net switched off, RLS still refuses every cross-tenant read and write (the
net alone is shown on SQLite and PostgreSQL in test_tenancy.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, ProgrammingError

from core import rls
from core.db import make_sessionmaker
from core.models import AuditEvent, ContactPerson, Partnership, Party
from core.tenancy import Scope, TenantOwned, tenant_scoped_classes
from tests import factories


# Row-level security is PostgreSQL's; on SQLite the ORM net stands alone (test_tenancy.py).
pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def rich_world(db, world, settings):
    """Rows of every tenant-owned kind in both tenants."""
    from core.services import audit, documents, organisations

    for tenant, org, p in ((world.jarva, world.jarva_org, world.jarva_partnership),
                           (world.tyreso, world.tyreso_org, world.tyreso_partnership)):
        organisations.add_organisation(db, tenant, None, factories.oform({
            "name": f"Kontaktföreningen {tenant.code}", "organisationsnummer": factories.with_check_digit(
                "80298" + ("0001" if tenant.code == "jarva" else "0002")),
            "legal_form": "ideell_forening", "contact_name": f"Kontakt {tenant.code}"}))
        documents.store_document(db, settings.documents_dir, tenant, None, partnership=p, kind="ovrigt",
                                 title=f"Dokument {tenant.code}", filename="a.pdf", content=b"%PDF-1.4")
        audit.record(db, actor=None, tenant=tenant, object_type="test", object_id=1, action="made")
    db.commit()
    return world


def _without_net(engine, scope):
    return make_sessionmaker(engine, scope, orm_net=False)()


def test_every_tenant_scoped_table_has_forced_row_level_security(db):
    rows = db.execute(text(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r'")).all()
    state = {name: (enabled, forced, policies) for name, enabled, forced, policies in rows}
    tables = [cls.__table__.name for cls in tenant_scoped_classes()]
    for table in tables:
        assert state[table] == (True, True, 1), table
    print(f"\nrow-level security forced on {len(tables)} tables")


def test_the_application_role_is_neither_owner_nor_superuser(db):
    assert rls.privileges(db.connection()) == []
    assert db.execute(text("SELECT current_user")).scalar() == "iop_test_app"


@pytest.mark.parametrize("statement", [
    "TRUNCATE audit_event",
    "TRUNCATE decision",
    "TRUNCATE partnership CASCADE",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "ALTER TABLE decision DISABLE TRIGGER USER",
    "SET session_replication_role = replica",
    "ALTER TABLE partnership NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE partnership DISABLE ROW LEVEL SECURITY",
    "DROP POLICY iop_scope ON partnership",
    "UPDATE audit_event SET action = 'förfalskad'",
    "DELETE FROM audit_event",
    "UPDATE decision SET motivation = 'efterhand'",
    "DELETE FROM decision",
    "SET ROLE postgres",
    "CREATE ROLE smygare SUPERUSER",
])
def test_the_application_role_cannot_take_the_walls_down(db, world, statement):
    """On PostgreSQL the application's own credential was a superuser and could
    TRUNCATE, disable triggers or set session_replication_role."""
    with pytest.raises((ProgrammingError, DBAPIError)):
        db.execute(text(statement))
        db.commit()
    db.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'förfalskad'", "DELETE FROM audit_event"])
def test_the_triggers_refuse_even_the_owner(db, world, owner_url, statement):
    engine = create_engine(owner_url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("SELECT set_config('iop.platform', 'on', false)"))
            conn.execute(text(statement))
    finally:
        engine.dispose()


def test_with_the_orm_net_off_rls_refuses_every_cross_tenant_read(rich_world, engine):
    world = rich_world
    checked = 0
    with _without_net(engine, Scope.of_tenant(world.jarva.id)) as jarva:
        for cls in tenant_scoped_classes():
            if cls.__table__.name == "audit_chain_head":
                continue
            tenants = set(jarva.scalars(select(cls.tenant_id)).all())
            assert tenants <= {world.jarva.id}, cls.__name__
            checked += 1
        assert jarva.execute(text("SELECT count(*) FROM partnership WHERE tenant_id = :t"),
                             {"t": world.tyreso.id}).scalar() == 0
        assert jarva.get(Partnership, world.tyreso_partnership.id) is None
        assert jarva.scalar(select(func.count()).select_from(ContactPerson)) == 1
    with _without_net(engine, None) as nobody:
        assert nobody.scalar(select(func.count()).select_from(Partnership)) == 0
    print(f"\nRLS alone: {checked} tenant-scoped tables read in Järva's scope, none of Tyresö's rows seen")


def test_with_the_orm_net_off_rls_refuses_every_cross_tenant_write(rich_world, engine):
    world = rich_world
    with _without_net(engine, Scope.of_tenant(world.jarva.id)) as jarva:
        changed = jarva.execute(update(Partnership).where(Partnership.tenant_id == world.tyreso.id)
                                .values(title="Kapad")).rowcount
        assert changed == 0
        deleted = jarva.execute(text("DELETE FROM contact_person WHERE tenant_id = :t"), {"t": world.tyreso.id}).rowcount
        assert deleted == 0
        jarva.commit()
        with pytest.raises(DBAPIError, match="row-level security"):
            jarva.execute(insert(Party).values(tenant_id=world.tyreso.id, partnership_id=world.tyreso_partnership.id,
                                               role="offentlig"))
        jarva.rollback()
        with pytest.raises(DBAPIError, match="row-level security"):
            jarva.execute(update(Partnership).where(Partnership.id == world.jarva_partnership.id)
                          .values(tenant_id=world.tyreso.id))
        jarva.rollback()
    with _without_net(engine, Scope.of_tenant(world.tyreso.id)) as tyreso:
        assert tyreso.get(Partnership, world.tyreso_partnership.id).title == "Tyresös hemliga naturskola"


def test_with_the_orm_net_off_a_representative_sees_only_their_organisations_partnerships(rich_world,
                                                                                             engine):
    world = rich_world
    with _without_net(engine, Scope.of_organisation(world.jarva_org.id)) as rep:
        assert rep.scalars(select(Partnership.title)).all() == ["Järvas hemliga läxhjälp"]
        assert rep.scalar(select(func.count()).select_from(ContactPerson)) == 0
        assert rep.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_the_application_will_not_start_as_the_owner(settings, owner_url):
    from dataclasses import replace

    from web.app import create_app

    with pytest.raises(rls.PrivilegedRole, match="IOP_DATABASE_OWNER_URL"):
        create_app(replace(settings, database_url=owner_url))


def test_tenant_owned_tables_are_the_ones_rls_knows():
    assert rls.tenant_tables() == sorted(c.__table__.name for c in tenant_scoped_classes())
    assert all(issubclass(c, TenantOwned) or c.__table__.c.tenant_id.nullable for c in tenant_scoped_classes())


def test_the_schema_can_be_migrated_down_and_reset_with_the_policies_in_place(postgres_database):
    """Migrating to base takes the policies off before the columns they read;
    ``iop demo --reset`` drops what the migrations made at once; an upgrade
    after either puts everything back, policies and their functions too."""
    import uuid

    from sqlalchemy.engine import make_url

    from core import schema
    from core.migrate import downgrade, reset, upgrade

    admin = create_engine(postgres_database.owner_url, isolation_level="AUTOCOMMIT")
    name = f"iop_reset_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    owner = make_url(postgres_database.owner_url).set(database=name).render_as_string(hide_password=False)
    app = make_url(postgres_database.app_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(owner, app_url=app)
        downgrade(owner, "base", app_url=app)
        upgrade(owner, app_url=app)
        reset(owner)
        engine = create_engine(owner)
        with engine.connect() as conn:
            left = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar()
            assert left == 0
        upgrade(owner, app_url=app)
        with engine.connect() as conn:
            forced = conn.execute(text("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'contact_person'"))
            assert forced.scalar() is True
            assert schema.schema_problem(conn) is None
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
