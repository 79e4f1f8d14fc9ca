"""Filling in a kommun's mallar on a partnership and making documents of them
(core.mallar renders): the answers are kept per partnership and mall, the
case's own facts (parties, contributions, period, goals) come from the
partnership, and a finished mall is stored as the partnership's document of
the mall's kind, so the diarium registers it and each version is kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from core import clock, mallar
from core.forms import unanswered
from core.mallar import CaseLine, MallContext, PartyLine
from core.models import Document, FormResponse, Partnership, Tenant, User
from core.plugin_api import TemplateRef
from core.process import ProcessDefinition
from core.registry import KommunEntry, Registry
from core.services import ValidationError, case_forms, diarium, documents
from core.services.case_forms import get_response

KEY_PREFIX = "mall."


def processes_for(registry: Registry, kommun: KommunEntry) -> tuple[ProcessDefinition, ...]:
    """The processes a kommun's mallar are used with: its own, or the generic default's."""
    return kommun.processes or registry.generic.processes


def find(kommun: KommunEntry, key: str) -> TemplateRef | None:
    return next((t for t in kommun.templates if t.key == key), None)


def blank_context(tenant: Tenant, kommun: KommunEntry) -> MallContext:
    return MallContext(kommun=tenant.name, decision_body=kommun.profile.decision_body)


def _period(p: Partnership) -> str:
    if p.period_start and p.period_end:
        return f"från och med {mallar.long_date(p.period_start)} till och med {mallar.long_date(p.period_end)}"
    return ""


def _party_lines(tenant: Tenant, p: Partnership) -> tuple[PartyLine, ...]:
    """Each idéburen party, then the kommun's own contributions under the kommun's name."""
    ideburna, own = [], []
    for party in p.parties:
        contributions = tuple(
            (c.kind_label, f"{mallar.format_amount(c.amount)} {c.unit}".strip() if c.amount is not None else "",
             c.description) for c in party.contributions)
        if party.organisation is not None:
            ideburna.append(PartyLine(name=party.organisation.name, role_label=party.role_label,
                                      organisationsnummer=party.organisation.organisationsnummer,
                                      contributions=contributions))
        elif contributions:
            own.append(PartyLine(name=tenant.name, role_label=party.role_label, public=True,
                                 contributions=contributions))
    return (*ideburna, *own)


def case_context(session: Session, tenant: Tenant, kommun: KommunEntry, p: Partnership,
                 answers: dict[str, str]) -> MallContext:
    """``p`` with its parties loaded (core.services.partnerships.get_partnership)."""
    matter = diarium.matter_of(session, tenant.id, p.id)
    return MallContext(
        kommun=tenant.name, decision_body=kommun.profile.decision_body, number=matter.number if matter else "",
        case=CaseLine(title=p.title, samhallsutmaning=p.samhallsutmaning, goals=p.goals, target_group=p.target_group,
                      period=_period(p)),
        parties=_party_lines(tenant, p), answers=answers, today=clock.today())


def saved(session: Session, tenant: Tenant, p: Partnership, mall: TemplateRef) -> FormResponse | None:
    return get_response(session, tenant, p, KEY_PREFIX + mall.key)


def initial_answers(session: Session, tenant: Tenant, p: Partnership, mall: TemplateRef,
                    processes: tuple[ProcessDefinition, ...]) -> dict[str, str]:
    """What the fill-in page starts from: the mall's saved answers, else the
    answers of the process form that names the mall."""
    row = saved(session, tenant, p, mall)
    if row is not None:
        return dict(row.answers or {})
    form = next((f for process in reversed(processes) for f in process.forms if f.template == mall.key), None)
    found = get_response(session, tenant, p, form.key) if form is not None else None
    return dict(found.answers or {}) if found is not None else {}


def save(session: Session, tenant: Tenant, actor: User, p: Partnership, mall: TemplateRef,
         processes: tuple[ProcessDefinition, ...], submitted: dict[str, str],
         expected_version: int) -> tuple[FormResponse, list[str]]:
    """Saves the answers (a half-done mall too); returns the row and what is
    still missing. A version other than the one edited raises ConflictError."""
    form = mallar.as_form(mall, mallar.fields_of(mall, processes))
    return case_forms.save_answers(session, tenant, actor, p, form, submitted, expected_version)


def produce(session: Session, documents_dir: Path, tenant: Tenant, actor: User, kommun: KommunEntry,
            p: Partnership, mall: TemplateRef, processes: tuple[ProcessDefinition, ...]) -> Document:
    """The filled mall as a PDF, stored as the partnership's document (a new
    version of the mall's document each time). Refused while required answers
    are missing."""
    form = mallar.as_form(mall, mallar.fields_of(mall, processes))
    answers = initial_answers(session, tenant, p, mall, processes)
    missing = unanswered(form, answers)
    if missing:
        raise ValidationError({"mall": "Fyll i allt som krävs innan dokumentet skapas: " + "; ".join(missing) + "."})
    pdf = mallar.render_pdf(mall, processes, case_context(session, tenant, kommun, p, answers))
    kinds = {k.key for k in processes[-1].document_kinds} if processes else set()
    kind = mall.document_kind if mall.document_kind in kinds else "ovrigt"
    return documents.store_document(session, documents_dir, tenant, actor, partnership=p, kind=kind,
                                    title=mallar.document_title(mall), filename=f"{mall.key}.pdf", content=pdf)
