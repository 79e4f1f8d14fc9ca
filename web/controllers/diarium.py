"""The tenant's diarium (core.services.diarium): the staff's view with filters
and CSV export, corrections, and the public list of registered entries
without what secrecy covers."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response

from core import clock
from core.models.diarium import DIRECTIONS
from core.services import ValidationError, diarium, tenants
from core.services.permissions import EDIT
from core.tenancy import Scope, within
from core.values import parse_date, parse_int
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean
from web.rendering import page


def filters_from(params, *, public: bool = False) -> tuple[diarium.Filters, dict[str, str], dict[str, str]]:
    """The filters of a query string, what was written (to show it again)
    and a Swedish message for each that could not be read."""
    raw = {key: (params.get(key) or "").strip() for key in ("q", "ar", "riktning", "fran", "till", "sida")}
    errors: dict[str, str] = {}
    year = parse_int(raw["ar"], lowest=1900, highest=9999) if raw["ar"] else None
    if raw["ar"] and year is None:
        errors["ar"] = "Skriv året med fyra siffror, till exempel 2026."
    since, problem = parse_date(raw["fran"], "från-datumet") if raw["fran"] else (None, None)
    if problem:
        errors["fran"] = problem
    until, problem = parse_date(raw["till"], "till-datumet") if raw["till"] else (None, None)
    if problem:
        errors["till"] = problem
    direction = raw["riktning"] if raw["riktning"] in DIRECTIONS else ""
    page_no = parse_int(raw["sida"], lowest=1, highest=100_000) or 1
    return (diarium.Filters(q=raw["q"][:200], year=year, direction=direction, since=since, until=until,
                            page=page_no, public=public), raw, errors)


def _query_string(raw: dict[str, str], **changes) -> str:
    """The filters of the page, with ``changes``; a new filter starts at page one."""
    values = {k: v for k, v in raw.items() if k != "sida"}
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v})


class DiariumController(Controller):
    path = "/k/{code:str}/diarium"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    @get("/")
    @in_worker_thread
    def index(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        db, access = ctx.db, ctx.access
        filters, raw, errors = filters_from(request.query_params)
        rows, total = diarium.entries(db, access.tenant, filters) if not errors else ([], 0)
        return page(request, "workspace/diarium.html", block="results", access=access, tenant=access.tenant,
                    rows=rows, total=total, filters=filters, raw=raw, errors=errors, directions=DIRECTIONS,
                    pages=max(1, -(-total // diarium.PAGE_SIZE)), query=lambda **c: _query_string(raw, **c),
                    corrected=request.query_params.get("rattad"))

    @get("/export.csv")
    @in_worker_thread
    def export(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        filters, _raw, errors = filters_from(request.query_params)
        if errors:
            return Response(" ".join(errors.values()), status_code=422, media_type="text/plain; charset=utf-8")
        body = diarium.as_csv(ctx.db, ctx.access.tenant, filters)
        name = f"diarium-{ctx.access.tenant.code}-{clock.today().isoformat()}.csv"
        # A byte-order mark, so that Excel reads å, ä and ö as UTF-8.
        return Response("\ufeff" + body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    def _entry(self, ctx: RequestContext, entry_id: int):
        entry = diarium.get_entry(ctx.db, ctx.access.tenant, entry_id)
        if entry is None:
            raise NotFoundException()
        return entry

    def _form(self, request: Request, ctx: RequestContext, entry, *, status_code: int = 200, values=None,
              errors=None) -> Response:
        access = ctx.access
        row = diarium.row_of(ctx.db, access.tenant, entry)
        if values is None:
            values = {"description": entry.description, "counterparty": entry.counterparty, "secrecy": entry.secrecy}
        return page(request, "workspace/diarium_correction.html", status_code=status_code, access=access,
                    tenant=access.tenant, row=row, values=values, errors=errors or {},
                    grounds=diarium.SECRECY_GROUNDS)

    @get("/{entry_id:int}/rattelse", opt={"permission": EDIT})
    @in_worker_thread
    def correction(self, request: Request, ctx: NamedDependency[RequestContext], entry_id: FromPath[int]) -> Response:
        return self._form(request, ctx, self._entry(ctx, entry_id))

    @post("/{entry_id:int}/rattelse", opt={"permission": EDIT})
    @in_worker_thread
    def correct(self, request: Request, ctx: NamedDependency[RequestContext], entry_id: FromPath[int],
                data: FormData) -> Response:
        db, data = ctx.db, clean(data)
        entry = self._entry(ctx, entry_id)
        try:
            new = diarium.correct(db, ctx.access.tenant, ctx.user, entry, diarium.CorrectionInput.from_form(data))
        except ValidationError as exc:
            return self._form(request, ctx, entry, status_code=422, values=data, errors=exc.errors)
        return Redirect(f"/k/{ctx.access.tenant.code}/diarium/?rattad={new.entry_no}", status_code=303)


@get("/portal/diarium/{code:str}", include_in_schema=False, opt={"requires": Requires.ANYONE})
@in_worker_thread
def public_list(request: Request, ctx: NamedDependency[RequestContext], code: FromPath[str]) -> Response:
    """Anyone may see what a tenant has registered (allmänna handlingar):
    the number, the date, the matter, and, unless secrecy covers it, what the
    document concerns and who sent or received it."""
    db = ctx.db
    tenant = tenants.get_by_code(db, code)
    if tenant is None:
        raise NotFoundException()
    filters, raw, errors = filters_from(request.query_params, public=True)
    with within(db, Scope.of_tenant(tenant.id)):
        rows, total = diarium.entries(db, tenant, filters) if not errors else ([], 0)
    return page(request, "portal/diarium.html", block="results", place=tenant, rows=rows, total=total,
                filters=filters, raw=raw, errors=errors, directions=DIRECTIONS,
                pages=max(1, -(-total // diarium.PAGE_SIZE)), query=lambda **c: _query_string(raw, **c))
