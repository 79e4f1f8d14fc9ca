"""Tenancy in one place: the tenant-owned tables come from the metadata, a
child row can never point into another tenant, the ORM net keeps every query
in its scope even when a service forgets its filter, and what a tenant records
about a shared organisation stays that tenant's."""

import pytest
from sqlalchemy import ForeignKeyConstraint, func, select
from sqlalchemy.exc import IntegrityError

from core.db import Base, make_sessionmaker
from core.models import ContactPerson, Decision, Organisation, Partnership, Party, RoleAssignment, Tenant
from core.tenancy import Scope, TenancyError, TenantOwned, TenantScoped, set_scope, tenant_scoped_classes
from tests import factories
from tests.factories import login, post

# Tables that belong to nobody in particular: the platform's own. An
# organisation's representatives are the organisation's, not a tenant's; the
# outbox, one-time links and request limits concern people, not tenants; an
# organisation's document library and its drafts of applications are the
# organisation's (a submitted one becomes the tenant's initiative).
SHARED = {"tenant", "organisation", "app_user", "user_session", "login_attempt", "alembic_version", "representative",
          "mail_outbox", "account_token", "request_limit_event", "organisation_document", "application",
          "application_document",
          # A person's reminder digests and calendar address: the person's, across the tenants they work in.
          "reminder_digest", "calendar_feed",
          # How far each tenant's data has moved: a counter per tenant, readable by every scope (core.data_version).
          "data_version"}


def test_every_table_with_a_tenant_column_is_tenant_scoped_and_the_rest_are_shared():
    scoped = {cls.__table__.name: cls for cls in tenant_scoped_classes()}
    for table in Base.metadata.tables.values():
        if "tenant_id" in table.c:
            assert table.name in scoped, f"{table.name} has a tenant column but is not TenantScoped"
        else:
            assert table.name in SHARED, f"{table.name} has no tenant column and is not known to be shared"
    for name, cls in scoped.items():
        if issubclass(cls, TenantOwned):
            assert cls.__table__.c.tenant_id.nullable is False, name
    assert {"contact_person", "decision", "meeting", "form_response", "party", "contribution"} <= set(scoped)
    print(f"\n{len(scoped)} tenant-scoped tables: {', '.join(sorted(scoped))}")


def _tenant_owned_parents() -> set[str]:
    return {cls.__table__.name for cls in tenant_scoped_classes() if issubclass(cls, TenantOwned)}


def test_every_reference_to_a_tenant_owned_row_carries_the_tenant():
    """A foreign key into a tenant-owned table is (tenant_id, id), so the child's tenant is its parent's."""
    parents = _tenant_owned_parents()
    checked = 0
    for table in Base.metadata.tables.values():
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name in parents and fk.referred_table is not table:
                assert "tenant_id" in fk.column_keys, f"{table.name} -> {fk.referred_table.name} lacks the tenant"
                checked += 1
    assert checked >= 7


def test_the_database_refuses_a_child_in_another_tenant(db, world):
    db.add(Party(tenant_id=world.tyreso.id, partnership_id=world.jarva_partnership.id, role="offentlig"))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_party_must_be_in_the_tenants_register(db, world):
    db.add(Party(tenant_id=world.jarva.id, partnership_id=world.jarva_partnership.id, role="ideburen",
                 organisation_id=world.tyreso_org.id))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


@pytest.fixture
def sessions(engine):
    factory = make_sessionmaker(engine)
    opened = []

    def open_in(scope: Scope | None):
        session = factory()
        if scope is not None:
            set_scope(session, scope)
        opened.append(session)
        return session

    yield open_in
    for session in opened:
        session.close()


def test_the_orm_net_keeps_an_unfiltered_query_in_the_tenant(world, sessions):
    """A service that forgot ``tenant_id ==`` still reads only its own tenant."""
    jarva = sessions(Scope.of_tenant(world.jarva.id))
    titles = jarva.scalars(select(Partnership.title)).all()
    assert titles == ["Järvas hemliga läxhjälp"]
    assert jarva.get(Partnership, world.tyreso_partnership.id) is None
    assert jarva.scalar(select(func.count()).select_from(Party)) == 2
    assert {r.tenant_id for r in jarva.scalars(select(RoleAssignment))} == {world.jarva.id}


def test_a_session_without_a_scope_sees_no_tenant_data(world, sessions):
    nobody = sessions(None)
    assert nobody.scalars(select(Partnership)).all() == []
    assert nobody.scalars(select(Tenant)).all() != []  # shared data is still there


def test_the_net_refuses_writes_into_another_tenant(world, sessions):
    jarva = sessions(Scope.of_tenant(world.jarva.id))
    jarva.add(ContactPerson(tenant_id=world.tyreso.id, organisation_id=world.tyreso_org.id, name="Smygare"))
    with pytest.raises(TenancyError):
        jarva.flush()


def test_a_representative_sees_only_their_organisations_partnerships(world, sessions):
    rep = sessions(Scope.of_organisation(world.jarva_org.id))
    assert rep.scalars(select(Partnership.title)).all() == ["Järvas hemliga läxhjälp"]
    assert rep.scalars(select(Decision)).all() == []
    assert rep.scalars(select(ContactPerson)).all() == []


def test_a_person_before_choosing_a_tenant_sees_only_their_own_roles(world, sessions):
    person = sessions(Scope.of_user(world.jarva_staff.id))
    assert [r.user_id for r in person.scalars(select(RoleAssignment))] == [world.jarva_staff.id]
    assert person.scalars(select(Partnership)).all() == []


def test_contact_persons_belong_to_the_tenant_that_recorded_them(app, client, db, registry):
    """The leak found: Hässelby-Vällingby registers 802481-1666 with a contact
    person; Tyresö registers the same number with a name and contact of its own.
    Each sees only its own contact; Tyresö is told the registered name."""
    hv = factories.tenant(db, registry, "hasselby-vallingby")
    ty = factories.tenant(db, registry, "tyreso")
    factories.user(db, registry, "hv@test.se", (hv, "handlaggare"))
    factories.user(db, registry, "ty@test.se", (ty, "handlaggare"))
    db.commit()
    login(client, "hv@test.se")
    created = post(client, "/k/hasselby-vallingby/organisationer/ny", {
        "name": "Föreningen Vällingbyhjälpen", "organisationsnummer": "802481-1666", "legal_form": "ideell_forening",
        "contact_name": "Hanna HV", "contact_email": "hanna@hv.example", "contact_phone": "08-111 11 11"})
    assert created.status_code == 303
    org_id = db.scalar(select(Organisation.id).where(Organisation.organisationsnummer == "802481-1666"))

    login(client, "ty@test.se")
    typed = {"name": "Tyresös namn på föreningen", "organisationsnummer": "8024811666", "legal_form": "ideell_forening",
             "contact_name": "Tove TY", "contact_email": "tove@ty.example"}
    asked = post(client, "/k/tyreso/organisationer/ny", typed)
    assert asked.status_code == 422
    assert "Föreningen Vällingbyhjälpen" in asked.text and "Tyresös namn på föreningen" in asked.text
    assert "Hanna HV" not in asked.text
    confirmed = post(client, "/k/tyreso/organisationer/ny", {**typed, "confirm_existing": str(org_id)})
    assert confirmed.status_code == 303
    tyreso_page = client.get(f"/k/tyreso/organisationer/{org_id}").text
    assert "Tove TY" in tyreso_page and "Hanna HV" not in tyreso_page and "hanna@hv.example" not in tyreso_page

    login(client, "hv@test.se")
    hv_page = client.get(f"/k/hasselby-vallingby/organisationer/{org_id}").text
    assert "Hanna HV" in hv_page and "Tove TY" not in hv_page and "tove@ty.example" not in hv_page
