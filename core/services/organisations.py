"""The organisation register. Organisations are shared; a tenant's register is
the set linked to it, and a tenant reads only those."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from core.models import ContactPerson, Organisation, Tenant, TenantOrganisation, User
from core.models.organisation import LEGAL_FORMS
from core.orgnr import check_organisationsnummer
from core.services import ValidationError, audit


def _in_tenant(tenant: Tenant):
    return Organisation.id.in_(select(TenantOrganisation.organisation_id).where(TenantOrganisation.tenant_id == tenant.id))


def list_organisations(session: Session, tenant: Tenant, query: str = "") -> list[Organisation]:
    stmt = select(Organisation).where(_in_tenant(tenant)).order_by(func.lower(Organisation.name))
    if query.strip():
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Organisation.name).like(like), Organisation.organisationsnummer.like(like)))
    return list(session.scalars(stmt))


def get_organisation(session: Session, tenant: Tenant, organisation_id: int) -> Organisation | None:
    return session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id, _in_tenant(tenant))
        .options(selectinload(Organisation.contacts))
    )


def add_organisation(session: Session, tenant: Tenant, actor: User | None, data: dict[str, str]) -> Organisation:
    """Adds an organisation to the tenant's register. If the organisationsnummer is
    already known (another tenant registered it), the existing organisation is
    linked instead of duplicated."""
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = "Skriv organisationens namn."
    number, message = check_organisationsnummer(data.get("organisationsnummer") or "")
    if message:
        errors["organisationsnummer"] = message
    legal_form = data.get("legal_form") or ""
    if legal_form not in LEGAL_FORMS:
        errors["legal_form"] = "Välj organisationsform."
    contact_name = (data.get("contact_name") or "").strip()
    contact_email = (data.get("contact_email") or "").strip()
    if contact_email and ("@" not in contact_email or "." not in contact_email.split("@")[-1]):
        errors["contact_email"] = "Skriv en e-postadress som namn@exempel.se."
    if contact_email and not contact_name:
        errors["contact_name"] = "Skriv kontaktpersonens namn."
    postal_code = (data.get("postal_code") or "").replace(" ", "")
    if postal_code and not (postal_code.isdigit() and len(postal_code) == 5):
        errors["postal_code"] = "Skriv postnumret som fem siffror, till exempel 163 70."
    if errors:
        raise ValidationError(errors)

    organisation = session.scalar(select(Organisation).where(Organisation.organisationsnummer == number))
    if organisation is None:
        organisation = Organisation(
            name=name,
            organisationsnummer=number,
            legal_form=legal_form,
            street_address=(data.get("street_address") or "").strip(),
            postal_code=f"{postal_code[:3]} {postal_code[3:]}" if postal_code else "",
            city=(data.get("city") or "").strip(),
        )
        session.add(organisation)
        session.flush()
        audit.record(session, actor=actor, tenant=tenant, object_type="organisation", object_id=organisation.id,
                     action="create", after={"name": name, "organisationsnummer": number})
    elif session.scalar(
        select(TenantOrganisation).where(
            TenantOrganisation.tenant_id == tenant.id, TenantOrganisation.organisation_id == organisation.id
        )
    ):
        raise ValidationError({"organisationsnummer": "Organisationen finns redan i ert register."})
    if contact_name:
        session.add(ContactPerson(organisation_id=organisation.id, name=contact_name, email=contact_email,
                                  phone=(data.get("contact_phone") or "").strip()))
    session.add(TenantOrganisation(tenant_id=tenant.id, organisation_id=organisation.id, added_by_id=actor.id if actor else None))
    audit.record(session, actor=actor, tenant=tenant, object_type="organisation", object_id=organisation.id, action="link")
    session.flush()
    return organisation
