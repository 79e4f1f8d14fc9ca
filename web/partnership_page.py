"""The partnership page: its facts, parties, documents, meetings and where it
stands in its process. Rendered by the workspace and, with a refusal or
conflict message, by the step, form and document handlers."""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.response import Response
from sqlalchemy.orm import Session

from core import clock
from core.models import Partnership, User
from core.models.diarium import SECRECY_GROUNDS
from core.process import ProcessDefinition
from core.services import agreements, audit, coordinators, deadlines, diarium, documents, partnerships, requests
from core.services.casework import CaseView, case_view, process_of
from core.services.permissions import EDIT, Access, acting_roles, named_role_keys
from web.rendering import page

OTHER_DOCUMENT = ("ovrigt", "Övrigt")
EVENT_LABELS = {
    "create": "Registrerat",
    "update": "Ändrat",
    "complete_step": "Steg slutfört",
    "save_form": "Formulär sparat",
    "register_meeting": "Möte registrerat",
    "set_coordinator": "IOP-koordinator utsedd",
    "update_meeting": "Möte ändrat",
    "hold_meeting": "Möte markerat som hållet",
    "cancel_meeting": "Möte inställt",
}


@dataclass
class StepForm:
    """What a person tried when completing a step, shown again on refusal."""

    step_key: str = ""
    outcome: str = ""
    motivation: str = ""
    error: str = ""
    missing: tuple[str, ...] = ()
    conflict: bool = False


@dataclass
class DocForm:
    errors: dict[str, str] = field(default_factory=dict)
    title: str = ""
    kind: str = ""
    secrecy: str = ""


def get_partnership(db: Session, access: Access, partnership_id: int, *, lock: bool = False) -> Partnership:
    """The partnership or 404; ``lock`` for changes checked against its facts
    (core.services.partnerships.get_partnership)."""
    p = partnerships.get_partnership(db, access.tenant, partnership_id, lock=lock)
    if p is None:
        raise NotFoundException()
    return p


def view_of(request: Request, db: Session, access: Access, p: Partnership) -> CaseView | None:
    return case_view(db, request.app.state.ctx.registry, access.kommun, access.tenant, p, clock.today())


def process_for(request: Request, access: Access, p: Partnership) -> ProcessDefinition | None:
    return process_of(request.app.state.ctx.registry, access.kommun, p)


def role_keys(access: Access) -> tuple[str, ...]:
    return tuple(r.key for r in access.roles)


def person_of(access: Access) -> deadlines.Person:
    """The signed-in person, as what waits for them is read (JV-13's named roles included)."""
    return deadlines.Person(access.user.id, role_keys(access), named_role_keys(access.roles))


def document_kinds(process: ProcessDefinition | None) -> list[tuple[str, str]]:
    kinds = [(k.key, k.title) for k in process.document_kinds] if process else []
    return [*kinds, OTHER_DOCUMENT]


def describe_event(event, process: ProcessDefinition | None) -> str:
    """One line of the partnership's history, in Swedish."""
    label = EVENT_LABELS.get(event.action, event.action)
    after = event.after or {}
    if event.action == "complete_step" and process is not None:
        step = process.step(after.get("step", ""))
        if step is not None:
            outcome = next((o for o in step.outcomes if o.key == after.get("outcome")), None)
            label = f"{label}: {step.title}" + (f" – {outcome.title}" if outcome else "")
    elif event.action == "save_form" and process is not None:
        form = process.form(after.get("form", ""))
        if form is not None:
            label = f"{label}: {form.title}"
    elif event.action in ("register_meeting", "update_meeting", "hold_meeting", "cancel_meeting") and process is not None:
        rule = process.meeting_rule(after.get("kind", ""))
        if rule is not None:
            label = f"{label}: {rule.title}"
    return label


def render(request: Request, db: Session, access: Access, p: Partnership, *, status_code: int = 200,
           step_form: StepForm | None = None, doc_form: DocForm | None = None, saved: str | None = None,
           agreement_message: str = "", amendment_errors: dict | None = None,
           amendment_values: dict | None = None, coordinator_error: str = "") -> Response:
    view = view_of(request, db, access, p)
    process = view.process if view else None
    rule = process.agreement if process else None
    acting = acting_roles(access.roles, p.coordinator_id, access.user.id, role_keys(access))
    mine = set(acting)
    events = audit.events_for(db, access.tenant, "partnership", p.id)
    roles = view.roles.roles if view else ()
    return page(
        request, "workspace/partnership.html", status_code=status_code, access=access, tenant=access.tenant, p=p,
        view=view, my_roles=acting, today=clock.today(),
        coordinator=db.get(User, p.coordinator_id) if p.coordinator_id else None,
        coordinator_candidates=coordinators.candidates(db, access.tenant, roles) if access.can(EDIT) else [],
        coordinator_title=next((r.title for r in roles if r.key in named_role_keys(roles)), ""),
        coordinator_error=coordinator_error,
        documents=documents.list_documents(db, access.tenant, p), document_kinds=document_kinds(process),
        events=[(e, actor, describe_event(e, process)) for e, actor in events],
        step_form=step_form or StepForm(), doc_form=doc_form or DocForm(kind=request.query_params.get("typ", "")),
        saved=saved, open_requests=requests.open_count_in(db, access.tenant, p),
        matter=diarium.matter_of(db, access.tenant.id, p.id), registered=diarium.for_partnership(db, access.tenant, p.id),
        secrecy_grounds=SECRECY_GROUNDS, templates=access.kommun.templates if access.kommun else (),
        agreement_rule=rule, agreement_versions=agreements.overview(db, access.tenant, p) if rule else [],
        assessing_step=process.step(rule.assessed_at_step) if rule and rule.assessed_at_step else None,
        may_sign=bool(rule and mine & set(rule.signatory_roles)), may_amend=bool(rule and mine & set(rule.amended_by_roles)),
        agreement_message=agreement_message, amendment_errors=amendment_errors or {},
        amendment_values=amendment_values or {},
    )
