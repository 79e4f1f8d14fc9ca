"""Working a partnership through its process: completing steps, filling in
the process's forms, registering meetings."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response
from sqlalchemy.orm import Session

from core import clock
from core.engine import TransitionRefused
from core.forms import display_answer, motivation_key, unanswered
from core.inputs import MeetingCancelInput, MeetingHeldInput, MeetingInput
from core.services import ConflictError, ValidationError, case_forms, casework, coordinators, meetings
from core.values import parse_int
from core.services.permissions import EDIT, Access
from web import partnership_page
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean, number
from web.partnership_page import StepForm, get_partnership, role_keys, view_of
from web.rendering import page


def _view_or_404(request: Request, db: Session, access: Access, p):
    view = view_of(request, db, access, p)
    if view is None:
        raise NotFoundException()
    return view


class CaseworkController(Controller):
    path = "/k/{code:str}/partnerskap/{partnership_id:int}"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    # ------------------------------------------------------------ steps

    @post("/steg/{step_key:str}")
    @in_worker_thread
    def complete_step(self, request: Request, ctx: NamedDependency[RequestContext],
                      partnership_id: FromPath[int], step_key: FromPath[str], data: FormData) -> Response:
        """Only an owner role may complete a step (checked by the engine, not
        by the EDIT permission: a nämnd decides without editing anything)."""
        db, access = ctx.db, ctx.access
        data = clean(data)
        # Locked before the facts are read: a step is completed once (JV rules).
        p = get_partnership(db, access, partnership_id, lock=True)
        attempt = StepForm(step_key=step_key, outcome=data.get("outcome", ""), motivation=data.get("motivation", ""))
        try:
            casework.complete_step(
                db, request.app.state.ctx.registry, access.kommun, access.tenant, access.user, role_keys(access), p,
                step_key=step_key, outcome_key=attempt.outcome, motivation=attempt.motivation,
                expected_version=number(data.get("version"), -1), today=clock.today(),
            )
        except TransitionRefused as exc:
            db.rollback()
            attempt.error, attempt.missing = exc.message, exc.missing
            return partnership_page.render(request, db, access, get_partnership(db, access, partnership_id),
                                           status_code=422, step_form=attempt)
        except ConflictError:
            db.rollback()
            attempt.conflict = True
            return partnership_page.render(request, db, access, get_partnership(db, access, partnership_id),
                                           status_code=409, step_form=attempt)
        return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}?sparad=steg#process", status_code=303)

    # ------------------------------------------------------------ forms

    def _form_page(self, request: Request, access: Access, p, view, form, *, values: dict, version: int,
                   errors: dict | None = None, status_code: int = 200, saved: bool = False,
                   conflict: bool = False) -> Response:
        return page(request, "workspace/case_form.html", status_code=status_code, access=access, tenant=access.tenant,
                    p=p, form=form, values=values, version=version, errors=errors or {}, saved=saved,
                    conflict=conflict, missing=unanswered(form, values),
                    locked=case_forms.is_locked(view.progress, form.key), motivation_key=motivation_key,
                    display_answer=display_answer)

    @get("/formular/{form_key:str}")
    @in_worker_thread
    def show_form(self, request: Request, ctx: NamedDependency[RequestContext],
                  partnership_id: FromPath[int], form_key: FromPath[str]) -> Response:
        db, access = ctx.db, ctx.access
        p = get_partnership(db, access, partnership_id)
        view = _view_or_404(request, db, access, p)
        form = view.process.form(form_key)
        if form is None:
            raise NotFoundException()
        row = case_forms.get_response(db, access.tenant, p, form_key)
        return self._form_page(request, access, p, view, form, values=dict(row.answers) if row else {},
                               version=row.version if row else 0, saved=request.query_params.get("sparad") == "1")

    @post("/formular/{form_key:str}", opt={"permission": EDIT})
    @in_worker_thread
    def save_form(self, request: Request, ctx: NamedDependency[RequestContext],
                  partnership_id: FromPath[int], form_key: FromPath[str], data: FormData) -> Response:
        db, access = ctx.db, ctx.access
        data = clean(data)
        # Locked before the facts are read: a form closes when its step is done.
        p = get_partnership(db, access, partnership_id, lock=True)
        view = _view_or_404(request, db, access, p)
        form = view.process.form(form_key)
        if form is None:
            raise NotFoundException()
        expected = number(data.get("version"), -1)
        try:
            case_forms.save_form(db, access.tenant, access.user, p, view.progress, form, data, expected)
        except ValidationError as exc:
            db.rollback()
            return self._form_page(request, access, p, view, form, values=data, version=expected, errors=exc.errors,
                                   status_code=422)
        except ConflictError:
            db.rollback()
            row = case_forms.get_response(db, access.tenant, p, form_key)
            return self._form_page(request, access, p, view, form, values=data, version=row.version if row else 0,
                                   status_code=409, conflict=True)
        except case_forms.FormLocked:
            db.rollback()
            row = case_forms.get_response(db, access.tenant, p, form_key)
            return self._form_page(request, access, p, view, form, values=dict(row.answers) if row else {},
                                   version=row.version if row else 0, status_code=409)
        return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}/formular/{form_key}?sparad=1", status_code=303)

    # ------------------------------------------------------------ the named coordinator (JV-13)

    @post("/koordinator", opt={"permission": EDIT})
    @in_worker_thread
    def set_coordinator(self, request: Request, ctx: NamedDependency[RequestContext],
                        partnership_id: FromPath[int], data: FormData) -> Response:
        db, access = ctx.db, ctx.access
        raw = clean(data).get("coordinator_id", "")
        p = get_partnership(db, access, partnership_id, lock=True)
        view = _view_or_404(request, db, access, p)
        chosen = parse_int(raw, lowest=1) if raw else None
        try:
            if raw and chosen is None:
                raise ValidationError({"coordinator_id": "Välj en person i listan."})
            coordinators.set_coordinator(db, access.tenant, access.user, p, chosen, view.roles.roles)
        except ValidationError as exc:
            db.rollback()
            return partnership_page.render(request, db, access, get_partnership(db, access, partnership_id),
                                           status_code=422, coordinator_error=exc.errors["coordinator_id"])
        return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}?sparad=koordinator#koordinator", status_code=303)

    # ------------------------------------------------------------ meetings

    def _meetings_page(self, request: Request, db: Session, access: Access, p, view, *, values: dict | None = None,
                       errors: dict | None = None, refusal: str = "", status_code: int = 200) -> Response:
        kind = request.query_params.get("typ", "")
        return page(request, "workspace/meetings.html", status_code=status_code, access=access, tenant=access.tenant,
                    p=p, view=view, meetings=meetings.list_meetings(db, access.tenant, p),
                    values=values if values is not None else {"kind": kind, "held_on": clock.today().isoformat()},
                    errors=errors or {}, refusal=refusal, saved=request.query_params.get("sparad") == "1",
                    today=clock.today())

    @get("/moten")
    @in_worker_thread
    def list_meetings(self, request: Request, ctx: NamedDependency[RequestContext],
                      partnership_id: FromPath[int]) -> Response:
        db, access = ctx.db, ctx.access
        p = get_partnership(db, access, partnership_id)
        return self._meetings_page(request, db, access, p, _view_or_404(request, db, access, p))

    @post("/moten", opt={"permission": EDIT})
    @in_worker_thread
    def register_meeting(self, request: Request, ctx: NamedDependency[RequestContext],
                         partnership_id: FromPath[int], data: FormData) -> Response:
        db, access = ctx.db, ctx.access
        data = clean(data)
        # Locked before the meetings are counted (JV-08: at most five idea meetings).
        p = get_partnership(db, access, partnership_id, lock=True)
        view = _view_or_404(request, db, access, p)
        try:
            meetings.register_meeting(db, access.tenant, access.user, p, view.progress, view.facts,
                                      MeetingInput.from_form(data), clock.today())
        except ValidationError as exc:
            db.rollback()
            return self._meetings_page(request, db, access, p, view, values=data, errors=exc.errors, status_code=422)
        except TransitionRefused as exc:
            db.rollback()
            return self._meetings_page(request, db, access, p, view, values=data, refusal=exc.message, status_code=422)
        return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}/moten?sparad=1", status_code=303)

    def _meeting_page(self, request: Request, access: Access, p, view, m, *, form: str = "", values: dict | None = None,
                      errors: dict | None = None, refusal: str = "", status_code: int = 200) -> Response:
        """One meeting, with what can be done to it: change it, mark it held, cancel it.
        ``form`` names the form a refused attempt came from, so only it shows the errors."""
        current = {"kind": m.kind, "held_on": m.held_on.isoformat(), "place": m.place,
                   "starts_at": m.starts_at.strftime("%H:%M") if m.starts_at else "",
                   "participants": m.participants, "minutes": m.minutes}
        return page(request, "workspace/meeting.html", status_code=status_code, access=access, tenant=access.tenant,
                    p=p, view=view, m=m, form=form, values=values if values is not None else current,
                    errors=errors or {}, refusal=refusal, today=clock.today(),
                    showing=form or request.query_params.get("gor", ""), saved=request.query_params.get("sparad", ""))

    def _meeting_or_404(self, db: Session, access: Access, p, meeting_id: int):
        m = meetings.get_meeting(db, access.tenant, p, meeting_id)
        if m is None:
            raise NotFoundException()
        return m

    @get("/moten/{meeting_id:int}")
    @in_worker_thread
    def show_meeting(self, request: Request, ctx: NamedDependency[RequestContext],
                     partnership_id: FromPath[int], meeting_id: FromPath[int]) -> Response:
        db, access = ctx.db, ctx.access
        p = get_partnership(db, access, partnership_id)
        view = _view_or_404(request, db, access, p)
        return self._meeting_page(request, access, p, view, self._meeting_or_404(db, access, p, meeting_id))

    def _change_meeting(self, request: Request, ctx: RequestContext, partnership_id: int, meeting_id: int,
                        data: dict, form: str, change) -> Response:
        """Runs one change of a meeting; a refusal shows the meeting again with
        what was typed and why, and nothing already saved is lost."""
        db, access = ctx.db, ctx.access
        data = clean(data)
        p = get_partnership(db, access, partnership_id, lock=True)
        view = _view_or_404(request, db, access, p)
        m = self._meeting_or_404(db, access, p, meeting_id)
        try:
            change(db, access, view, m)
        except (ValidationError, TransitionRefused) as exc:
            db.rollback()
            m = self._meeting_or_404(db, access, p, meeting_id)
            errors = exc.errors if isinstance(exc, ValidationError) else {}
            refusal = exc.message if isinstance(exc, TransitionRefused) else ""
            return self._meeting_page(request, access, p, view, m, form=form, values=data, errors=errors,
                                      refusal=refusal, status_code=422)
        return Redirect(f"/k/{access.tenant.code}/partnerskap/{p.id}/moten/{m.id}?sparad={form}", status_code=303)

    @post("/moten/{meeting_id:int}/andra", opt={"permission": EDIT})
    @in_worker_thread
    def update_meeting(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                       meeting_id: FromPath[int], data: FormData) -> Response:
        def change(db, access, view, m):
            values = MeetingInput.from_form({**clean(data), "kind": m.kind})
            meetings.update_meeting(db, access.tenant, access.user, m, view.progress, values, clock.today())
        return self._change_meeting(request, ctx, partnership_id, meeting_id, data, "andrat", change)

    @post("/moten/{meeting_id:int}/hallet", opt={"permission": EDIT})
    @in_worker_thread
    def hold_meeting(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                     meeting_id: FromPath[int], data: FormData) -> Response:
        def change(db, access, view, m):
            meetings.mark_held(db, access.tenant, access.user, m, view.progress,
                               MeetingHeldInput.from_form(clean(data)), clock.today())
        return self._change_meeting(request, ctx, partnership_id, meeting_id, data, "hallet", change)

    @post("/moten/{meeting_id:int}/installt", opt={"permission": EDIT})
    @in_worker_thread
    def cancel_meeting(self, request: Request, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int],
                       meeting_id: FromPath[int], data: FormData) -> Response:
        def change(db, access, view, m):
            meetings.cancel(db, access.tenant, access.user, m, view.progress, MeetingCancelInput.from_form(clean(data)))
        return self._change_meeting(request, ctx, partnership_id, meeting_id, data, "installt", change)
