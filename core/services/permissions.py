"""What a user may do in a tenant, from their roles in that tenant.

Kommun role keys map onto the core's generic roles (core.plugin_api.GENERIC_ROLES);
permissions attach to the generic roles, so a kommun's own titles need no code.

Besides its kommun's roles table every tenant has one role of the core's own:
the administrator (key ``administrator``, reserved: no plugin may declare it),
who manages the tenant's staff and their roles and gets ``tenant.admin``
only. The platform administrator creates tenants, enables plugins and
appoints the first administrator of each.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import RoleAssignment, Tenant, User
from core.registry import KommunEntry
from core.plugin_api import TENANT_ADMIN_ROLE, Role

# The generic role whose holder is named on each partnership (JV-13's
# IOP-koordinator): once named, that role's steps on the partnership are theirs.
NAMED_PER_PARTNERSHIP = "coordinator"

VIEW = "partnership.view"
CREATE = "partnership.create"
EDIT = "partnership.edit"
ORG_EDIT = "organisation.edit"
TENANT_ADMIN = "tenant.admin"

# The tenant administrator, as the staff pages show the role. It is not in any
# kommun's roles table and maps onto no generic role of the process.
ADMINISTRATOR = Role(
    key=TENANT_ADMIN_ROLE,
    title="Administratör",
    generic_role="",
    responsibility="Ger personalen i organisationen deras roller och tar bort dem.",
)
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {TENANT_ADMIN_ROLE: frozenset({TENANT_ADMIN})}

_STAFF_VIEW = {VIEW}
PERMISSIONS: dict[str, frozenset[str]] = {
    "decision_body": frozenset(_STAFF_VIEW),
    "director": frozenset(_STAFF_VIEW | {EDIT}),
    "coordinator_unit": frozenset(_STAFF_VIEW | {CREATE, EDIT, ORG_EDIT}),
    "manager": frozenset(_STAFF_VIEW | {EDIT}),
    "coordinator": frozenset(_STAFF_VIEW | {EDIT, ORG_EDIT}),
    "case_officer": frozenset(_STAFF_VIEW | {CREATE, EDIT, ORG_EDIT}),
    # Representatives work in the portal, never in a tenant's workspace.
    "organisation_representative": frozenset(),
}


# Every permission a route may name: the generic roles' and the core roles'.
ALL_PERMISSIONS: frozenset[str] = frozenset().union(*PERMISSIONS.values(), *ROLE_PERMISSIONS.values())


class Access:
    """A user's access to one tenant. A plain class on purpose: the web layer
    passes it as a dependency, and its framework validates dataclasses field by
    field (down into the process definitions), which it cannot and need not do."""

    __slots__ = ("user", "tenant", "kommun", "roles", "permissions")

    def __init__(self, *, user: User, tenant: Tenant, kommun: KommunEntry, roles: tuple[Role, ...],
                 permissions: frozenset[str]):
        self.user = user
        self.tenant = tenant
        self.kommun = kommun
        self.roles = roles
        self.permissions = permissions

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def is_staff(self) -> bool:
        """Holds a staff role in the tenant: one that works with its
        partnerships, or the administrator's. (Anyone else gets 404 there.)"""
        return VIEW in self.permissions or TENANT_ADMIN in self.permissions

    @property
    def is_admin(self) -> bool:
        return TENANT_ADMIN in self.permissions


def role_keys(session: Session, user: User, tenant: Tenant) -> list[str]:
    return list(
        session.scalars(
            select(RoleAssignment.role_key)
            .where(RoleAssignment.user_id == user.id, RoleAssignment.tenant_id == tenant.id)
            .order_by(RoleAssignment.role_key)
        )
    )


def role_for(kommun: KommunEntry, key: str) -> Role | None:
    """The role with ``key`` in a tenant running ``kommun``: one of its roles
    table, or the core's administrator."""
    return ADMINISTRATOR if key == TENANT_ADMIN_ROLE else kommun.roles.get(key)


def assignable_roles(kommun: KommunEntry) -> tuple[Role, ...]:
    """Every role a tenant running ``kommun`` can give: its roles table, then the administrator."""
    return (*kommun.roles.roles, ADMINISTRATOR)


def access_for(session: Session, user: User, tenant: Tenant, kommun: KommunEntry) -> Access:
    """Roles whose key is not in the tenant's current roles table (say, after its
    plugin was disabled) give nothing; the assignments themselves are kept.
    ``roles`` holds the kommun's roles the user has; the administrator role
    gives its permission beside them."""
    keys = role_keys(session, user, tenant)
    roles = tuple(r for key in keys if (r := kommun.roles.get(key)) is not None)
    permissions: set[str] = set()
    for role in roles:
        permissions |= PERMISSIONS[role.generic_role]
    for key in keys:
        permissions |= ROLE_PERMISSIONS.get(key, frozenset())
    return Access(user=user, tenant=tenant, kommun=kommun, roles=roles, permissions=frozenset(permissions))


def named_role_keys(roles) -> tuple[str, ...]:
    """Of these roles (Role objects), the keys of those named per partnership."""
    return tuple(r.key for r in roles if r.generic_role == NAMED_PER_PARTNERSHIP)


def acting_roles(roles, coordinator_id: int | None, user_id: int, role_keys: tuple[str, ...]) -> tuple[str, ...]:
    """The roles a person acts in on one partnership: a role named per
    partnership counts only for the person named (or for anyone holding it
    while no one is), JV-13. ``roles``: the kommun's Role objects."""
    if coordinator_id is None or coordinator_id == user_id:
        return role_keys
    named = set(named_role_keys(roles))
    return tuple(k for k in role_keys if k not in named)
