"""Writing the audit trail. Events are only ever added."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit_chain
from core.db import utcnow
from core.models import AuditEvent, Tenant, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def record(
    session: Session,
    *,
    actor: User | None,
    tenant: Tenant | None,
    object_type: str,
    object_id: object,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """The event, added to the session's transaction; it is inserted with the
    transaction's other events when the transaction commits (core.audit_chain),
    stamped with the time it was recorded."""
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor else None,
        tenant_id=tenant.id if tenant else None,
        object_type=object_type,
        object_id=str(object_id),
        action=action,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    audit_chain.append(session, event)
    return event


def events_for(
    session: Session, tenant: Tenant, object_type: str, object_id: object, limit: int = 20
) -> list[tuple[AuditEvent, str | None]]:
    """The newest events of one object, each with the name of who caused it."""
    rows = session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.tenant_id == tenant.id,
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == str(object_id),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, name) for event, name in rows]
