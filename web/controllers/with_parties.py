"""The staff's side of what a partnership shares with its idéburna parties:
which decisions, meetings and documents they see in the portal, the requests
for documents sent to them, and the conversation with them."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.models import Decision, Document, Meeting, Organisation, Partnership
from core.models.request import REQUEST_STATUSES
from core.services import ConflictError, ValidationError, messages, requests, sharing
from core.process import ProcessDefinition
from core.services.permissions import EDIT
from core.values import parse_int
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean
from web.partnership_page import get_partnership, process_for
from web.rendering import page


def _parties(db: Session, p: Partnership) -> dict[int, str]:
    """The partnership's idéburna parties' organisations, by id."""
    ids = [party.organisation_id for party in p.parties if party.organisation_id]
    return dict(db.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
                           .order_by(Organisation.name)).all())


def _kinds(process: ProcessDefinition | None) -> dict[str, str]:
    return {k.key: k.title for k in process.document_kinds} if process else {}


def _render(request: Request, ctx: RequestContext, p: Partnership, *, status_code: int = 200,
            values: dict | None = None, errors: dict | None = None, message: dict | None = None,
            refusal: str = "") -> Response:
    db, access = ctx.db, ctx.access
    tenant = access.tenant
    process = process_for(request, access, p)
    chosen = sharing.choices(db, tenant, p)

    def items(kind, *order):
        model = sharing.ITEMS[kind]
        rows = db.scalars(select(model).where(model.tenant_id == tenant.id, model.partnership_id == p.id)
                          .order_by(*order)).all()
        return [(row, sharing.is_shared(chosen, kind, row.id)) for row in rows]

    def step_title(d: Decision) -> str:
        step = process.step(d.step_key) if process else None
        outcome = next((o for o in step.outcomes if o.key == d.outcome_key), None) if step else None
        return f"{step.title if step else 'Beslut'}{': ' + outcome.title if outcome else ''}"

    def meeting_title(m: Meeting) -> str:
        rule = process.meeting_rule(m.kind) if process else None
        return rule.title if rule else "Möte"

    kinds = _kinds(process)
    parties = _parties(db, p)
    # The kinds the organisation gives by filling in a form in the portal.
    org_forms = {k: f.title for k in kinds if process and (f := process.organisation_form(k)) is not None}
    options = [(k, f"{t} (formulär i portalen)" if k in org_forms else t) for k, t in kinds.items()]
    return page(request, "workspace/with_parties.html", status_code=status_code, access=access, tenant=tenant, p=p,
                decisions=items("decision", Decision.decided_at.desc(), Decision.id.desc()),
                meetings=items("meeting", Meeting.held_on.desc(), Meeting.id.desc()),
                documents=items("document", Document.uploaded_at.desc(), Document.id.desc()),
                step_title=step_title, meeting_title=meeting_title, doc_title=lambda d: d.title, parties=parties, kinds=options,
                org_forms=org_forms,
                asked=requests.for_partnership(db, tenant, p), statuses=REQUEST_STATUSES,
                conversation=messages.conversation(db, p.id), can_edit=access.can(EDIT),
                values=values or {}, errors=errors or {}, message=message or {}, refusal=refusal,
                labels=requests.LABELS, today=clock.today(), saved=request.query_params.get("sparat"))


class WithPartiesController(Controller):
    path = "/k/{code:str}/partnerskap/{partnership_id:int}/parter"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    def _back(self, ctx: RequestContext, p: Partnership, saved: str, anchor: str) -> Redirect:
        return Redirect(f"/k/{ctx.access.tenant.code}/partnerskap/{p.id}/parter?sparat={saved}#{anchor}",
                        status_code=303)

    @get("/")
    @in_worker_thread
    def index(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int]) -> Response:
        return _render(request, ctx, get_partnership(ctx.db, ctx.access, partnership_id))

    @post("/dela", opt={"permission": EDIT})
    @in_worker_thread
    def share(self, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int], data: FormData) -> Response:
        data = clean(data)
        p = get_partnership(ctx.db, ctx.access, partnership_id)
        item_id = parse_int(data.get("id"), lowest=1)
        shown = data.get("shared") == "1"
        if item_id is None or not sharing.set_shared(ctx.db, ctx.access.tenant, ctx.user, p, data.get("kind", ""),
                                                     item_id, shown):
            raise NotFoundException()
        return self._back(ctx, p, "delat" if shown else "dolt", "delat")

    @post("/begaran", opt={"permission": EDIT})
    @in_worker_thread
    def ask(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
            data: FormData) -> Response:
        db, data = ctx.db, clean(data)
        p = get_partnership(db, ctx.access, partnership_id)
        try:
            form = requests.RequestInput.from_form(data, kinds=_kinds(process_for(request, ctx.access, p)),
                                                   parties=_parties(db, p), today=clock.today())
            requests.ask(db, ctx.access.tenant, ctx.user, p, form, base_url=ctx.settings.base_url)
        except ValidationError as exc:
            db.rollback()
            return _render(request, ctx, get_partnership(db, ctx.access, partnership_id), status_code=422,
                           values=data, errors=exc.errors)
        return self._back(ctx, p, "begaran", "begaranden")

    @post("/begaran/{request_id:int}/aterkalla", opt={"permission": EDIT})
    @in_worker_thread
    def withdraw(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                 request_id: FromPath[int]) -> Response:
        db = ctx.db
        p = get_partnership(db, ctx.access, partnership_id)
        req = requests.get(db, ctx.access.tenant, p, request_id)
        if req is None:
            raise NotFoundException()
        try:
            requests.withdraw(db, ctx.access.tenant, ctx.user, req)
        except ConflictError as exc:
            db.rollback()
            return _render(request, ctx, get_partnership(db, ctx.access, partnership_id), status_code=409,
                           refusal=str(exc))
        return self._back(ctx, p, "aterkallad", "begaranden")

    @post("/meddelanden", opt={"permission": EDIT})
    @in_worker_thread
    def send(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
             data: FormData) -> Response:
        db, data = ctx.db, clean(data)
        p = get_partnership(db, ctx.access, partnership_id)
        try:
            messages.send(db, partnership=p, author=ctx.user, organisation=None, body=data.get("body", ""),
                          base_url=ctx.settings.base_url)
        except ValidationError as exc:
            db.rollback()
            return _render(request, ctx, get_partnership(db, ctx.access, partnership_id), status_code=422,
                           message={"body": data.get("body", ""), "errors": exc.errors})
        return self._back(ctx, p, "meddelande", "meddelanden")
