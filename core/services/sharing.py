"""What staff share with a partnership's idéburna parties (core.models.sharing).

The portal reads through the session's scope, which already hides what is
not shared (core.tenancy, core.rls); this module keeps the staff's choices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Decision, Document, Meeting, Partnership, Tenant, User
from core.models.sharing import DEFAULT_SHARED, Sharing
from core.services import audit

ITEMS = {"decision": Decision, "meeting": Meeting, "document": Document}


def choices(session: Session, tenant: Tenant, partnership: Partnership) -> dict[tuple[str, int], bool]:
    """Every explicit choice for the partnership's items."""
    rows = session.execute(select(Sharing.item_kind, Sharing.item_id, Sharing.shared).where(
        Sharing.tenant_id == tenant.id, Sharing.partnership_id == partnership.id))
    return {(kind, item_id): shared for kind, item_id, shared in rows}


def is_shared(chosen: dict[tuple[str, int], bool], kind: str, item_id: int) -> bool:
    return chosen.get((kind, item_id), DEFAULT_SHARED[kind])


def set_shared(session: Session, tenant: Tenant, actor: User | None, partnership: Partnership, kind: str,
               item_id: int, shared: bool) -> bool:
    """Shows one item to the parties or hides it. False when the partnership
    has no such item (the caller answers 404)."""
    model = ITEMS.get(kind)
    if model is None:
        return False
    item = session.scalar(select(model).where(model.id == item_id, model.tenant_id == tenant.id,
                                              model.partnership_id == partnership.id))
    if item is None:
        return False
    row = session.scalar(select(Sharing).where(Sharing.tenant_id == tenant.id, Sharing.item_kind == kind,
                                               Sharing.item_id == item_id))
    before = row.shared if row is not None else DEFAULT_SHARED[kind]
    if row is None:
        row = Sharing(tenant_id=tenant.id, partnership_id=partnership.id, item_kind=kind, item_id=item_id)
        session.add(row)
    row.shared, row.changed_by_id = shared, actor.id if actor else None
    if before != shared:
        audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=partnership.id,
                     action="share" if shared else "unshare", after={"item": kind, "id": item_id})
    session.flush()
    return True


def share_given(session: Session, document: Document, actor: User | None) -> None:
    """A document the organisation itself gave is the parties' from the start."""
    session.add(Sharing(tenant_id=document.tenant_id, partnership_id=document.partnership_id, item_kind="document",
                        item_id=document.id, shared=True, changed_by_id=actor.id if actor else None))
