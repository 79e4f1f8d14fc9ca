"""The agreement as decided and signed (core.services.agreements): the
kommun's signatory signs on the partnership page, the organisation's in the
portal; anyone with the case can check a file against the signed versions;
an ändring of the fixed terms is decided by the roles the process names."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response
from sqlalchemy.orm import Session

from core import mallar
from core.models import AgreementVersion, Document, Partnership, Tenant
from core.process import AgreementRule
from core.services import ConflictError, ValidationError, agreements, mall_documents
from core.services.agreements import SigningRefused
from core.values import parse_amount, parse_date, parse_int
from web import partnership_page
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, UploadData, clean, uploaded
from web.partnership_page import get_partnership, process_for


def _rule(request: Request, ctx: RequestContext, p: Partnership) -> AgreementRule:
    process = process_for(request, ctx.access, p)
    if process is None or process.agreement is None:
        raise NotFoundException()
    return process.agreement


def _version(session: Session, tenant: Tenant, p: Partnership, version_id: int | None) -> AgreementVersion:
    found = next((v for v in agreements.versions(session, tenant, p.id) if v.id == version_id), None)
    if found is None:
        raise NotFoundException()
    return found


class AgreementController(Controller):
    path = "/k/{code:str}/partnerskap/{partnership_id:int}/overenskommelse"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    def _back(self, ctx: RequestContext, p: Partnership, saved: str) -> Redirect:
        return Redirect(f"/k/{ctx.access.tenant.code}/partnerskap/{p.id}?sparad={saved}#overenskommelse",
                        status_code=303)

    def _refused(self, request: Request, ctx: RequestContext, partnership_id: int, message: str,
                 status_code: int = 422, errors: dict | None = None, values: dict | None = None) -> Response:
        ctx.db.rollback()
        p = get_partnership(ctx.db, ctx.access, partnership_id)
        return partnership_page.render(request, ctx.db, ctx.access, p, status_code=status_code,
                                       agreement_message=message, amendment_errors=errors or {},
                                       amendment_values=values or {})

    # Who may sign or decide an ändring is the process's roles (AgreementRule),
    # not a permission: the nämnd decides without editing the case.
    @post("/underskrift")
    @in_worker_thread
    def sign(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
             data: FormData) -> Response:
        db, access, data = ctx.db, ctx.access, clean(data)
        p = get_partnership(db, access, partnership_id)
        rule = _rule(request, ctx, p)
        version = _version(db, access.tenant, p, parse_int(data.get("version"), lowest=1))
        titles = {r.key: r.title for r in access.kommun.roles.roles} if access.kommun else {}
        try:
            signer = agreements.kommun_signer(rule, ctx.user, titles, partnership_page.role_keys(access))
            agreements.sign(db, ctx.settings.documents_dir, access.tenant, p, rule, version, signer,
                            data.get("sha256", ""))
        except SigningRefused as exc:
            return self._refused(request, ctx, partnership_id, str(exc), status_code=403)
        except ConflictError:
            return self._refused(request, ctx, partnership_id, "Kommunen har redan skrivit under den här versionen.",
                                 status_code=409)
        return self._back(ctx, p, "underskriven")

    @post("/bedomning")
    @in_worker_thread
    def assess(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
               data: FormData) -> Response:
        """A new assessment of the version in force, by the roles that own the
        assessing step (TY-05: a changed proposal is assessed again)."""
        db, access, data = ctx.db, ctx.access, clean(data)
        p = get_partnership(db, access, partnership_id)
        rule = _rule(request, ctx, p)
        process = process_for(request, access, p)
        step = process.step(rule.assessed_at_step) if rule.assessed_at_step else None
        version = agreements.in_force(db, access.tenant, p.id)
        if step is None or version is None or version.id != parse_int(data.get("version"), lowest=1):
            raise NotFoundException()
        held = [r for r in access.roles if r.key in step.owner_roles]
        if not held:
            return self._refused(request, ctx, partnership_id, f"Steget {step.title.lower()} görs av "
                                 + " eller ".join(r.title.lower() for r in access.kommun.roles.roles
                                                  if r.key in step.owner_roles) + ".", status_code=403)
        motivation = data.get("motivation", "").strip()
        if not motivation:
            return self._refused(request, ctx, partnership_id, "Skriv vad bedömningen kom fram till.")
        agreements.assess(db, access.tenant, p, db.get(Document, version.document_id), ctx.user, held[0].title,
                          motivation)
        return self._back(ctx, p, "bedomd")

    @post("/kontroll")
    @in_worker_thread
    def check(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
              data: UploadData) -> Response:
        p = get_partnership(ctx.db, ctx.access, partnership_id)
        result = agreements.describe_check(ctx.db, ctx.access.tenant, p.id, uploaded(data.get("file")))
        return partnership_page.render(request, ctx.db, ctx.access, p, agreement_message=result)

    @post("/andring")
    @in_worker_thread
    def amend(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
              data: FormData) -> Response:
        db, access, data = ctx.db, ctx.access, clean(data)
        p = get_partnership(db, access, partnership_id, lock=True)
        process = process_for(request, access, p)
        rule = _rule(request, ctx, p)
        if agreements.in_force(db, access.tenant, p.id) is None:
            raise NotFoundException()
        held = [r for r in access.roles if r.key in rule.amended_by_roles]
        if not held:
            titles = {r.key: r.title for r in access.kommun.roles.roles}
            return self._refused(request, ctx, partnership_id, "En ändring av överenskommelsen beslutas av "
                                 + " eller ".join(titles.get(k, k).lower() for k in rule.amended_by_roles) + ".",
                                 status_code=403, values=data)
        errors: dict[str, str] = {}
        start, problem = parse_date(data.get("period_start"), "startdatumet")
        if problem:
            errors["period_start"] = problem
        end, problem = parse_date(data.get("period_end"), "slutdatumet")
        if problem:
            errors["period_end"] = problem
        contributions = {}
        for party in p.parties:
            for c in party.contributions:
                amount, problem = parse_amount(data.get(f"bidrag_{c.id}_amount"), noun="tal",
                                               unit=c.unit or "")
                if problem:
                    errors[f"bidrag_{c.id}_amount"] = problem
                description = data.get(f"bidrag_{c.id}_description", c.description or "").strip()
                contributions[c.id] = (amount, description)
        try:
            if errors:
                raise ValidationError(errors)
            processes = mall_documents.processes_for(ctx.registry, access.kommun)
            mall = mall_documents.find(access.kommun, "overenskommelse")

            def draw(changed: Partnership) -> bytes:
                answers = mall_documents.initial_answers(db, access.tenant, changed, mall, processes) if mall else {}
                context = mall_documents.case_context(db, access.tenant, access.kommun, changed, answers)
                template = mall or next(t for t in ctx.registry.generic.templates if t.key == "overenskommelse")
                return mallar.render_pdf(template, processes, context)

            agreements.amend(db, ctx.settings.documents_dir, access.tenant, ctx.user, held[0].title, p, process,
                             agreements.AmendmentInput(start, end, data.get("goals", ""), data.get("reason", ""),
                                                       contributions), draw)
        except ValidationError as exc:
            return self._refused(request, ctx, partnership_id, "Ändringen är inte sparad. Rätta det som står nedan.",
                                 errors=exc.errors, values=data)
        return self._back(ctx, p, "andring")

