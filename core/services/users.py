"""Users and their roles per tenant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.db import utcnow
from core.models import Representative, RoleAssignment, Tenant, User
from core.models.organisation import CONTACT
from core.registry import KommunEntry
from core.services import ValidationError, audit
from core.values import clean_text, too_long
from core.services.auth import end_all_sessions
from core.services.passwords import hash_password
from core.services.permissions import role_for

MIN_PASSWORD = 12
# Long enough for any passphrase, short enough that hashing it costs nothing extra.
MAX_PASSWORD = 1_000


def email_error(email: str) -> str | None:
    if "@" not in email or "." not in email.split("@")[-1] or len(email) > 254:
        return "Skriv en e-postadress som namn@exempel.se."
    return None


def name_error(name: str) -> str | None:
    if not name:
        return "Skriv användarens namn."
    return too_long(name, 200)


def password_error(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"Lösenordet måste ha minst {MIN_PASSWORD} tecken."
    if len(password) > MAX_PASSWORD:
        return f"Lösenordet får vara högst {MAX_PASSWORD} tecken."
    return None


def get_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email).options(selectinload(User.roles))))


def create_user(
    session: Session,
    *,
    actor: User | None,
    email: str,
    name: str,
    password: str,
    is_platform_admin: bool = False,
    organisation_id: int | None = None,
    tenant: Tenant | None = None,
    password_hash: str | None = None,
    capacity: str = CONTACT,
) -> User:
    """A new account. ``tenant`` is the tenant whose administrator creates it
    (the event goes into that tenant's audit trail); None for the platform.
    ``password_hash``: ``password`` hashed already, with production
    parameters (the demo hashes its one password once for all its accounts,
    which halves the time ``iop demo`` takes). With ``organisation_id`` the
    user is that organisation's approved representative in ``capacity``."""
    email, name = clean_text(email).lower(), clean_text(name)
    errors: dict[str, str] = {}
    if message := email_error(email):
        errors["email"] = message
    elif get_by_email(session, email) is not None:
        errors["email"] = "Det finns redan en användare med den e-postadressen."
    if message := name_error(name):
        errors["name"] = message
    if message := password_error(password):
        errors["password"] = message
    if errors:
        raise ValidationError(errors)
    user = User(email=email, name=name, password_hash=password_hash or hash_password(password),
                is_platform_admin=is_platform_admin, organisation_id=organisation_id, email_verified_at=utcnow())
    session.add(user)
    session.flush()
    if organisation_id is not None:
        session.add(Representative(organisation_id=organisation_id, user_id=user.id, capacity=capacity,
                                   approved_at=user.email_verified_at, approved_by_id=actor.id if actor else None))
    audit.record(session, actor=actor, tenant=tenant, object_type="user", object_id=user.id, action="create",
                 after={"email": email, "is_platform_admin": is_platform_admin})
    return user


def assign_role(session: Session, *, actor: User | None, user: User, tenant: Tenant, kommun: KommunEntry,
                role_key: str) -> RoleAssignment:
    """Gives ``user`` a role of the tenant's roles table, or the tenant's administrator role."""
    if role_for(kommun, role_key) is None:
        raise ValidationError({"role_key": "Välj en roll ur organisationens rolltabell."})
    exists = session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id, RoleAssignment.tenant_id == tenant.id, RoleAssignment.role_key == role_key
        )
    )
    if exists:
        raise ValidationError({"role_key": "Användaren har redan den rollen här."})
    assignment = RoleAssignment(user_id=user.id, tenant_id=tenant.id, role_key=role_key)
    session.add(assignment)
    audit.record(session, actor=actor, tenant=tenant, object_type="user", object_id=user.id, action="assign_role",
                 after={"role": role_key})
    return assignment


def remove_role(session: Session, *, actor: User | None, assignment: RoleAssignment, tenant: Tenant) -> None:
    audit.record(session, actor=actor, tenant=tenant, object_type="user", object_id=assignment.user_id,
                 action="remove_role", before={"role": assignment.role_key})
    session.delete(assignment)


def set_active(session: Session, *, actor: User | None, user: User, active: bool) -> None:
    """Deactivating also ends every session of the user at once."""
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        end_all_sessions(session, user)
    audit.record(session, actor=actor, tenant=None, object_type="user", object_id=user.id,
                 action="activate" if active else "deactivate")
