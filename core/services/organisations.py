"""The organisation register. An organisation's own data is shared; a tenant's
register is the set linked to it, with the tenant's own contact persons and
notes, and a tenant reads only those."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core import search
from core.models import ContactPerson, Organisation, Tenant, TenantOrganisation, User
from core.services import ValidationError, audit
from core.inputs import OrganisationInput


def _in_tenant(tenant: Tenant):
    return Organisation.id.in_(select(TenantOrganisation.organisation_id).where(TenantOrganisation.tenant_id == tenant.id))


def list_organisations(session: Session, tenant: Tenant, query: str = "") -> list[Organisation]:
    stmt = select(Organisation).where(_in_tenant(tenant)).order_by(func.lower(Organisation.name))
    like = search.pattern(query)
    if like:
        stmt = stmt.where(or_(search.contains(Organisation.name, like),
                              search.contains(Organisation.organisationsnummer, like)))
    return list(session.scalars(stmt))


def get_organisation(session: Session, tenant: Tenant, organisation_id: int) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.id == organisation_id, _in_tenant(tenant)))


def contacts(session: Session, tenant: Tenant, organisation: Organisation) -> list[ContactPerson]:
    """The tenant's own contact persons at the organisation."""
    return list(session.scalars(
        select(ContactPerson)
        .where(ContactPerson.tenant_id == tenant.id, ContactPerson.organisation_id == organisation.id)
        .order_by(ContactPerson.id)
    ))


def registration(session: Session, tenant: Tenant, organisation: Organisation) -> TenantOrganisation | None:
    """The organisation's entry in the tenant's register, with the tenant's notes."""
    return session.scalar(select(TenantOrganisation).where(
        TenantOrganisation.tenant_id == tenant.id, TenantOrganisation.organisation_id == organisation.id))


def find_by_number(session: Session, number: str) -> Organisation | None:
    """The organisation with this organisationsnummer anywhere on the platform.
    Its own data (name, number, form, address) is shared; nothing a tenant
    recorded about it is."""
    return session.scalar(select(Organisation).where(Organisation.organisationsnummer == number))


class KnownOrganisation(ValidationError):
    """The organisationsnummer belongs to an organisation already on the
    platform under another name: the person is shown that name and asked to
    confirm, instead of what they typed being dropped silently."""

    def __init__(self, organisation: Organisation):
        super().__init__({"organisationsnummer": (
            f"Organisationsnumret är redan registrerat för {organisation.name}. "
            "Kontrollera numret, eller bekräfta att det är den organisationen ni vill lägga till."
        )})
        self.organisation = organisation


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def add_organisation(session: Session, tenant: Tenant, actor: User | None, values: OrganisationInput) -> Organisation:
    """Adds an organisation to the tenant's register, with the tenant's own
    contact person and notes. An organisationsnummer already on the platform
    links that organisation instead of making a second one; when the name
    typed differs from the registered one, KnownOrganisation asks the person
    to confirm (``confirm_existing`` = the organisation's id) first."""
    organisation = find_by_number(session, values.organisationsnummer)
    if organisation is None and values.own_data_errors:
        raise ValidationError(dict(values.own_data_errors))
    # A known organisation's own data stands; only the number must be right.
    if organisation is not None and registration(session, tenant, organisation) is not None:
        raise ValidationError({"organisationsnummer": "Organisationen finns redan i ert register."})
    if organisation is None:
        organisation = Organisation(
            name=values.name, organisationsnummer=values.organisationsnummer, legal_form=values.legal_form,
            street_address=values.street_address, postal_code=values.postal_code, city=values.city,
        )
        session.add(organisation)
        session.flush()
        audit.record(session, actor=actor, tenant=tenant, object_type="organisation", object_id=organisation.id,
                     action="create", after={"name": organisation.name,
                                             "organisationsnummer": organisation.organisationsnummer})
    elif not _same_name(values.name, organisation.name) and values.confirm_existing != organisation.id:
        raise KnownOrganisation(organisation)
    session.add(TenantOrganisation(tenant_id=tenant.id, organisation_id=organisation.id, notes=values.notes,
                                   added_by_id=actor.id if actor else None))
    session.flush()
    if values.contact_name:
        session.add(ContactPerson(tenant_id=tenant.id, organisation_id=organisation.id, name=values.contact_name,
                                  email=values.contact_email, phone=values.contact_phone))
    audit.record(session, actor=actor, tenant=tenant, object_type="organisation", object_id=organisation.id, action="link",
                 after={"contact": values.contact_name} if values.contact_name else None)
    session.flush()
    return organisation
