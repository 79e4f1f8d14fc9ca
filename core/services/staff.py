"""A tenant's staff as its administrator manages them: who holds which roles
in the tenant, adding a person, giving and taking away roles.

Everything here stays inside one tenant: a person is part of a tenant's staff
by holding a role there, and removing them from it removes their roles there
and nothing else (their account, and their roles in other tenants, stay).
Accounts are the platform's; a tenant administrator may create one for a new
colleague but never changes an existing account (its password, whether it is
active, or whether it belongs to a platform administrator).

A tenant's staff pages never leave it without an active administrator: the
last one cannot remove their own administrator role, nor themselves. The
platform administrator can still do so from /admin/.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import RoleAssignment, Tenant, User
from core.plugin_api import TENANT_ADMIN_ROLE, Role
from core.registry import KommunEntry
from core.services import ValidationError, users
from core.services.permissions import assignable_roles, role_for
from core.values import clean_text


@dataclass(frozen=True)
class Holding:
    """One role a person holds in the tenant. ``role`` is None when its key is
    not in the tenant's current roles table (say, after its plugin was
    disabled): the assignment is kept, and gives nothing."""

    assignment: RoleAssignment
    role: Role | None

    @property
    def title(self) -> str:
        return self.role.title if self.role else self.assignment.role_key


@dataclass(frozen=True)
class Member:
    user: User
    holdings: tuple[Holding, ...]

    @property
    def role_keys(self) -> set[str]:
        return {h.assignment.role_key for h in self.holdings}

    @property
    def is_admin(self) -> bool:
        return TENANT_ADMIN_ROLE in self.role_keys


def _members(session: Session, tenant: Tenant, kommun: KommunEntry, user_id: int | None = None) -> list[Member]:
    query = (
        select(User, RoleAssignment)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.tenant_id == tenant.id)
        .order_by(User.name, User.email, User.id, RoleAssignment.id)
    )
    if user_id is not None:
        query = query.where(User.id == user_id)
    order = {role.key: i for i, role in enumerate(assignable_roles(kommun))}
    grouped: dict[int, tuple[User, list[Holding]]] = {}
    for user, assignment in session.execute(query):
        grouped.setdefault(user.id, (user, []))[1].append(Holding(assignment, role_for(kommun, assignment.role_key)))
    return [
        Member(user, tuple(sorted(holdings, key=lambda h: order.get(h.assignment.role_key, len(order)))))
        for user, holdings in grouped.values()
    ]


def list_staff(session: Session, tenant: Tenant, kommun: KommunEntry) -> list[Member]:
    """Everyone with a role in the tenant, by name, each with their roles there."""
    return _members(session, tenant, kommun)


def get_member(session: Session, tenant: Tenant, kommun: KommunEntry, user_id: int) -> Member | None:
    """The person with ``user_id`` if they hold a role in the tenant; anyone
    else, other tenants' staff included, is not the tenant's to see."""
    found = _members(session, tenant, kommun, user_id)
    return found[0] if found else None


def _active_admins(session: Session, tenant: Tenant, other_than: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(RoleAssignment)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.tenant_id == tenant.id, RoleAssignment.role_key == TENANT_ADMIN_ROLE,
               User.is_active.is_(True), User.id != other_than.id)
    ) or 0


def _keep_an_administrator(session: Session, tenant: Tenant, actor: User, member: Member, field: str) -> None:
    if member.is_admin and _active_admins(session, tenant, member.user) == 0:
        if member.user.id == actor.id:
            message = (f"Du är den enda administratören i {tenant.name}. Gör någon annan till administratör "
                       "innan du tar bort din egen administratörsroll.")
        else:
            message = (f"{member.user.name} är den enda administratören i {tenant.name}. Gör någon annan till "
                       "administratör först.")
        raise ValidationError({field: message})


def _holds(session: Session, tenant: Tenant, user: User, role_key: str) -> bool:
    return session.scalar(select(RoleAssignment.id).where(
        RoleAssignment.tenant_id == tenant.id, RoleAssignment.user_id == user.id, RoleAssignment.role_key == role_key,
    )) is not None


def _role_key(kommun: KommunEntry, raw: str | None) -> tuple[str, str | None]:
    key = clean_text(raw)
    if not key:
        return key, "Välj vilken roll personen ska ha."
    if role_for(kommun, key) is None:
        return key, "Välj en roll i listan."
    return key, None


def add_person(session: Session, tenant: Tenant, kommun: KommunEntry, actor: User, *, email: str, role_key: str,
               name: str = "", password: str = "") -> tuple[User, bool]:
    """Gives the person with ``email`` a role in the tenant. An existing
    account gets the role as it is (``name`` and ``password`` are not used);
    for a new one, ``name`` and the initial ``password`` the administrator
    gives them are needed. Returns the account and whether it was created."""
    email, name = clean_text(email).lower(), clean_text(name)
    errors: dict[str, str] = {}
    role_key, role_error = _role_key(kommun, role_key)
    if role_error:
        errors["role_key"] = role_error
    existing = None
    if message := users.email_error(email):
        errors["email"] = message
    else:
        existing = users.get_by_email(session, email)
    if existing is not None:
        if existing.organisation_id is not None:
            errors["email"] = ("Kontot tillhör en företrädare för en idéburen organisation och kan inte få en roll "
                               "i förvaltningen. Använd en annan e-postadress.")
        elif not existing.is_active:
            errors["email"] = "Kontot är inaktiverat. Be plattformens administratör att aktivera det."
        elif not role_error and _holds(session, tenant, existing, role_key):
            errors["role_key"] = f"{existing.name} har redan rollen {role_for(kommun, role_key).title} här."
    elif "email" not in errors:
        if not name:
            errors["name"] = "Det finns inget konto med den e-postadressen. Skriv personens namn, så skapas ett konto."
        elif message := users.name_error(name):
            errors["name"] = message
        if not password:
            errors["password"] = ("Det finns inget konto med den e-postadressen. Hitta på ett första lösenord och "
                                  f"ge det till personen (minst {users.MIN_PASSWORD} tecken).")
        elif message := users.password_error(password):
            errors["password"] = message
    if errors:
        # In the order of the form's fields, for the error summary.
        raise ValidationError({key: errors[key] for key in ("email", "role_key", "name", "password") if key in errors})
    user = existing or users.create_user(session, actor=actor, email=email, name=name, password=password,
                                         tenant=tenant)
    users.assign_role(session, actor=actor, user=user, tenant=tenant, kommun=kommun, role_key=role_key)
    session.flush()
    return user, existing is None


def give_role(session: Session, tenant: Tenant, kommun: KommunEntry, actor: User, member: Member,
              role_key: str) -> None:
    role_key, role_error = _role_key(kommun, role_key)
    if role_error:
        raise ValidationError({"role_key": role_error})
    if role_key in member.role_keys:
        raise ValidationError({"role_key": f"{member.user.name} har redan rollen {role_for(kommun, role_key).title} här."})
    users.assign_role(session, actor=actor, user=member.user, tenant=tenant, kommun=kommun, role_key=role_key)
    session.flush()


def remove_role(session: Session, tenant: Tenant, actor: User, member: Member, assignment_id: int) -> bool:
    """Takes one of the member's roles here away; False if they hold no such assignment."""
    holding = next((h for h in member.holdings if h.assignment.id == assignment_id), None)
    if holding is None:
        return False
    if holding.assignment.role_key == TENANT_ADMIN_ROLE:
        _keep_an_administrator(session, tenant, actor, member, "role")
    users.remove_role(session, actor=actor, assignment=holding.assignment, tenant=tenant)
    session.flush()
    return True


def remove_person(session: Session, tenant: Tenant, actor: User, member: Member) -> None:
    """Removes the person from the tenant's staff: every role they hold here,
    each recorded in the audit trail. Their account stays."""
    _keep_an_administrator(session, tenant, actor, member, "person")
    for holding in member.holdings:
        users.remove_role(session, actor=actor, assignment=holding.assignment, tenant=tenant)
    session.flush()
