"""A tenant's staff workspace: its partnerships, their documents, its process."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.di import NamedDependency
from litestar.datastructures import UploadFile
from litestar.response import File, Redirect, Response
from sqlalchemy.orm import Session

from core import clock
from core.models import PartnershipStatus
from core.models.partnership import CONTRIBUTION_KINDS
from core.services import (ConflictError, ValidationError, coordinators, deadlines, documents, messages,
                           organisations, partnerships)
from core.services.casework import newest_process
from core.inputs import COUNTED, MAX_IDEBURNA, PartnershipInput, PartySlot, ideburen_slots, slots_in
from core.services.partnerships import RELEVANCE, SORTS
from core.services.permissions import CREATE, EDIT, Access
from web import page_cache, partnership_page
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, UploadData, clean, number, uploaded
from web.partnership_page import DocForm, get_partnership, person_of
from web.rendering import attachment, page

STATUSES = [(s.value, s.label) for s in PartnershipStatus]


FIELD_LABELS = {"title": "Titel", "samhallsutmaning": "Samhällsutmaning", "goals": "Mål", "target_group": "Målgrupp",
                "period_start": "Startdatum", "period_end": "Slutdatum", "initiated_on": "Initiativet kom in"}


def _labels(slots: list[PartySlot]) -> dict[str, str]:
    """What the error summary calls each field, the numbered parties included."""
    labels = dict(FIELD_LABELS)
    for slot in [PartySlot("offentlig"), *slots]:
        party = "Offentlig part" if slot.role == "offentlig" else (
            "Idéburen part" if len(slots) == 1 else f"Idéburen part {slot.number}")
        labels[slot.organisation_field] = party
        for kind, (kind_label, _) in CONTRIBUTION_KINDS.items():
            labels[f"{slot.prefix}_{kind}_amount"] = f"{party}, {kind_label.lower()}"
            labels[f"{slot.prefix}_{kind}_text"] = f"{party}, {kind_label.lower()}"
    return labels


def _form_context(db: Session, access: Access, parties: int = 1) -> dict:
    slots = ideburen_slots(parties)
    return {
        "statuses": STATUSES,
        "organisations": organisations.list_organisations(db, access.tenant),
        "contribution_kinds": CONTRIBUTION_KINDS,
        "counted": COUNTED,
        "slots": slots,
        "max_parties": MAX_IDEBURNA,
        "labels": _labels(slots),
    }


def _adding_a_party(data: dict[str, str]) -> bool:
    """The form's "add another idéburen party" button: show one more, save nothing."""
    return data.get("atgard") == "ny-part"


def _deadlines(db: Session, access: Access, scope: str, page: int) -> dict:
    """The overview starts with the signed-in user's own deadlines; a role
    that owns no step (a nämnd member, say) sees the whole tenant's. It reads
    the stored state, a page at a time (core.services.deadlines)."""
    today = clock.today()
    person = person_of(access)
    own_count, all_count = deadlines.counts_mine_and_all(db, access.tenant, today, person)
    scope = scope if scope in ("mina", "alla") else ("mina" if own_count.total else "alla")
    mine = scope == "mina"
    shown = deadlines.overview(db, access.tenant, today, person=person if mine else None,
                               page=page, counted=own_count if mine else all_count)
    coordinated, coordinated_total = coordinators.coordinated_by(db, access.tenant, access.user.id)
    asked, asked_total = (messages.awaiting_reply(db, access.tenant, person) if mine
                          else ([], messages.count_awaiting_reply(db, access.tenant, person)))
    return {"deadlines": shown, "deadline_items": shown.items, "deadline_scope": scope,
            "own_count": own_count.total, "all_count": all_count.total, "today": today,
            "coordinated": coordinated, "coordinated_total": coordinated_total,
            "asked": asked, "asked_total": asked_total}


class WorkspaceController(Controller):
    path = "/k/{code:str}"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    # Pages marked page_cache are kept as rendered until the tenant's data
    # moves (web.page_cache): they depend only on the session, the query,
    # htmx's target, the day and the database, and viewing them writes nothing.
    @get("/", opt={page_cache.OPT: True})
    @in_worker_thread
    def index(
        self,
        request: Request,
        ctx: NamedDependency[RequestContext],
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        sort: FromQuery[str] = "",
        dir: FromQuery[str] = "",
        sida: FromQuery[str] = "1",
        frister: FromQuery[str] = "",
        fsida: FromQuery[str] = "1",
    ) -> Response:
        db, access = ctx.db, ctx.access
        # htmx asks for one region at a time: the live search for the list, the
        # tabs for the deadlines. Compute only what the response renders.
        target = request.htmx.target if request.htmx else None
        block = target if target in ("results", "frister") else None
        context: dict = {"q": q, "status": status, "sort": sort, "dir": dir, "statuses": STATUSES, "today": clock.today()}
        # A search comes best match first, until a column is chosen.
        context["active_sort"] = sort if sort in SORTS else (RELEVANCE if q.strip() else "andrad")
        if block != "frister":
            context["result"] = partnerships.list_partnerships(
                db, access.tenant, query=q, status=status, sort=context["active_sort"],
                descending={"asc": False, "desc": True}.get(dir), page=number(sida, 1),
            )
        if block != "results":
            context.update(_deadlines(db, access, frister, number(fsida, 1)))
            # The navigation's count is what this page has just counted: no second count.
            waiting = context["own_count"] + context["asked_total"]
            request.state.waiting = lambda: waiting
        return page(request, "workspace/index.html", block=block, access=access, tenant=access.tenant, **context)

    @get("/partnerskap/ny", opt={"permission": CREATE})
    @in_worker_thread
    def new_partnership(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        db, access = ctx.db, ctx.access
        return page(request, "workspace/partnership_form.html", access=access, tenant=access.tenant, partnership=None,
                    values={"initiated_on": clock.today().isoformat()}, errors={}, **_form_context(db, access))

    @post("/partnerskap/ny", opt={"permission": CREATE})
    @in_worker_thread
    def create_partnership(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        db, access = ctx.db, ctx.access
        data = clean(data)
        if _adding_a_party(data):
            return page(request, "workspace/partnership_form.html", access=access, tenant=access.tenant,
                        partnership=None, values=data, errors={}, **_form_context(db, access, slots_in(data) + 1))
        try:
            p = partnerships.create_partnership(db, access.tenant, access.user,
                                                PartnershipInput.from_form(data, clock.today()),
                                                process=newest_process(request.app.state.ctx.registry, access.kommun))
        except ValidationError as exc:
            db.rollback()
            return page(request, "workspace/partnership_form.html", status_code=422, access=access,
                        tenant=access.tenant, partnership=None, values=data, errors=exc.errors,
                        **_form_context(db, access, slots_in(data)))
        return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}?sparad=1", status_code=303)

    @get("/partnerskap/{partnership_id:int}", opt={page_cache.OPT: True})
    @in_worker_thread
    def view_partnership(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int]) -> Response:
        db, access = ctx.db, ctx.access
        p = get_partnership(db, access, partnership_id)
        return partnership_page.render(request, db, access, p, saved=request.query_params.get("sparad"))

    @get("/partnerskap/{partnership_id:int}/andra", opt={"permission": EDIT})
    @in_worker_thread
    def edit_partnership(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int]) -> Response:
        db, access = ctx.db, ctx.access
        p = get_partnership(db, access, partnership_id)
        return page(request, "workspace/partnership_form.html", access=access, tenant=access.tenant, partnership=p,
                    values=partnerships.form_values(p), version=p.version, errors={},
                    **_form_context(db, access, sum(party.role == "ideburen" for party in p.parties)))

    @post("/partnerskap/{partnership_id:int}/andra", opt={"permission": EDIT})
    @in_worker_thread
    def update_partnership(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int], data: FormData) -> Response:
        db, access = ctx.db, ctx.access
        data = clean(data)
        p = get_partnership(db, access, partnership_id)
        expected = number(data.get("version"), -1)
        if _adding_a_party(data):
            return page(request, "workspace/partnership_form.html", access=access, tenant=access.tenant, partnership=p,
                        values=data, version=expected, errors={}, **_form_context(db, access, slots_in(data) + 1))
        try:
            partnerships.update_partnership(db, access.tenant, access.user, p,
                                            PartnershipInput.from_form(data, clock.today()), expected)
        except (ValidationError, ConflictError) as exc:
            db.rollback()
            conflict = isinstance(exc, ConflictError)
            current = get_partnership(db, access, partnership_id)
            return page(request, "workspace/partnership_form.html", status_code=409 if conflict else 422,
                        access=access, tenant=access.tenant, partnership=current, values=data,
                        version=expected, errors={} if conflict else exc.errors, conflict=conflict,
                        **_form_context(db, access, slots_in(data)))
        return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}?sparad=1", status_code=303)

    @post("/partnerskap/{partnership_id:int}/dokument", opt={"permission": EDIT})
    @in_worker_thread
    def upload_document(
        self,
        request: Request,
        ctx: NamedDependency[RequestContext],
        partnership_id: FromPath[int],
        data: UploadData,
    ) -> Response:
        db, access = ctx.db, ctx.access
        p = get_partnership(db, access, partnership_id)
        kinds = {key for key, _ in partnership_page.document_kinds(partnership_page.process_for(request, access, p))}
        upload = data.get("file")
        content = uploaded(upload)
        filename = upload.filename if isinstance(upload, UploadFile) else ""
        try:
            documents.store_document(
                db, request.app.state.ctx.settings.documents_dir, access.tenant, access.user, partnership=p,
                kind=str(data.get("kind") or ""), title=str(data.get("title") or ""),
                filename=filename or "", content=content, kinds=kinds, secrecy=str(data.get("secrecy") or ""),
            )
        except ValidationError as exc:
            db.rollback()
            return partnership_page.render(request, db, access, p, status_code=422, doc_form=DocForm(
                errors=exc.errors, title=str(data.get("title") or ""), kind=str(data.get("kind") or ""),
                secrecy=str(data.get("secrecy") or "")))
        return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}#dokument", status_code=303)

    @get("/dokument/{document_id:int}")
    @in_worker_thread
    def download_document(self, request: Request, ctx: NamedDependency[RequestContext], document_id: FromPath[int]) -> File:
        db, access = ctx.db, ctx.access
        doc = documents.get_document(db, access.tenant, document_id)
        return attachment(doc and documents.document_path(ctx.settings.documents_dir, doc), doc)
