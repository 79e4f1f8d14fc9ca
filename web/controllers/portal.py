"""The self-service portal for idéburna organisationer: a representative follows
their organisation's partnerships with every kommun."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Response
from sqlalchemy import select

from core.models import Partnership, Party, Tenant
from web.context import RequestContext, Requires, in_worker_thread
from web.rendering import page


class PortalController(Controller):
    path = "/portal"
    include_in_schema = False
    opt = {"requires": Requires.REPRESENTATIVE}

    @get("/")
    @in_worker_thread
    def index(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        db, organisation = ctx.db, ctx.organisation
        cases: list[tuple[Partnership, Tenant]] = []
        if organisation is not None:
            rows = db.execute(
                select(Partnership, Tenant)
                .join(Tenant, Tenant.id == Partnership.tenant_id)
                .where(Partnership.id.in_(select(Party.partnership_id).where(Party.organisation_id == organisation.id)))
                .order_by(Tenant.name, Partnership.title)
            ).all()
            cases = [(p, t) for p, t in rows]
        return page(request, "portal/index.html", organisation=organisation, cases=cases)
