"""The self-service portal for idéburna organisationer: a representative follows
their organisation's partnerships with every kommun, and the organisation's
representatives manage who else acts for it."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.datastructures import UploadFile
from litestar.response import File, Redirect, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Document, DocumentRequest, Organisation, Partnership, Party, Representative, Tenant, User
from core.models.application import DRAFT
from core.models.library import LIBRARY_KINDS
from core.models.organisation import CAPACITIES
from core import clock
from core.services import ConflictError, ValidationError, agreements, applications, documents, following, library, \
    messages, partnerships, representatives, requests, tenants
from core.forms import display_answer, motivation_key
from core.services.casework import newest_process
from core.tenancy import Scope, set_scope
from core.values import parse_int
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, UploadData, clean, uploaded
from web.rendering import attachment, page

INVITE_LABELS = {"name": "Namn", "email": "E-postadress", "capacity": "Roll i organisationen"}
LIBRARY_LABELS = {"kind": "Slags dokument", "year": "År", "title": "Rubrik", "file": "Fil"}


def _own(ctx: RequestContext) -> Organisation:
    """The organisation the signed-in user represents; 404 for anyone else."""
    if ctx.organisation is None:
        raise NotFoundException()
    return ctx.organisation


def representative_or_404(db: Session, organisation: Organisation, representative_id: int) -> Representative:
    """A representative (or claim) of this organisation; 404 for any other."""
    rep = db.get(Representative, representative_id)
    if rep is None or rep.organisation_id != organisation.id:
        raise NotFoundException()
    return rep


def representatives_context(db: Session, organisation: Organisation, user: User, *, action: str,
                            values: dict | None = None, errors: dict | None = None) -> dict:
    """What portal/_representatives.html shows: the list of representatives
    and the invitation form, in the portal and on the staff's organisation
    page alike (``action`` is where its forms post)."""
    return {"people": representatives.listed(db, organisation), "me": user, "action": action,
            "capacities": CAPACITIES, "values": values or {}, "errors": errors or {}, "labels": INVITE_LABELS}


def representatives_page(request: Request, db: Session, organisation: Organisation, user: User, *,
                         status_code: int = 200, values: dict | None = None, errors: dict | None = None,
                         **extra) -> Response:
    return page(request, "portal/representatives.html", status_code=status_code, organisation=organisation,
                **representatives_context(db, organisation, user, action="/portal/foretradare", values=values,
                                          errors=errors), **extra)


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
        to_do = requests.open_count(db, organisation) if organisation is not None else {}
        return page(request, "portal/index.html", organisation=organisation, cases=cases, waiting=waiting,
                    to_do=to_do)

    @get("/foretradare")
    @in_worker_thread
    def people(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        return representatives_page(request, ctx.db, _own(ctx), ctx.user, rep_saved=request.query_params.get("sparat"))

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
            return representatives_page(request, ctx.db, organisation, ctx.user, status_code=422, values=data,
                                        errors=exc.errors)
        return Redirect("/portal/foretradare?sparat=inbjuden", status_code=303)

    @post("/foretradare/{representative_id:int}/godkann")
    @in_worker_thread
    def approve(self, ctx: NamedDependency[RequestContext], representative_id: FromPath[int]) -> Response:
        organisation = _own(ctx)
        rep = representative_or_404(ctx.db, organisation, representative_id)
        representatives.approve(ctx.db, rep, ctx.user, ctx.settings.base_url)
        return Redirect("/portal/foretradare?sparat=godkand", status_code=303)

    @post("/foretradare/{representative_id:int}/ta-bort")
    @in_worker_thread
    def remove(self, ctx: NamedDependency[RequestContext], representative_id: FromPath[int]) -> Response:
        organisation = _own(ctx)
        rep = representative_or_404(ctx.db, organisation, representative_id)
        if rep.user_id == ctx.user.id:
            raise NotFoundException()  # the page offers no such button: you cannot remove yourself
        representatives.remove(ctx.db, rep, ctx.user)
        return Redirect("/portal/foretradare?sparat=borttagen", status_code=303)

    @get("/dokument")
    @in_worker_thread
    def library_page(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        return self._library(request, ctx, saved=request.query_params.get("sparat"))

    def _library(self, request: Request, ctx: RequestContext, *, status_code: int = 200, values=None, errors=None,
                 saved=None) -> Response:
        organisation = _own(ctx)
        return page(request, "portal/library.html", status_code=status_code, organisation=organisation,
                    docs=library.listed(ctx.db, organisation), kinds=LIBRARY_KINDS, values=values or {},
                    errors=errors or {}, labels=LIBRARY_LABELS, saved=saved, max_mb=documents.MAX_BYTES // 2**20)

    @post("/dokument")
    @in_worker_thread
    def upload(self, request: Request, ctx: NamedDependency[RequestContext], data: UploadData) -> Response:
        organisation = _own(ctx)
        upload = data.get("file")
        content = uploaded(upload)
        fields = {k: str(data.get(k) or "") for k in ("kind", "year", "title")}
        try:
            library.add(ctx.db, ctx.settings.documents_dir, organisation, ctx.user,
                        filename=upload.filename if isinstance(upload, UploadFile) else "", content=content, **fields)
        except ValidationError as exc:
            ctx.db.rollback()
            return self._library(request, ctx, status_code=422, values=clean(fields), errors=exc.errors)
        return Redirect("/portal/dokument?sparat=uppladdat", status_code=303)

    @get("/dokument/{document_id:int}")
    @in_worker_thread
    def download(self, ctx: NamedDependency[RequestContext], document_id: FromPath[int]) -> File:
        doc = library.get(ctx.db, _own(ctx), document_id)
        return attachment(doc and library.path_of(ctx.settings.documents_dir, doc), doc)

    @post("/dokument/{document_id:int}/ta-bort")
    @in_worker_thread
    def remove_document(self, ctx: NamedDependency[RequestContext], document_id: FromPath[int]) -> Response:
        doc = library.get(ctx.db, _own(ctx), document_id)
        if doc is None:
            raise NotFoundException()
        library.remove(ctx.db, ctx.settings.documents_dir, doc, ctx.user)
        return Redirect("/portal/dokument?sparat=borttaget", status_code=303)

    # ---------------------------------------------------------------- intresseanmälan

    @get("/ansokan")
    @in_worker_thread
    def applications_page(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        organisation = _own(ctx)
        return page(request, "portal/applications.html", organisation=organisation,
                    applications=applications.listed(ctx.db, organisation), places=applications.receiving(ctx.db),
                    errors={})

    @post("/ansokan")
    @in_worker_thread
    def new_application(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        organisation, data = _own(ctx), clean(data)
        places = applications.receiving(ctx.db)
        tenant = next((t for t in places if t.code == data.get("tenant", "")), None)
        if tenant is None:
            return page(request, "portal/applications.html", status_code=422, organisation=organisation,
                        applications=applications.listed(ctx.db, organisation), places=places,
                        errors={"tenant": "Välj vilken kommun eller stadsdel intresseanmälan gäller."})
        application = applications.start(ctx.db, organisation, ctx.user, tenant)
        return Redirect(f"/portal/ansokan/{application.id}", status_code=303)

    def _application_page(self, request: Request, ctx: RequestContext, application, *, status_code: int = 200,
                          values: dict | None = None, errors: dict | None = None) -> Response:
        db = ctx.db
        tenant = db.get(Tenant, application.addressed_to_id)
        process = self._process_of(ctx, tenant)
        needed = applications.required_documents(process)
        if errors is None and request.query_params.get("saknas") and application.status == DRAFT:
            errors = applications.missing(db, application, tenant, process)
        have = applications.attached(db, application)
        if values is None:
            values = {f: getattr(application, f) for f in applications.TEXTS}
            values.update({f: getattr(application, f).isoformat() if getattr(application, f) else ""
                           for f in ("period_start", "period_end")})
            values.update({f"dokument_{kind}": str(doc.id) for kind, doc in have.items()})
            values.update(applications.answers_as_values(application))
        docs = library.listed(db, _own(ctx))
        asked = applications.questions(process)
        return page(request, "portal/application.html", status_code=status_code, application=application,
                    tenant=None, place=tenant, needed=needed, have=have, docs=docs, values=values,
                    errors=errors or {}, labels={**applications.LABELS,
                                                 **{f"dokument_{k}": t for k, t in needed},
                                                 **{f.key: f.label for f in asked},
                                                 **{motivation_key(f): f"Motivering: {f.label}" for f in asked}},
                    asked=asked, motivation_key=motivation_key, display_answer=display_answer,
                    saved=request.query_params.get("sparat"))

    def _process_of(self, ctx: RequestContext, tenant):
        return newest_process(ctx.app.registry, tenants.kommun_for_outsider(ctx.db, ctx.app.registry, tenant,
                                                                          ctx.app.tenant_config))

    @get("/ansokan/{application_id:int}")
    @in_worker_thread
    def application(self, request: Request, ctx: NamedDependency[RequestContext],
                    application_id: FromPath[int]) -> Response:
        found = applications.get(ctx.db, _own(ctx), application_id)
        if found is None:
            raise NotFoundException()
        return self._application_page(request, ctx, found)

    @post("/ansokan/{application_id:int}")
    @in_worker_thread
    def save_application(self, request: Request, ctx: NamedDependency[RequestContext],
                         application_id: FromPath[int], data: FormData) -> Response:
        db, data = ctx.db, clean(data)
        found = applications.get(db, _own(ctx), application_id)
        if found is None:
            raise NotFoundException()
        tenant = db.get(Tenant, found.addressed_to_id)
        process = self._process_of(ctx, tenant)
        try:
            applications.save(db, found, data, [k for k, _ in applications.required_documents(process)],
                              applications.questions(process))
        except ValidationError as exc:
            db.rollback()
            found = applications.get(db, _own(ctx), application_id)
            return self._application_page(request, ctx, found, status_code=422, values=data, errors=exc.errors)
        if data.get("atgard") == "skicka":
            if applications.missing(db, found, tenant, process):
                # The draft is saved all the same; the page says what is missing.
                return Redirect(f"/portal/ansokan/{found.id}?sparat=utkast&saknas=1", status_code=303)
            applications.submit(db, ctx.app.registry, found, ctx.user, documents_dir=ctx.settings.documents_dir,
                                base_url=ctx.settings.base_url, today=clock.today())
            return Redirect(f"/portal/ansokan/{found.id}?sparat=skickad", status_code=303)
        return Redirect(f"/portal/ansokan/{found.id}?sparat=utkast", status_code=303)

    # ---------------------------------------------------------------- following a case

    def _partnership(self, ctx: RequestContext, partnership_id: int) -> Partnership:
        _own(ctx)
        p = following.partnership_of(ctx.db, partnership_id)
        if p is None:
            raise NotFoundException()
        return p

    def _case_page(self, request: Request, ctx: RequestContext, p: Partnership, *, status_code: int = 200,
                   failed: dict | None = None, message: dict | None = None, agreement_message: str = "",
                   agreement_check: str = "") -> Response:
        """``failed``: an answer that was refused (request id, errors);
        ``message``: a message that was refused (body, errors)."""
        case = following.case_for(ctx.db, ctx.app.registry, ctx.organisation, p, clock.today(), ctx.app.tenant_config)
        return page(request, "portal/case.html", status_code=status_code, case=case, organisation=ctx.organisation,
                    today=clock.today(), failed=failed or {}, message=message or {}, me=ctx.user,
                    saved=request.query_params.get("sparat"), max_mb=documents.MAX_BYTES // 2**20,
                    agreement_message=agreement_message, agreement_check=agreement_check,
                    is_signatory=bool((rep := representatives.representative_of(ctx.db, ctx.user)) and rep.is_signatory))

    def _refused(self, ctx: RequestContext) -> None:
        """After a refused change: nothing of it is kept, and the page is read
        in the representative's own scope again (an answer or a message
        switches to the tenant's scope to write)."""
        ctx.db.rollback()
        set_scope(ctx.db, Scope.of_organisation(ctx.organisation.id))

    @get("/partnerskap/{partnership_id:int}")
    @in_worker_thread
    def case(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int]) -> Response:
        return self._case_page(request, ctx, self._partnership(ctx, partnership_id))

    @get("/partnerskap/{partnership_id:int}/dokument/{document_id:int}")
    @in_worker_thread
    def shared_document(self, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                        document_id: FromPath[int]) -> File:
        p = self._partnership(ctx, partnership_id)
        # The scope shows only documents shared with the parties.
        doc = ctx.db.scalar(select(Document).where(Document.id == document_id, Document.partnership_id == p.id))
        return attachment(doc and documents.document_path(ctx.settings.documents_dir, doc), doc)

    def _request(self, ctx: RequestContext, p: Partnership, request_id: int) -> DocumentRequest:
        # The scope shows only requests to the representative's own organisation.
        req = ctx.db.scalar(select(DocumentRequest).where(DocumentRequest.id == request_id,
                                                          DocumentRequest.partnership_id == p.id))
        if req is None:
            raise NotFoundException()
        return req

    def _request_form(self, ctx: RequestContext, p: Partnership, req: DocumentRequest):
        process = following.process_for(ctx.db, ctx.app.registry, p, ctx.app.tenant_config)
        form = process.organisation_form(req.kind) if process else None
        if form is None:
            raise NotFoundException()  # answered with a file, on the case's page
        return form

    def _form_page(self, request: Request, ctx: RequestContext, p: Partnership, req: DocumentRequest, form, *,
                   status_code: int = 200, values: dict | None = None, errors: dict | None = None) -> Response:
        if errors is None and request.query_params.get("saknas") and req.status == "oppen":
            errors = requests.missing_answers(form, req.answers or {})
        return page(request, "portal/request_form.html", status_code=status_code, p=p, req=req, form=form,
                    values=req.answers if values is None else values, errors=errors or {},
                    saved=request.query_params.get("sparat"), motivation_key=motivation_key,
                    display_answer=display_answer)

    @get("/partnerskap/{partnership_id:int}/begaran/{request_id:int}/formular")
    @in_worker_thread
    def request_form(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                     request_id: FromPath[int]) -> Response:
        p = self._partnership(ctx, partnership_id)
        req = self._request(ctx, p, request_id)
        return self._form_page(request, ctx, p, req, self._request_form(ctx, p, req))

    @post("/partnerskap/{partnership_id:int}/begaran/{request_id:int}/formular")
    @in_worker_thread
    def answer_with_form(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                         request_id: FromPath[int], data: FormData) -> Response:
        p, data = self._partnership(ctx, partnership_id), clean(data)
        req = self._request(ctx, p, request_id)
        form = self._request_form(ctx, p, req)
        url = f"/portal/partnerskap/{p.id}/begaran/{req.id}/formular"
        rep = representatives.representative_of(ctx.db, ctx.user)
        signatory = rep is not None and rep.is_signatory
        try:
            missing = requests.save_answers(ctx.db, req, form, data)
            if data.get("atgard") == "skicka" and not missing:
                if form.signatory_only and not signatory:
                    # The draft is kept for the signatory to send.
                    return Redirect(f"{url}?sparat=firmatecknare", status_code=303)
                requests.send_answers(ctx.db, ctx.settings.documents_dir, req, form, ctx.user,
                                      is_signatory=signatory, base_url=ctx.settings.base_url)
                return Redirect(f"/portal/partnerskap/{p.id}?sparat=svar#begaranden", status_code=303)
        except ValidationError as exc:
            self._refused(ctx)
            p = self._partnership(ctx, partnership_id)
            return self._form_page(request, ctx, p, self._request(ctx, p, request_id), form, status_code=422,
                                   values=data, errors=exc.errors)
        except ConflictError:
            self._refused(ctx)
            return Redirect(f"/portal/partnerskap/{p.id}#begaranden", status_code=303)
        # Saved as a draft; sending what is not complete says what is missing.
        missing_flag = "&saknas=1" if data.get("atgard") == "skicka" else ""
        return Redirect(f"{url}?sparat=utkast{missing_flag}", status_code=303)

    @post("/partnerskap/{partnership_id:int}/begaran/{request_id:int}")
    @in_worker_thread
    def answer_request(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                       request_id: FromPath[int], data: UploadData) -> Response:
        p = self._partnership(ctx, partnership_id)
        req = self._request(ctx, p, request_id)
        upload = data.get("file")
        content = uploaded(upload)
        try:
            requests.answer(ctx.db, ctx.settings.documents_dir, req, ctx.user,
                            filename=upload.filename if isinstance(upload, UploadFile) else "", content=content,
                            base_url=ctx.settings.base_url)
        except ValidationError as exc:
            self._refused(ctx)
            return self._case_page(request, ctx, self._partnership(ctx, partnership_id), status_code=422,
                                   failed={"id": request_id, "errors": exc.errors})
        except ConflictError as exc:
            self._refused(ctx)
            return self._case_page(request, ctx, self._partnership(ctx, partnership_id), status_code=409,
                                   failed={"id": request_id, "errors": {"file": str(exc)}})
        return Redirect(f"/portal/partnerskap/{p.id}?sparat=svar#begaranden", status_code=303)

    @post("/partnerskap/{partnership_id:int}/overenskommelse/underskrift")
    @in_worker_thread
    def sign_agreement(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                       data: FormData) -> Response:
        """The organisation's authorised signatory signs the version in force
        (GEN-09, JV-11); it is recorded in the tenant's records, with every
        party of the partnership in view, so the last signature is seen as last."""
        db, data = ctx.db, clean(data)
        p = self._partnership(ctx, partnership_id)
        process = following.process_for(db, ctx.app.registry, p, ctx.app.tenant_config)
        if process is None or process.agreement is None:
            raise NotFoundException()
        tenant = db.get(Tenant, p.tenant_id)
        version_id = parse_int(data.get("version"), lowest=1)
        # What is signed, and every party to it, is read in the tenant's
        # records, where the signature is written (as an answer to a request is).
        try:
            set_scope(db, Scope.of_tenant(tenant.id))
            full = partnerships.get_partnership(db, tenant, p.id)
            version = next((v for v in agreements.versions(db, tenant, p.id) if v.id == version_id), None)
            if version is None:
                raise NotFoundException()
            signer = agreements.organisation_signer(db, full, ctx.user)
            agreements.sign(db, ctx.settings.documents_dir, tenant, full, process.agreement, version, signer,
                            data.get("sha256", ""))
        except (agreements.SigningRefused, ConflictError) as exc:
            self._refused(ctx)
            reason = str(exc) if isinstance(exc, agreements.SigningRefused) else "Ni har redan skrivit under."
            return self._case_page(request, ctx, self._partnership(ctx, partnership_id), status_code=403,
                                   agreement_message=reason)
        return Redirect(f"/portal/partnerskap/{p.id}?sparat=underskriven#overenskommelse", status_code=303)

    @post("/partnerskap/{partnership_id:int}/overenskommelse/kontroll")
    @in_worker_thread
    def check_agreement(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                        data: UploadData) -> Response:
        """Whether a file is exactly a decided version of the agreement, and who signed it."""
        p = self._partnership(ctx, partnership_id)
        result = agreements.describe_check(ctx.db, ctx.db.get(Tenant, p.tenant_id), p.id, uploaded(data.get("file")))
        return self._case_page(request, ctx, p, agreement_check=result)

    @post("/partnerskap/{partnership_id:int}/meddelanden")
    @in_worker_thread
    def send_message(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                     data: FormData) -> Response:
        p, data = self._partnership(ctx, partnership_id), clean(data)
        try:
            messages.send(ctx.db, partnership=p, author=ctx.user, organisation=ctx.organisation,
                          body=data.get("body", ""), base_url=ctx.settings.base_url)
        except ValidationError as exc:
            self._refused(ctx)
            return self._case_page(request, ctx, self._partnership(ctx, partnership_id), status_code=422,
                                   message={"body": data.get("body", ""), "errors": exc.errors})
        return Redirect(f"/portal/partnerskap/{p.id}?sparat=meddelande#meddelanden", status_code=303)
