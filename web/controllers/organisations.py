"""A tenant's organisation register."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response

from core.models.organisation import LEGAL_FORMS
from core.inputs import OrganisationInput
from core.services import ValidationError, organisations
from core.services.permissions import ORG_EDIT
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean
from web.rendering import page


class OrganisationController(Controller):
    path = "/k/{code:str}/organisationer"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    @get("/")
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
        return page(request, "organisations/view.html", access=access, tenant=access.tenant, org=org,
                    contacts=organisations.contacts(db, access.tenant, org),
                    entry=organisations.registration(db, access.tenant, org), saved=request.query_params.get("sparad"))
