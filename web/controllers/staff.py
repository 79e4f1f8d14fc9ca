"""A tenant's staff and their roles, managed by the tenant's administrator
(core.services.staff): /k/<code>/personal/."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response

from core.plugin_api import TENANT_ADMIN_ROLE
from core.services import ValidationError, staff
from core.services.permissions import TENANT_ADMIN, assignable_roles
from core.services.staff import Member
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean
from web.rendering import page

ADD_LABELS = {"email": "E-postadress", "role_key": "Roll", "name": "Namn", "password": "Första lösenord"}
NOTES = {
    "nytt-konto": "Kontot är skapat och personen har fått rollen. Ge personen e-postadressen och det första "
                  "lösenordet på ett säkert sätt, till exempel muntligt.",
    "konto-fanns": "Personen hade redan ett konto och har fått rollen. Personen loggar in som vanligt.",
    "1": "Ändringen är sparad.",
    "borttagen": "Personen är borttagen ur personalen och har inga roller här längre. Kontot finns kvar.",
}


def _base(ctx: RequestContext) -> str:
    return f"/k/{ctx.tenant.code}/personal"


def _member_or_404(ctx: RequestContext, user_id: int) -> Member:
    member = staff.get_member(ctx.db, ctx.tenant, ctx.kommun, user_id)
    if member is None:
        raise NotFoundException()
    return member


def _index(request: Request, ctx: RequestContext, *, status_code: int = 200, values: dict | None = None,
           errors: dict | None = None) -> Response:
    return page(request, "staff/index.html", status_code=status_code, access=ctx.access, tenant=ctx.tenant,
                members=staff.list_staff(ctx.db, ctx.tenant, ctx.kommun), roles=assignable_roles(ctx.kommun),
                values=values or {}, errors=errors or {}, labels=ADD_LABELS,
                note=NOTES.get(request.query_params.get("meddelande", "")))


def _person(request: Request, ctx: RequestContext, member: Member, *, status_code: int = 200,
            errors: dict | None = None, values: dict | None = None) -> Response:
    held = member.role_keys
    return page(request, "staff/person.html", status_code=status_code, access=ctx.access, tenant=ctx.tenant,
                member=member, choices=[r for r in assignable_roles(ctx.kommun) if r.key not in held],
                errors=errors or {}, values=values or {}, is_self=member.user.id == ctx.user.id,
                note=NOTES.get(request.query_params.get("sparad", "")))


class StaffController(Controller):
    path = "/k/{code:str}/personal"
    include_in_schema = False
    opt = {"requires": Requires.STAFF, "permission": TENANT_ADMIN}

    @get("/")
    @in_worker_thread
    def index(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        return _index(request, ctx)

    @post("/")
    @in_worker_thread
    def add(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        data = clean(data)
        try:
            user, created = staff.add_person(ctx.db, ctx.tenant, ctx.kommun, ctx.user, email=data.get("email", ""),
                                             role_key=data.get("role_key", ""), name=data.get("name", ""),
                                             password=data.get("password", ""))
        except ValidationError as exc:
            ctx.db.rollback()
            return _index(request, ctx, status_code=422, values=data, errors=exc.errors)
        note = "nytt-konto" if created else "konto-fanns"
        return Redirect(f"{_base(ctx)}/{user.id}?sparad={note}", status_code=303)

    @get("/{user_id:int}")
    @in_worker_thread
    def person(self, request: Request, ctx: NamedDependency[RequestContext], user_id: FromPath[int]) -> Response:
        return _person(request, ctx, _member_or_404(ctx, user_id))

    @post("/{user_id:int}/roller")
    @in_worker_thread
    def give_role(self, request: Request, ctx: NamedDependency[RequestContext], user_id: FromPath[int],
                  data: FormData) -> Response:
        data = clean(data)
        member = _member_or_404(ctx, user_id)
        try:
            staff.give_role(ctx.db, ctx.tenant, ctx.kommun, ctx.user, member, data.get("role_key", ""))
        except ValidationError as exc:
            ctx.db.rollback()
            return _person(request, ctx, _member_or_404(ctx, user_id), status_code=422, errors=exc.errors,
                           values=data)
        return Redirect(f"{_base(ctx)}/{user_id}?sparad=1", status_code=303)

    @post("/{user_id:int}/roller/{assignment_id:int}/ta-bort")
    @in_worker_thread
    def remove_role(self, request: Request, ctx: NamedDependency[RequestContext], user_id: FromPath[int],
                    assignment_id: FromPath[int]) -> Response:
        member = _member_or_404(ctx, user_id)
        holding = next((h for h in member.holdings if h.assignment.id == assignment_id), None)
        if holding is None:
            raise NotFoundException()
        # Administrators who give up their own administrator role leave these pages.
        leaving = member.user.id == ctx.user.id and holding.assignment.role_key == TENANT_ADMIN_ROLE
        try:
            staff.remove_role(ctx.db, ctx.tenant, ctx.user, member, assignment_id)
        except ValidationError as exc:
            ctx.db.rollback()
            return _person(request, ctx, _member_or_404(ctx, user_id), status_code=422, errors=exc.errors)
        if leaving:
            return Redirect("/", status_code=303)
        if len(member.holdings) == 1:
            # No role left here: no longer part of the staff.
            return Redirect(f"{_base(ctx)}/?meddelande=borttagen", status_code=303)
        return Redirect(f"{_base(ctx)}/{user_id}?sparad=1", status_code=303)

    @get("/{user_id:int}/ta-bort")
    @in_worker_thread
    def confirm_removal(self, request: Request, ctx: NamedDependency[RequestContext],
                        user_id: FromPath[int]) -> Response:
        member = _member_or_404(ctx, user_id)
        return page(request, "staff/remove.html", access=ctx.access, tenant=ctx.tenant, member=member,
                    is_self=member.user.id == ctx.user.id, errors={})

    @post("/{user_id:int}/ta-bort")
    @in_worker_thread
    def remove_person(self, request: Request, ctx: NamedDependency[RequestContext],
                      user_id: FromPath[int]) -> Response:
        member = _member_or_404(ctx, user_id)
        try:
            staff.remove_person(ctx.db, ctx.tenant, ctx.user, member)
        except ValidationError as exc:
            ctx.db.rollback()
            member = _member_or_404(ctx, user_id)
            return page(request, "staff/remove.html", status_code=422, access=ctx.access, tenant=ctx.tenant,
                        member=member, is_self=member.user.id == ctx.user.id, errors=exc.errors)
        if member.user.id == ctx.user.id:
            # They are no longer staff here: the start page shows where they still are.
            return Redirect("/", status_code=303)
        return Redirect(f"{_base(ctx)}/?meddelande=borttagen", status_code=303)
