"""A partnership as its idéburna party follows it in the portal: where it
stands, what comes next, what the organisation must do, and what staff have
shared: decisions with their reasons, meetings with their minutes,
documents, and the conversation between the parties.

Everything is read in the representative's scope (core.tenancy), which holds
only their organisation's partnerships and only what is shared; this module
adds the words the process gives the steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import (AgreementSignature, AgreementVersion, CaseTask, Decision, Document, DocumentRequest, Meeting,
                         Message, Organisation, Partnership, Tenant)
from core.models.meeting import CANCELLED, PLANNED
from core.plugin_api import TemplateRef
from core.process import FormDefinition, ProcessDefinition
from core.registry import Registry
from core.services import agreements, messages, requests, tenants
from core.services.casework import process_of


@dataclass(frozen=True)
class SharedDecision:
    decision: Decision
    step_title: str
    outcome_title: str


@dataclass(frozen=True)
class SharedMeeting:
    meeting: Meeting
    title: str

    @property
    def planned(self) -> bool:
        return self.meeting.status == PLANNED

    @property
    def cancelled(self) -> bool:
        return self.meeting.status == CANCELLED


@dataclass(frozen=True)
class Following:
    partnership: Partnership
    tenant: Tenant
    now: list[CaseTask]
    upcoming: list[CaseTask]
    requests: list[DocumentRequest]
    decisions: list[SharedDecision]
    meetings: list[SharedMeeting]
    documents: list[Document]
    conversation: list[tuple[Message, str, str | None]]
    # The form the organisation fills in to answer a request, by request id
    # (ProcessDefinition.organisation_form); the others are answered with a file.
    forms: dict[int, FormDefinition]
    # The kommun's mallar the organisation fills in (a budget, a yearly report), blank.
    mallar: tuple[TemplateRef, ...] = ()
    # The agreement version in force (GEN-09) and its signatures.
    agreement: AgreementVersion | None = None
    agreement_signatures: tuple[AgreementSignature, ...] = ()

    @property
    def kommun_signed(self) -> bool:
        return any(s.organisation_id is None for s in self.agreement_signatures)

    def signed_by(self, organisation_id: int) -> bool:
        return any(s.organisation_id == organisation_id for s in self.agreement_signatures)

    @property
    def open_requests(self) -> list[DocumentRequest]:
        return [r for r in self.requests if r.status == "oppen"]


def partnership_of(session: Session, partnership_id: int) -> Partnership | None:
    """One of the representative's partnerships, or None (the caller answers 404)."""
    return session.scalar(select(Partnership).where(Partnership.id == partnership_id))


def case_for(session: Session, registry: Registry, organisation: Organisation, partnership: Partnership,
             today: date, cache: tenants.TenantConfigCache | None = None) -> Following:
    tenant = session.get(Tenant, partnership.tenant_id)
    kommun = tenants.kommun_for_outsider(session, registry, tenant, cache)
    process = process_of(registry, kommun, partnership)
    pid = partnership.id
    tasks = session.scalars(select(CaseTask).where(CaseTask.partnership_id == pid)
                            .order_by(CaseTask.due.is_(None), CaseTask.due, CaseTask.position)).all()
    decisions = session.scalars(select(Decision).where(Decision.partnership_id == pid)
                                .order_by(Decision.decided_at.desc(), Decision.id.desc())).all()
    meetings = session.scalars(select(Meeting).where(Meeting.partnership_id == pid)
                               .order_by(Meeting.held_on.desc(), Meeting.id.desc())).all()
    asked = requests.addressed_to(session, organisation, pid)
    docs = session.scalars(select(Document).where(Document.partnership_id == pid)
                           .order_by(Document.uploaded_at.desc(), Document.id.desc())).all()
    version = agreements.in_force(session, tenant, pid) if process and process.agreement else None
    return Following(
        partnership=partnership, tenant=tenant,
        now=[t for t in tasks if t.state == "current"], upcoming=[t for t in tasks if t.state == "upcoming"][:3],
        requests=asked,
        decisions=[_decision(process, d) for d in decisions],
        meetings=[SharedMeeting(m, _meeting_title(process, m.kind)) for m in meetings],
        documents=list(docs), conversation=messages.conversation(session, pid),
        forms={r.id: f for r in asked if process and (f := process.organisation_form(r.kind)) is not None},
        mallar=tuple(t for t in kommun.templates if t.filled_by == "organisation"),
        agreement=version,
        agreement_signatures=tuple(agreements.signatures(session, [version.id])[version.id]) if version else (),
    )


def process_for(session: Session, registry: Registry, partnership: Partnership,
                cache: tenants.TenantConfigCache | None = None) -> ProcessDefinition | None:
    tenant = session.get(Tenant, partnership.tenant_id)
    return process_of(registry, tenants.kommun_for_outsider(session, registry, tenant, cache), partnership)


def _decision(process: ProcessDefinition | None, d: Decision) -> SharedDecision:
    step = process.step(d.step_key) if process else None
    outcome = next((o for o in step.outcomes if o.key == d.outcome_key), None) if step else None
    return SharedDecision(d, step.title if step else "Beslut", outcome.title if outcome else "")


def _meeting_title(process: ProcessDefinition | None, kind: str) -> str:
    rule = process.meeting_rule(kind) if process else None
    return rule.title if rule else "Möte"
