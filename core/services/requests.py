"""Staff ask an idéburen party for a document or a report; the organisation
answers in the portal (issue: the organisation's side of the case).

An answer is stored as the partnership's document of the kind asked for, so
the step that requires that kind sees it at once, and it is shared with the
parties: the organisation gave it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import clock
from core.db import utcnow
from core.forms import check_answers, display_answer, motivation_key, needs_motivation
from core.models import Document, DocumentRequest, Organisation, Partnership, Tenant, User
from core.models.request import ANSWERED, OPEN, WITHDRAWN
from core.process import FormDefinition
from core.services import ConflictError, PermissionDenied, ValidationError, audit, documents, mail, representatives, sharing
from core.tenancy import Scope, set_scope
from core.values import clean_text, parse_date, parse_int, too_long

LABELS = {"organisation_id": "Organisation", "kind": "Vad ni ber om", "title": "Rubrik",
          "message": "Meddelande till organisationen", "due_on": "Senast", "file": "Fil"}
MAX_MESSAGE = 2000


@dataclass(frozen=True)
class RequestInput:
    organisation_id: int
    kind: str
    title: str
    message: str
    due_on: date

    @classmethod
    def from_form(cls, data: dict[str, str], *, kinds: dict[str, str], parties: dict[int, str],
                  today: date) -> RequestInput:
        """``kinds``: the document kinds of the partnership's process;
        ``parties``: its idéburna parties' organisations."""
        errors: dict[str, str] = {}
        organisation_id = parse_int(data.get("organisation_id"))
        if len(parties) == 1 and not data.get("organisation_id"):
            organisation_id = next(iter(parties))
        if organisation_id not in parties:
            errors["organisation_id"] = "Välj vilken organisation ni ber om dokumentet."
        kind = clean_text(data.get("kind"))
        if kind not in kinds:
            errors["kind"] = "Välj vilket dokument ni ber om."
        title = clean_text(data.get("title")) or kinds.get(kind, "")
        if message := too_long(title, 300):
            errors["title"] = message
        text = clean_text(data.get("message"))
        if message := too_long(text, MAX_MESSAGE):
            errors["message"] = message
        due_on, problem = parse_date(data.get("due_on"), "sista dagen")
        if problem:
            errors["due_on"] = problem
        elif due_on is None:
            errors["due_on"] = "Skriv vilken dag dokumentet behövs senast."
        elif due_on < today:
            errors["due_on"] = "Sista dagen kan inte ha passerat redan. Välj i dag eller ett senare datum."
        if errors:
            raise ValidationError(errors)
        return cls(organisation_id=organisation_id, kind=kind, title=title, message=text, due_on=due_on)


def _link(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}{path}"


def ask(session: Session, tenant: Tenant, actor: User, partnership: Partnership, form: RequestInput, *,
        base_url: str) -> DocumentRequest:
    """Records the request and tells the organisation's representatives."""
    req = DocumentRequest(tenant_id=tenant.id, partnership_id=partnership.id, organisation_id=form.organisation_id,
                          kind=form.kind, title=form.title, message=form.message, due_on=form.due_on,
                          status=OPEN, requested_by_id=actor.id)
    session.add(req)
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=partnership.id,
                 action="request_document", after={"request": req.id, "kind": req.kind, "due_on": req.due_on})
    organisation = session.get(Organisation, form.organisation_id)
    link = _link(base_url, f"/portal/partnerskap/{partnership.id}#begaranden")
    for person, _ in representatives.approved(session, organisation):
        mail.queue(session, to=person.email, kind="document-request",
                   subject=f"{tenant.name} ber om ett dokument: {req.title}",
                   body=f"Hej {person.name}!\n\n{tenant.name} ber {organisation.name} om ett dokument till "
                        f"partnerskapet \"{partnership.title}\":\n\n{req.title}\n"
                        + (f"\n{req.message}\n" if req.message else "")
                        + f"\nDet behövs senast {req.due_on.isoformat()}. Ladda upp det i portalen:\n\n{link}")
    return req


def for_partnership(session: Session, tenant: Tenant, partnership: Partnership) -> list[DocumentRequest]:
    return list(session.scalars(select(DocumentRequest).where(
        DocumentRequest.tenant_id == tenant.id, DocumentRequest.partnership_id == partnership.id)
        .order_by(DocumentRequest.status != OPEN, DocumentRequest.due_on, DocumentRequest.id)))


def open_count_in(session: Session, tenant: Tenant, partnership: Partnership) -> int:
    return session.scalar(select(func.count()).select_from(DocumentRequest).where(
        DocumentRequest.tenant_id == tenant.id, DocumentRequest.partnership_id == partnership.id,
        DocumentRequest.status == OPEN)) or 0


def get(session: Session, tenant: Tenant, partnership: Partnership, request_id: int) -> DocumentRequest | None:
    return session.scalar(select(DocumentRequest).where(
        DocumentRequest.id == request_id, DocumentRequest.tenant_id == tenant.id,
        DocumentRequest.partnership_id == partnership.id))


def withdraw(session: Session, tenant: Tenant, actor: User, req: DocumentRequest) -> None:
    if req.status != OPEN:
        raise ConflictError("Begäran är redan besvarad eller återkallad.")
    req.status = WITHDRAWN
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=req.partnership_id,
                 action="withdraw_request", after={"request": req.id})


# ---------------------------------------------------------------- the organisation's side


def addressed_to(session: Session, organisation: Organisation, partnership_id: int) -> list[DocumentRequest]:
    """The requests to this organisation in one of its partnerships; the
    session's scope (a representative's) shows no one else's."""
    return list(session.scalars(select(DocumentRequest).where(
        DocumentRequest.organisation_id == organisation.id, DocumentRequest.partnership_id == partnership_id)
        .order_by(DocumentRequest.status != OPEN, DocumentRequest.due_on, DocumentRequest.id)))


def open_count(session: Session, organisation: Organisation) -> dict[int, int]:
    """Open requests to the organisation, per partnership."""
    return dict(session.execute(select(DocumentRequest.partnership_id, func.count()).where(
        DocumentRequest.organisation_id == organisation.id, DocumentRequest.status == OPEN)
        .group_by(DocumentRequest.partnership_id)).all())


def answer(session: Session, documents_dir: Path, req: DocumentRequest, actor: User, *, filename: str,
           content: bytes, base_url: str) -> Document:
    """The organisation's answer with a file: it becomes the partnership's
    document of the kind asked for. The rest of the unit of work is the
    tenant's: the document, the request and the case's state are its rows."""
    _still_open(req)
    errors: dict[str, str] = {}
    documents.checked_file(filename, content, errors)
    if errors:
        raise ValidationError(errors)
    return _deliver(session, documents_dir, req, actor, filename=filename, content=content, base_url=base_url)


def save_answers(session: Session, req: DocumentRequest, form: FormDefinition, data: dict[str, str]) -> dict[str, str]:
    """Keeps the organisation's answers to the form so far (a draft), and
    returns what must still be answered before it can be sent, by field."""
    _still_open(req)
    answers, errors = check_answers(form, data)
    if errors:
        raise ValidationError(errors)
    set_scope(session, Scope.of_tenant(req.tenant_id))
    req.answers = answers
    return missing_answers(form, answers)


def missing_answers(form: FormDefinition, answers: dict[str, str]) -> dict[str, str]:
    missing = {}
    for f in form.fields:
        if f.required and not answers.get(f.key):
            missing[f.key] = "Svara på frågan innan ni skickar."
        elif needs_motivation(f, answers.get(f.key, "")) and not answers.get(motivation_key(f)):
            missing[motivation_key(f)] = "Skriv en motivering innan ni skickar."
    return missing


def send_answers(session: Session, documents_dir: Path, req: DocumentRequest, form: FormDefinition, actor: User, *,
                 is_signatory: bool, base_url: str) -> Document:
    """Sends the saved, complete answers: they become the partnership's
    document of the kind asked for, as plain text that anyone can open. A
    position (``signatory_only``) is sent by the organisation's signatory alone."""
    if form.signatory_only and not is_signatory:
        raise PermissionDenied("Bara organisationens firmatecknare eller ordförande kan skicka det här.")
    if missing := missing_answers(form, req.answers or {}):
        raise ValidationError(missing)
    partnership = session.get(Partnership, req.partnership_id)
    organisation = session.get(Organisation, req.organisation_id)
    lines = [form.title, partnership.title, f"{organisation.name}, skickad {clock.today().isoformat()} av {actor.name}", ""]
    for f in form.fields:
        lines += [f.label, display_answer(f, req.answers.get(f.key, ""))]
        if req.answers.get(motivation_key(f)):
            lines.append(f"Motivering: {req.answers[motivation_key(f)]}")
        lines.append("")
    return _deliver(session, documents_dir, req, actor, filename=f"{form.key}.txt",
                    content="\n".join(lines).encode("utf-8"), base_url=base_url)


def _still_open(req: DocumentRequest) -> None:
    if req.status != OPEN:
        raise ConflictError("Begäran är redan besvarad eller återkallad.")


def _deliver(session: Session, documents_dir: Path, req: DocumentRequest, actor: User, *, filename: str,
             content: bytes, base_url: str) -> Document:
    """Stores the answer as the partnership's document, shared with the
    parties, closes the request and tells the one who asked."""
    partnership = session.get(Partnership, req.partnership_id)
    organisation = session.get(Organisation, req.organisation_id)
    set_scope(session, Scope.of_tenant(req.tenant_id))
    tenant = session.get(Tenant, req.tenant_id)
    doc = documents.store_document(session, documents_dir, tenant, actor, partnership=partnership, kind=req.kind,
                                   title=req.title, filename=filename, content=content)
    sharing.share_given(session, doc, actor)
    # Answered once: a second answer sent at the same moment finds it answered.
    answered = session.execute(update(DocumentRequest).where(DocumentRequest.id == req.id,
                                                             DocumentRequest.status == OPEN)
                               .values(status=ANSWERED, answered_by_id=actor.id, answered_at=utcnow(),
                                       document_id=doc.id)).rowcount
    if not answered:
        raise ConflictError("Begäran är redan besvarad eller återkallad.")
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=partnership.id,
                 action="answer_request", after={"request": req.id, "document": doc.id})
    asker = session.get(User, req.requested_by_id) if req.requested_by_id else None
    if asker is not None and asker.is_active:
        mail.queue(session, to=asker.email, kind="request-answered",
                   subject=f"{organisation.name} har skickat: {req.title}",
                   body=f"Hej {asker.name}!\n\n{organisation.name} har svarat på er begäran om \"{req.title}\" "
                        f"i partnerskapet \"{partnership.title}\". Dokumentet finns nu bland partnerskapets "
                        f"dokument:\n\n{_link(base_url, f'/k/{tenant.code}/partnerskap/{partnership.id}#dokument')}")
    return doc
