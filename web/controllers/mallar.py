"""The kommun's mallar as documents (core.mallar, core.services.mall_documents):
blank ones to download from the process page and, for those the organisation
fills in, from the portal; on a partnership, staff fill one in, download it
as PDF or Word, and make it the partnership's document."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response

from core import mallar
from core.forms import motivation_key, unanswered
from core.plugin_api import TemplateRef
from core.services import ConflictError, ValidationError, mall_documents, tenants
from core.services.permissions import EDIT
from core.values import parse_int
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean
from web.partnership_page import get_partnership
from web.rendering import page

FORMATS = {"pdf": (mallar.PDF_TYPE, "pdf"), "word": (mallar.DOCX_TYPE, "docx")}


def download(content: bytes, fmt: str, name: str) -> Response:
    media_type, extension = FORMATS[fmt]
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}.{extension}"', "X-Content-Type-Options": "nosniff"})


def render(fmt: str, mall: TemplateRef, processes, context) -> bytes:
    if fmt not in FORMATS:
        raise NotFoundException()
    return (mallar.render_pdf if fmt == "pdf" else mallar.render_docx)(mall, processes, context)


def _mall(ctx: RequestContext, key: str) -> TemplateRef:
    mall = mall_documents.find(ctx.access.kommun, key)
    if mall is None:
        raise NotFoundException()
    return mall


class BlankMallController(Controller):
    path = "/k/{code:str}/mallar"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    @get("/{key:str}/{fmt:str}")
    @in_worker_thread
    def blank(self, ctx: NamedDependency[RequestContext], key: FromPath[str], fmt: FromPath[str]) -> Response:
        mall = _mall(ctx, key)
        processes = mall_documents.processes_for(ctx.registry, ctx.access.kommun)
        context = mall_documents.blank_context(ctx.access.tenant, ctx.access.kommun)
        return download(render(fmt, mall, processes, context), fmt, mall.key)


class CaseMallController(Controller):
    path = "/k/{code:str}/partnerskap/{partnership_id:int}/mallar"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    def _page(self, request: Request, ctx: RequestContext, p, mall: TemplateRef, *, status_code: int = 200,
              values: dict | None = None, errors: dict | None = None, conflict: bool = False,
              saved: str = "") -> Response:
        db, access = ctx.db, ctx.access
        processes = mall_documents.processes_for(ctx.registry, access.kommun)
        form = mallar.as_form(mall, mallar.fields_of(mall, processes))
        row = mall_documents.saved(db, access.tenant, p, mall)
        if values is None:
            values = mall_documents.initial_answers(db, access.tenant, p, mall, processes)
        return page(request, "workspace/mall_form.html", status_code=status_code, access=access,
                    tenant=access.tenant, p=p, mall=mall, form=form, values=values, errors=errors or {},
                    version=row.version if row else 0, missing=unanswered(form, values), conflict=conflict,
                    saved=saved, motivation_key=motivation_key, editable=access.can(EDIT))

    @get("/{key:str}")
    @in_worker_thread
    def fill(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
             key: FromPath[str]) -> Response:
        p = get_partnership(ctx.db, ctx.access, partnership_id)
        return self._page(request, ctx, p, _mall(ctx, key), saved=request.query_params.get("sparat", ""))

    @post("/{key:str}", opt={"permission": EDIT})
    @in_worker_thread
    def save(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
             key: FromPath[str], data: FormData) -> Response:
        db, access, data = ctx.db, ctx.access, clean(data)
        p = get_partnership(db, access, partnership_id)
        mall = _mall(ctx, key)
        processes = mall_documents.processes_for(ctx.registry, access.kommun)
        version = parse_int(data.get("version"), lowest=0)
        try:
            mall_documents.save(db, access.tenant, ctx.user, p, mall, processes, data,
                                version if version is not None else -1)
            if data.get("atgard") == "skapa":
                mall_documents.produce(db, ctx.settings.documents_dir, access.tenant, ctx.user, access.kommun, p,
                                       mall, processes)
        except ConflictError:
            db.rollback()
            return self._page(request, ctx, get_partnership(db, access, partnership_id), mall, status_code=409,
                              values=data, conflict=True)
        except ValidationError as exc:
            db.rollback()
            return self._page(request, ctx, get_partnership(db, access, partnership_id), mall, status_code=422,
                              values=data, errors=exc.errors)
        if data.get("atgard") == "skapa":
            return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}?sparad=mall#dokument", status_code=303)
        return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}/mallar/{mall.key}?sparat=1", status_code=303)

    @get("/{key:str}/{fmt:str}")
    @in_worker_thread
    def filled(self, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int], key: FromPath[str],
               fmt: FromPath[str]) -> Response:
        """The mall with the answers saved so far, to read or go on editing in Word."""
        db, access = ctx.db, ctx.access
        p = get_partnership(db, access, partnership_id)
        mall = _mall(ctx, key)
        processes = mall_documents.processes_for(ctx.registry, access.kommun)
        answers = mall_documents.initial_answers(db, access.tenant, p, mall, processes)
        context = mall_documents.case_context(db, access.tenant, access.kommun, p, answers)
        return download(render(fmt, mall, processes, context), fmt, mall.key)


@get("/portal/mallar/{code:str}/{key:str}/{fmt:str}", include_in_schema=False, opt={"requires": Requires.ANYONE})
@in_worker_thread
def portal_blank(ctx: NamedDependency[RequestContext], code: FromPath[str], key: FromPath[str],
                 fmt: FromPath[str]) -> Response:
    """A blank mall the organisation fills in (a budget, a yearly report), for
    anyone who will apply or report to the kommun."""
    db = ctx.db
    tenant = tenants.get_by_code(db, code)
    if tenant is None:
        raise NotFoundException()
    kommun = tenants.kommun_for_outsider(db, ctx.registry, tenant)
    mall = mall_documents.find(kommun, key)
    if mall is None or mall.filled_by != "organisation":
        raise NotFoundException()
    processes = mall_documents.processes_for(ctx.registry, kommun)
    return download(render(fmt, mall, processes, mall_documents.blank_context(tenant, kommun)), fmt, mall.key)
