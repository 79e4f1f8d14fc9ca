"""A tenant's organisation register."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response
from sqlalchemy.orm import Session

from core.models.organisation import LEGAL_FORMS
from core.services import ValidationError, organisations
from core.services.permissions import ORG_EDIT, Access
from web.deps import provide_access, require
from web.forms import FormData, clean
from web.rendering import page


class OrganisationController(Controller):
    path = "/k/{code:str}/organisationer"
    include_in_schema = False
    dependencies = {"access": Provide(provide_access, sync_to_thread=True)}

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: NamedDependency[Session], access: NamedDependency[Access], q: FromQuery[str] = "") -> Response:
        return page(request, "organisations/index.html", block="results", access=access, tenant=access.tenant,
                    items=organisations.list_organisations(db, access.tenant, q), q=q)

    @get("/ny", sync_to_thread=True)
    def new(self, request: Request, access: NamedDependency[Access]) -> Response:
        require(access, ORG_EDIT)
        return page(request, "organisations/form.html", access=access, tenant=access.tenant, values={}, errors={},
                    legal_forms=LEGAL_FORMS)

    @post("/ny", sync_to_thread=True)
    def create(self, request: Request, db: NamedDependency[Session], access: NamedDependency[Access], data: FormData) -> Response:
        require(access, ORG_EDIT)
        data = clean(data)
        try:
            org = organisations.add_organisation(db, access.tenant, access.user, data)
        except ValidationError as exc:
            db.rollback()
            known = exc.organisation if isinstance(exc, organisations.KnownOrganisation) else None
            return page(request, "organisations/form.html", status_code=422, access=access, tenant=access.tenant,
                        values=data, errors=exc.errors, legal_forms=LEGAL_FORMS, known=known)
        db.commit()
        return Redirect(f"/k/{access.tenant.code}/organisationer/{org.id}?sparad=1", status_code=303)

    @get("/{organisation_id:int}", sync_to_thread=True)
    def view(self, request: Request, db: NamedDependency[Session], access: NamedDependency[Access], organisation_id: FromPath[int]) -> Response:
        org = organisations.get_organisation(db, access.tenant, organisation_id)
        if org is None:
            raise NotFoundException()
        return page(request, "organisations/view.html", access=access, tenant=access.tenant, org=org,
                    contacts=organisations.contacts(db, access.tenant, org),
                    entry=organisations.registration(db, access.tenant, org), saved=request.query_params.get("sparad"))
