"""The IOP-koordinator named for each partnership (JV-13): who may be named,
naming one, and the partnerships a person coordinates. Once named, the
coordinator role's steps on that partnership are that person's
(core.services.permissions.acting_roles) and wait on their start page alone."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Partnership, RoleAssignment, Tenant, User
from core.services import ValidationError, audit
from core.services.permissions import named_role_keys


def candidates(session: Session, tenant: Tenant, roles) -> list[User]:
    """The tenant's active staff holding a role named per partnership."""
    keys = named_role_keys(roles)
    if not keys:
        return []
    return list(session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.tenant_id == tenant.id, RoleAssignment.role_key.in_(keys), User.is_active.is_(True))
        .distinct().order_by(User.name, User.id)))


def set_coordinator(session: Session, tenant: Tenant, actor: User | None, p: Partnership, user_id: int | None,
                    roles) -> None:
    """Names (or, with None, unnames) the partnership's coordinator."""
    people = {u.id: u for u in candidates(session, tenant, roles)}
    if user_id is not None and user_id not in people:
        raise ValidationError({"coordinator_id": "Välj en person som har rollen IOP-koordinator här."})
    if p.coordinator_id == user_id:
        return
    before = session.get(User, p.coordinator_id) if p.coordinator_id else None
    p.coordinator_id = user_id
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=p.id,
                 action="set_coordinator", before={"coordinator": before.name if before else None},
                 after={"coordinator": people[user_id].name if user_id else None})


def coordinated_by(session: Session, tenant: Tenant, user_id: int, limit: int = 10) -> tuple[list[tuple[int, str]], int]:
    """The partnerships the person is named coordinator of (at most ``limit``, newest change first), and how many."""
    where = (Partnership.tenant_id == tenant.id, Partnership.coordinator_id == user_id)
    # One query whatever the numbers: the window counts every match before the limit.
    rows = session.execute(select(Partnership.id, Partnership.title, func.count().over()).where(*where)
                           .order_by(Partnership.updated_at.desc(), Partnership.id.desc()).limit(limit)).all()
    return [(pid, title) for pid, title, _ in rows], rows[0][2] if rows else 0
