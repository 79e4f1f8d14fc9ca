"""A tenant's organisation register."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response

from core.models.organisation import LEGAL_FORMS
from core.inputs import OrganisationInput
from core.services import ValidationError, organisations, representatives
from core.services.permissions import ORG_EDIT
from web import page_cache
from web.context import RequestContext, Requires, in_worker_thread
from web.controllers.portal import representative_or_404, representatives_context
from web.forms import FormData, clean
from web.rendering import page


class OrganisationController(Controller):
    path = "/k/{code:str}/organisationer"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    @get("/", opt={page_cache.OPT: True})  # kept as rendered until the data moves (web.page_cache)
    @in_worker_thread
    def index(self, request: Request, ctx: NamedDependency[RequestContext], q: FromQuery[str] = "") -> Response:
        db, access = ctx.db, ctx.access
        return page(request, "organisations/index.html", block="results", access=access, tenant=access.tenant,
                    items=organisations.list_organisations(db, access.tenant, q), q=q)

    @get("/ny", opt={"permission": ORG_EDIT})
    @in_worker_thread
    def new(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        access = ctx.access
        return page(request, "organisations/form.html", access=access, tenant=access.tenant, values={}, errors={},
                    legal_forms=LEGAL_FORMS)

    @post("/ny", opt={"permission": ORG_EDIT})
    @in_worker_thread
    def create(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        db, access = ctx.db, ctx.access
        data = clean(data)
        try:
            org = organisations.add_organisation(db, access.tenant, access.user, OrganisationInput.from_form(data))
        except ValidationError as exc:
            db.rollback()
            known = exc.organisation if isinstance(exc, organisations.KnownOrganisation) else None
            return page(request, "organisations/form.html", status_code=422, access=access, tenant=access.tenant,
                        values=data, errors=exc.errors, legal_forms=LEGAL_FORMS, known=known)
        return Redirect(f"/k/{access.tenant.code}/organisationer/{org.id}?sparad=1", status_code=303)

    @get("/{organisation_id:int}")
    @in_worker_thread
    def view(self, request: Request, ctx: NamedDependency[RequestContext], organisation_id: FromPath[int]) -> Response:
        db, access = ctx.db, ctx.access
        org = organisations.get_organisation(db, access.tenant, organisation_id)
        if org is None:
            raise NotFoundException()
        return self._view(request, ctx, org)

    def _view(self, request: Request, ctx: RequestContext, org, *, status_code: int = 200, values=None,
              errors=None) -> Response:
        db, access = ctx.db, ctx.access
        extra = {}
        if access.can(ORG_EDIT) and representatives.may_manage(db, access.user, org, access.tenant):
            # Staff of a tenant where the organisation is a party manage its portal representatives.
            extra = {**representatives_context(db, org, access.user, values=values, errors=errors,
                                               action=f"/k/{access.tenant.code}/organisationer/{org.id}/foretradare"),
                     "rep_saved": request.query_params.get("foretradare")}
        return page(request, "organisations/view.html", status_code=status_code, access=access, tenant=access.tenant,
                    org=org, contacts=organisations.contacts(db, access.tenant, org),
                    entry=organisations.registration(db, access.tenant, org), saved=request.query_params.get("sparad"),
                    **extra)

    def _managed(self, ctx: RequestContext, organisation_id: int):
        """The organisation, when these staff may manage its representatives; else 404."""
        org = organisations.get_organisation(ctx.db, ctx.access.tenant, organisation_id)
        if org is None or not representatives.may_manage(ctx.db, ctx.access.user, org, ctx.access.tenant):
            raise NotFoundException()
        return org

    def _back(self, ctx: RequestContext, org, what: str) -> Redirect:
        return Redirect(f"/k/{ctx.access.tenant.code}/organisationer/{org.id}?foretradare={what}#portal-heading",
                        status_code=303)

    @post("/{organisation_id:int}/foretradare", opt={"permission": ORG_EDIT})
    @in_worker_thread
    def invite(self, request: Request, ctx: NamedDependency[RequestContext], organisation_id: FromPath[int],
               data: FormData) -> Response:
        org, data = self._managed(ctx, organisation_id), clean(data)
        try:
            representatives.invite(ctx.db, organisation=org, actor=ctx.access.user, email=data.get("email", ""),
                                   name=data.get("name", ""), capacity=data.get("capacity", ""),
                                   base_url=ctx.settings.base_url, tenant=ctx.access.tenant)
        except ValidationError as exc:
            ctx.db.rollback()
            return self._view(request, ctx, org, status_code=422, values=data, errors=exc.errors)
        return self._back(ctx, org, "inbjuden")

    @post("/{organisation_id:int}/foretradare/{representative_id:int}/godkann", opt={"permission": ORG_EDIT})
    @in_worker_thread
    def approve(self, ctx: NamedDependency[RequestContext], organisation_id: FromPath[int],
                representative_id: FromPath[int]) -> Response:
        org = self._managed(ctx, organisation_id)
        representatives.approve(ctx.db, representative_or_404(ctx.db, org, representative_id), ctx.access.user,
                                ctx.settings.base_url, tenant=ctx.access.tenant)
        return self._back(ctx, org, "godkand")

    @post("/{organisation_id:int}/foretradare/{representative_id:int}/ta-bort", opt={"permission": ORG_EDIT})
    @in_worker_thread
    def remove(self, ctx: NamedDependency[RequestContext], organisation_id: FromPath[int],
               representative_id: FromPath[int]) -> Response:
        org = self._managed(ctx, organisation_id)
        representatives.remove(ctx.db, representative_or_404(ctx.db, org, representative_id), ctx.access.user, tenant=ctx.access.tenant)
        return self._back(ctx, org, "borttagen")
