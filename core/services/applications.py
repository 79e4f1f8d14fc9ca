"""An organisation's intresseanmälan (core.models.application): written in
the portal, saved as a draft as often as needed, and submitted to one
tenant, where it becomes an initiative in that tenant's process with origin
"civilsamhället" (JV-03) and today as the date it was received, from which
JV-04's four weeks run. The staff who own the process's first steps are
told by e-mail, and the organisation gets a receipt."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.forms import MAX_TEXT as FORM_TEXT
from core.forms import check_answers, display_answer, motivation_key, needs_motivation
from core.inputs import MAX_TEXT, PartnershipInput
from core.models import (Application, ApplicationDocument, FormResponse, LibraryDocument, Organisation, Partnership,
                         RoleAssignment, Tenant, TenantOrganisation, User)
from core.models.application import DRAFT, SUBMITTED
from core.models.library import LIBRARY_KINDS
from core.process import FormDefinition, FormField, ProcessDefinition
from core.registry import Registry
from core.services import ValidationError, audit, documents, library, mail, partnerships, representatives, sharing, tenants
from core.services.casework import newest_process
from core.tenancy import Scope, set_scope
from core.values import clean_text, parse_date, too_long

TEXTS = ("title", "samhallsutmaning", "lokalt_perspektiv", "ide", "malgrupp", "bidrag", "onskemal")
LABELS = {
    "tenant": "Kommun eller stadsdel",
    "title": "Ett kort namn på idén",
    "samhallsutmaning": "Samhällsutmaningen",
    "lokalt_perspektiv": "Hur utmaningen syns där ni verkar",
    "ide": "Er idé",
    "malgrupp": "Målgruppen",
    "bidrag": "Vad er organisation bidrar med",
    "onskemal": "Vad ni önskar av kommunen",
    "period_start": "Önskad start",
    "period_end": "Önskat slut",
}
REQUIRED = {
    "title": "Skriv ett kort namn på idén.",
    "samhallsutmaning": "Beskriv samhällsutmaningen.",
    "lokalt_perspektiv": "Beskriv hur utmaningen syns där ni verkar.",
    "ide": "Beskriv er idé.",
    "malgrupp": "Beskriv målgruppen.",
    "bidrag": "Beskriv vad er organisation bidrar med.",
}
# The initiative form's answers an application gives, where the tenant's process has such a form (Järva's).
ORIGIN_FIELD, ORIGIN_CIVIL, IDEA_FIELD = "ursprung", "civilsamhallet", "verksamhetside"


def receiving(session: Session) -> list[Tenant]:
    """The kommuner and stadsdelar that take intresseanmälningar through the portal."""
    return list(session.scalars(select(Tenant).where(Tenant.takes_applications.is_(True)).order_by(Tenant.name)))


def start(session: Session, organisation: Organisation, actor: User, tenant: Tenant) -> Application:
    application = Application(organisation_id=organisation.id, addressed_to_id=tenant.id, created_by_id=actor.id)
    session.add(application)
    session.flush()
    return application


def get(session: Session, organisation: Organisation, application_id: int) -> Application | None:
    found = session.get(Application, application_id)
    return found if found is not None and found.organisation_id == organisation.id else None


def listed(session: Session, organisation: Organisation) -> list[tuple[Application, Tenant]]:
    return [(a, t) for a, t in session.execute(
        select(Application, Tenant).join(Tenant, Tenant.id == Application.addressed_to_id)
        .where(Application.organisation_id == organisation.id)
        .order_by(Application.status, Application.updated_at.desc()))]


def required_documents(process: ProcessDefinition | None) -> list[tuple[str, str]]:
    """(kind, title) of the documents the process asks of the organisation at
    its start: those the first step and the steps right after it require,
    which the organisation's library can hold (Järva: JV-05's five)."""
    if process is None or not process.steps():
        return []
    first = process.steps()[0]
    early = [first, *(s for s in process.steps() if first.key in s.after)]
    titles = {k.key: k.title for k in process.document_kinds}
    kinds = [r.ref for s in early for r in s.requires if r.kind == "document" and r.ref in LIBRARY_KINDS]
    return [(kind, titles.get(kind, LIBRARY_KINDS[kind])) for kind in dict.fromkeys(kinds)]


QUESTION_PREFIX = "fraga_"


def questions(process: ProcessDefinition | None) -> tuple[FormField, ...]:
    """The receiving kommun's own questions, named as the form names them
    (prefixed, so that no plugin's key can shadow the platform's fields)."""
    return tuple(replace(f, key=QUESTION_PREFIX + f.key) for f in (process.application_fields if process else ()))


def answers_as_values(application: Application) -> dict[str, str]:
    return {QUESTION_PREFIX + k: v for k, v in (application.answers or {}).items()}


def attached(session: Session, application: Application) -> dict[str, LibraryDocument]:
    return {kind: doc for kind, doc in session.execute(
        select(ApplicationDocument.kind, LibraryDocument)
        .join(LibraryDocument, LibraryDocument.id == ApplicationDocument.document_id)
        .where(ApplicationDocument.application_id == application.id))}


def save(session: Session, application: Application, data: dict[str, str], kinds: list[str],
         asked: tuple[FormField, ...] = ()) -> None:
    """Saves a draft as it stands; only what cannot be stored is refused
    (text too long, a date that is no date, a document not in the library)."""
    if application.status != DRAFT:
        raise ValidationError({"title": "Intresseanmälan är redan skickad och kan inte ändras."})
    errors: dict[str, str] = {}
    values = {f: clean_text(data.get(f, "")) for f in TEXTS}
    for f, value in values.items():
        if message := too_long(value, 300 if f == "title" else MAX_TEXT):
            errors[f] = message
    dates = {}
    for f in ("period_start", "period_end"):
        raw = clean_text(data.get(f, ""))
        dates[f] = parse_date(raw) if raw else None
        if raw and dates[f] is None:
            errors[f] = "Skriv datumet som år-månad-dag, till exempel 2027-01-01."
    if dates["period_start"] and dates["period_end"] and dates["period_end"] <= dates["period_start"]:
        errors["period_end"] = "Slutet måste komma efter starten."
    chosen: dict[str, LibraryDocument] = {}
    for kind in kinds:
        raw = data.get(f"dokument_{kind}", "")
        if not raw:
            continue
        doc = session.get(LibraryDocument, int(raw)) if raw.isdigit() else None
        if doc is None or doc.organisation_id != application.organisation_id or doc.kind != kind:
            errors[f"dokument_{kind}"] = "Välj ett av organisationens egna dokument."
        else:
            chosen[kind] = doc
    answers, problems = check_answers(FormDefinition("fragor", "", asked), data) if asked else ({}, {})
    errors.update(problems)
    if errors:
        raise ValidationError(errors)
    for f, value in values.items():
        setattr(application, f, value)
    application.answers = {k.removeprefix(QUESTION_PREFIX): v for k, v in answers.items()}
    application.period_start, application.period_end = dates["period_start"], dates["period_end"]
    application.updated_at = utcnow()
    session.execute(delete(ApplicationDocument).where(ApplicationDocument.application_id == application.id))
    for kind, doc in chosen.items():
        session.add(ApplicationDocument(application_id=application.id, document_id=doc.id, kind=kind))
    session.flush()


def missing(session: Session, application: Application, tenant: Tenant,
            process: ProcessDefinition | None) -> dict[str, str]:
    """What must be filled in or attached before the application can be sent, by field."""
    if not tenant.takes_applications:
        return {"title": f"{tenant.name} tar inte emot intresseanmälningar i portalen just nu. "
                         "Kontakta dem direkt; utkastet finns kvar."}
    errors = {f: message for f, message in REQUIRED.items() if not getattr(application, f)}
    given = answers_as_values(application)
    for f in questions(process):
        if f.required and not given.get(f.key):
            errors[f.key] = "Svara på frågan."
        elif needs_motivation(f, given.get(f.key, "")) and not given.get(motivation_key(f)):
            errors[motivation_key(f)] = "Skriv en motivering."
    have = attached(session, application)
    for kind, title in required_documents(process):
        if kind not in have:
            errors[f"dokument_{kind}"] = f"Bifoga {title[0].lower() + title[1:]}."
    return errors


def submit(session: Session, registry: Registry, application: Application, actor: User, *, documents_dir: Path,
           base_url: str, today: date) -> Partnership:
    """Sends the saved application: ValidationError names everything still
    missing. The rest of the unit of work is the receiving tenant's: the
    initiative, its documents and its stored state are that tenant's rows."""
    tenant = session.get(Tenant, application.addressed_to_id)
    organisation = session.get(Organisation, application.organisation_id)
    # From here the session works in the receiving tenant's scope: the
    # representative hands the initiative over, and everything written is the
    # tenant's (its plugins are read in that scope too).
    set_scope(session, Scope.of_tenant(tenant.id))
    process = newest_process(registry, tenants.kommun_for(session, registry, tenant))
    if errors := missing(session, application, tenant, process):
        raise ValidationError(errors)
    have = attached(session, application)
    if session.scalar(select(TenantOrganisation.id).where(TenantOrganisation.tenant_id == tenant.id,
                                                          TenantOrganisation.organisation_id == organisation.id)) is None:
        session.add(TenantOrganisation(tenant_id=tenant.id, organisation_id=organisation.id))
    form = {"title": application.title,
            "samhallsutmaning": f"{application.samhallsutmaning}\n\n{application.lokalt_perspektiv}".strip(),
            "goals": application.ide, "target_group": application.malgrupp,
            "period_start": application.period_start.isoformat() if application.period_start else "",
            "period_end": application.period_end.isoformat() if application.period_end else "",
            "organisation_id": str(organisation.id), "ideburen_annat_text": application.bidrag}
    partnership = partnerships.create_partnership(session, tenant, actor, PartnershipInput.from_form(form, today),
                                                  process=process)
    _initiative_form(session, tenant, actor, partnership, process, application)
    kinds = {k.key for k in process.document_kinds} if process else None
    for kind, doc in have.items():
        stored = documents.store_document(session, documents_dir, tenant, actor, partnership=partnership, kind=kind,
                                          title=doc.title, filename=doc.original_filename,
                                          content=library.path_of(documents_dir, doc).read_bytes(), kinds=kinds)
        sharing.share_given(session, stored, actor)
    # The intresseanmälan as received, kept with the case for staff and the organisation alike.
    received = documents.store_document(session, documents_dir, tenant, actor, partnership=partnership, kind="ovrigt",
                                        title=f"Intresseanmälan: {application.title}"[:300],
                                        filename="intresseanmalan.txt",
                                        content=_as_text(application, organisation, process, have).encode("utf-8"))
    sharing.share_given(session, received, actor)
    application.status, application.submitted_at, application.partnership_id = SUBMITTED, utcnow(), partnership.id
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=partnership.id,
                 action="application_received", after={"application": application.id, "organisation": organisation.id})
    _tell(session, registry, tenant, process, organisation, application, partnership, base_url)
    return partnership


def _as_text(application: Application, organisation: Organisation, process: ProcessDefinition | None,
             have: dict[str, LibraryDocument]) -> str:
    lines = [f"Intresseanmälan från {organisation.name} ({organisation.organisationsnummer})", ""]
    for key in TEXTS:
        lines += [LABELS[key], getattr(application, key) or "–", ""]
    period = (f"{application.period_start.isoformat()} – {application.period_end.isoformat()}"
              if application.period_start and application.period_end else "–")
    lines += ["Önskad period", period, ""]
    given = answers_as_values(application)
    for f in questions(process):
        lines += [f.label, display_answer(f, given.get(f.key, "")), ""]
    lines += ["Bifogade dokument", *(f"- {doc.title} ({doc.year})" for doc in have.values())]
    return "\n".join(lines) + "\n"


def _initiative_form(session, tenant, actor, partnership, process, application) -> None:
    """Järva's initiative form records where the initiative came from (JV-03):
    from civil society, and the idea, when the process asks."""
    form = process.form("initiativ") if process else None
    if form is None:
        return
    fields = {f.key: f for f in form.fields}
    answers = {}
    if ORIGIN_FIELD in fields and ORIGIN_CIVIL in dict(fields[ORIGIN_FIELD].choices or ()):
        answers[ORIGIN_FIELD] = ORIGIN_CIVIL
    if IDEA_FIELD in fields:
        answers[IDEA_FIELD] = application.ide[:FORM_TEXT]
    if answers:
        session.add(FormResponse(tenant_id=tenant.id, partnership_id=partnership.id, form_key=form.key,
                                 answers=answers, updated_by_id=actor.id))
        session.flush()


def _tell(session, registry, tenant, process, organisation, application, partnership, base_url) -> None:
    owners = set(process.steps()[0].owner_roles) if process and process.steps() else set()
    staff = session.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.tenant_id == tenant.id, RoleAssignment.role_key.in_(owners), User.is_active.is_(True))
        .distinct()).all()
    link = f"{base_url.rstrip('/')}/k/{tenant.code}/partnerskap/{partnership.id}"
    for person in staff:
        mail.queue(session, to=person.email, kind="application-received",
                   subject=f"Ny intresseanmälan: {application.title}",
                   body=f"Hej {person.name}!\n\n{organisation.name} har lämnat en intresseanmälan till {tenant.name}: "
                        f"\"{application.title}\".\n\nDen har kommit in i dag och väntar på första steget i "
                        f"processen. Öppna den här:\n\n{link}")
    for person, _ in representatives.approved(session, organisation):
        mail.queue(session, to=person.email, kind="application-receipt",
                   subject=f"Kvitto: er intresseanmälan till {tenant.name}",
                   body=f"Hej {person.name}!\n\n{tenant.name} har tagit emot er intresseanmälan \"{application.title}\".\n\n"
                        f"Nästa steg är ett första möte, som kommunen kallar er till. Ta med organisationens "
                        f"handlingar. Ni kan följa ärendet i portalen: {base_url.rstrip('/')}/portal/")
