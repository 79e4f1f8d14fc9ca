"""What a user may do in a tenant, from their roles in that tenant.

Kommun role keys map onto the core's generic roles (core.plugin_api.GENERIC_ROLES);
permissions attach to the generic roles, so a kommun's own titles need no code.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import RoleAssignment, Tenant, User
from core.registry import KommunEntry
from core.plugin_api import Role

VIEW = "partnership.view"
CREATE = "partnership.create"
EDIT = "partnership.edit"
ORG_EDIT = "organisation.edit"

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
        return VIEW in self.permissions


def role_keys(session: Session, user: User, tenant: Tenant) -> list[str]:
    return list(
        session.scalars(
            select(RoleAssignment.role_key)
            .where(RoleAssignment.user_id == user.id, RoleAssignment.tenant_id == tenant.id)
            .order_by(RoleAssignment.role_key)
        )
    )


def access_for(session: Session, user: User, tenant: Tenant, kommun: KommunEntry) -> Access:
    """Roles whose key is not in the tenant's current roles table (say, after its
    plugin was disabled) give nothing; the assignments themselves are kept."""
    roles = tuple(r for key in role_keys(session, user, tenant) if (r := kommun.roles.get(key)) is not None)
    permissions: set[str] = set()
    for role in roles:
        permissions |= PERMISSIONS[role.generic_role]
    return Access(user=user, tenant=tenant, kommun=kommun, roles=roles, permissions=frozenset(permissions))
