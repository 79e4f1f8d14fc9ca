"""The self-service portal for idéburna organisationer: a representative follows
their organisation's partnerships with every kommun, and the organisation's
representatives manage who else acts for it."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Organisation, Partnership, Party, Representative, Tenant, User
from core.models.organisation import CAPACITIES
from core.services import ValidationError, representatives
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean
from web.rendering import page

INVITE_LABELS = {"name": "Namn", "email": "E-postadress", "capacity": "Roll i organisationen"}


def _own(ctx: RequestContext) -> Organisation:
    """The organisation the signed-in user represents; 404 for anyone else."""
    if ctx.organisation is None:
        raise NotFoundException()
    return ctx.organisation


def _representative(db: Session, organisation: Organisation, representative_id: int) -> Representative:
    rep = db.get(Representative, representative_id)
    if rep is None or rep.organisation_id != organisation.id:
        raise NotFoundException()
    return rep


def representatives_page(request: Request, db: Session, organisation: Organisation, user: User, *, action: str,
                         template: str, status_code: int = 200, values: dict | None = None,
                         errors: dict | None = None, **extra) -> Response:
    """The list of representatives with the invitation form: the portal's
    page and the staff's section share it (``action`` is where forms post)."""
    return page(request, template, status_code=status_code, organisation=organisation,
                people=representatives.listed(db, organisation), me=user, action=action, capacities=CAPACITIES,
                values=values or {}, errors=errors or {}, labels=INVITE_LABELS, **extra)


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
        waiting = organisation is None and representatives.representative_of(db, ctx.user) is not None
        return page(request, "portal/index.html", organisation=organisation, cases=cases, waiting=waiting)

    @get("/foretradare")
    @in_worker_thread
    def people(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        return representatives_page(request, ctx.db, _own(ctx), ctx.user, action="/portal/foretradare",
                                    template="portal/representatives.html",
                                    rep_saved=request.query_params.get("sparat"))

    @post("/foretradare")
    @in_worker_thread
    def invite(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        organisation, data = _own(ctx), clean(data)
        try:
            representatives.invite(ctx.db, organisation=organisation, actor=ctx.user, email=data.get("email", ""),
                                   name=data.get("name", ""), capacity=data.get("capacity", ""),
                                   base_url=ctx.settings.base_url)
        except ValidationError as exc:
            ctx.db.rollback()
            return representatives_page(request, ctx.db, organisation, ctx.user, action="/portal/foretradare",
                                        template="portal/representatives.html", status_code=422, values=data,
                                        errors=exc.errors)
        return Redirect("/portal/foretradare?sparat=inbjuden", status_code=303)

    @post("/foretradare/{representative_id:int}/godkann")
    @in_worker_thread
    def approve(self, ctx: NamedDependency[RequestContext], representative_id: FromPath[int]) -> Response:
        organisation = _own(ctx)
        rep = _representative(ctx.db, organisation, representative_id)
        representatives.approve(ctx.db, rep, ctx.user, ctx.settings.base_url)
        return Redirect("/portal/foretradare?sparat=godkand", status_code=303)

    @post("/foretradare/{representative_id:int}/ta-bort")
    @in_worker_thread
    def remove(self, ctx: NamedDependency[RequestContext], representative_id: FromPath[int]) -> Response:
        organisation = _own(ctx)
        rep = _representative(ctx.db, organisation, representative_id)
        if rep.user_id == ctx.user.id:
            raise NotFoundException()  # the page offers no such button: you cannot remove yourself
        representatives.remove(ctx.db, rep, ctx.user)
        return Redirect("/portal/foretradare?sparat=borttagen", status_code=303)
