"""Decided means fixed (GEN-09): the agreement version the decision body
decided, its signatures, and changes only through an ändring.

- ``freeze``: when the process's deciding step goes on (AgreementRule), the
  newest draft document is the decided version, with its SHA-256 and the
  terms it fixes (period, goals, contributions).
- ``sign``: the kommun's signatory (a role the process names) and each
  idéburen party's authorised signatory sign that exact file; each signature
  records who, when, in which capacity and the file's SHA-256. When every
  party has signed, the signed version is stored as the signed kind, which
  the process's signing step asks for.
- ``refuse_fixed_change``: an edit of the fixed terms outside an ändring is
  refused in Swedish; ``amend`` is the ändring: the new terms, decided in a
  role the process names with a reason, a new version that needs new
  signatures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import (AgreementAssessment, AgreementSignature, AgreementVersion, Decision, Document, Partnership,
                         Representative, Tenant, User)
from core.models.agreement import AMENDMENT, DECIDED, ORIGINS
from core.process import AgreementRule, ProcessDefinition
from core.services import ConflictError, ValidationError, audit, documents, sharing
from core.values import clean_text, too_long

KOMMUN = "kommun"


class SigningRefused(Exception):
    """Why this person cannot sign this version now, in Swedish."""


def party_key(organisation_id: int | None) -> str:
    return KOMMUN if organisation_id is None else f"org:{organisation_id}"


def terms_of(p: Partnership) -> dict:
    """What a decided version fixes. ``p`` with its parties and contributions loaded."""
    return {
        "period_start": p.period_start.isoformat() if p.period_start else "",
        "period_end": p.period_end.isoformat() if p.period_end else "",
        "goals": p.goals or "",
        "contributions": sorted(
            [party_key(party.organisation_id), c.kind,
             format(c.amount.normalize(), "f") if c.amount is not None else "", c.description]
            for party in p.parties for c in party.contributions),
    }


def versions(session: Session, tenant: Tenant, partnership_id: int) -> list[AgreementVersion]:
    return list(session.scalars(select(AgreementVersion).where(
        AgreementVersion.tenant_id == tenant.id, AgreementVersion.partnership_id == partnership_id)
        .order_by(AgreementVersion.number)))


def in_force(session: Session, tenant: Tenant, partnership_id: int) -> AgreementVersion | None:
    found = versions(session, tenant, partnership_id)
    return found[-1] if found else None


def signatures(session: Session, version_ids: list[int]) -> dict[int, list[AgreementSignature]]:
    out: dict[int, list[AgreementSignature]] = {vid: [] for vid in version_ids}
    if version_ids:
        for s in session.scalars(select(AgreementSignature).where(AgreementSignature.version_id.in_(version_ids))
                                 .order_by(AgreementSignature.signed_at, AgreementSignature.id)):
            out[s.version_id].append(s)
    return out


def _next_number(session: Session, p: Partnership) -> int:
    return (session.scalar(select(func.max(AgreementVersion.number))
                           .where(AgreementVersion.partnership_id == p.id)) or 0) + 1


def _newest_draft(session: Session, tenant: Tenant, p: Partnership, rule: AgreementRule) -> Document | None:
    return session.scalar(select(Document).where(
        Document.tenant_id == tenant.id, Document.partnership_id == p.id, Document.kind == rule.draft_kind)
        .order_by(Document.uploaded_at.desc(), Document.id.desc()).limit(1))


def has_draft(session: Session, tenant: Tenant, p: Partnership, rule: AgreementRule) -> bool:
    return _newest_draft(session, tenant, p, rule) is not None


def freeze(session: Session, tenant: Tenant, p: Partnership, rule: AgreementRule, decision: Decision) -> AgreementVersion:
    """The decided version: the newest draft, as it is now. Raises
    ValidationError when there is no draft to decide."""
    draft = _newest_draft(session, tenant, p, rule)
    if draft is None:
        raise ValidationError({"agreement": "Det finns inget förslag till överenskommelse att besluta om. "
                                            "Skapa det från mallen eller ladda upp det först."})
    version = AgreementVersion(
        tenant_id=tenant.id, partnership_id=p.id, number=_next_number(session, p), origin=DECIDED,
        document_id=draft.id, sha256=draft.sha256, terms=terms_of(p), decision_id=decision.id,
        decided_by_id=decision.actor_id, decided_role=decision.role_title, reason=decision.motivation)
    session.add(version)
    session.flush()
    # Both parties sign it, so both can read it (core.models.sharing).
    decider = session.get(User, decision.actor_id) if decision.actor_id else None
    sharing.set_shared(session, tenant, decider, p, "document", draft.id, True)
    return version


def assess(session: Session, tenant: Tenant, p: Partnership, document: Document, actor: User | None,
           role_title: str, motivation: str) -> AgreementAssessment:
    """Records that ``document`` (a draft, or a decided version's file) was
    assessed as the process asks (TY-05)."""
    row = AgreementAssessment(tenant_id=tenant.id, partnership_id=p.id, document_id=document.id,
                              sha256=document.sha256, assessed_by_id=actor.id if actor else None,
                              role_title=role_title, motivation=motivation)
    session.add(row)
    session.flush()
    return row


def assess_newest_draft(session: Session, tenant: Tenant, p: Partnership, rule: AgreementRule,
                        decision: Decision) -> AgreementAssessment:
    """The assessing step was completed: it assessed the newest draft."""
    actor = session.get(User, decision.actor_id) if decision.actor_id else None
    return assess(session, tenant, p, _newest_draft(session, tenant, p, rule), actor, decision.role_title,
                  decision.motivation)


def assessed(session: Session, tenant: Tenant, partnership_id: int, sha256: str) -> AgreementAssessment | None:
    return session.scalar(select(AgreementAssessment).where(
        AgreementAssessment.tenant_id == tenant.id, AgreementAssessment.partnership_id == partnership_id,
        AgreementAssessment.sha256 == sha256).order_by(AgreementAssessment.id.desc()).limit(1))


@dataclass(frozen=True)
class Signer:
    """Who signs for which party: the kommun (organisation None) or an organisation."""

    user: User
    organisation_id: int | None
    capacity: str


def kommun_signer(rule: AgreementRule, user: User, role_titles: dict[str, str], role_keys: tuple[str, ...]) -> Signer:
    held = [key for key in rule.signatory_roles if key in role_keys]
    if not held:
        names = " eller ".join(role_titles.get(k, k).lower() for k in rule.signatory_roles)
        raise SigningRefused(f"Överenskommelsen skrivs under av {names}.")
    return Signer(user, None, role_titles.get(held[0], held[0]))


def organisation_signer(session: Session, p: Partnership, user: User) -> Signer:
    rep = session.scalar(select(Representative).where(Representative.user_id == user.id))
    parties = {party.organisation_id for party in p.parties if party.organisation_id}
    if rep is None or rep.organisation_id not in parties:
        raise SigningRefused("Bara en företrädare för en av de idéburna parterna kan skriva under.")
    if not rep.is_signatory:
        raise SigningRefused("Överenskommelsen skrivs under av organisationens firmatecknare eller ordförande.")
    return Signer(user, rep.organisation_id, "Firmatecknare")


def required_parties(p: Partnership) -> list[str]:
    return [KOMMUN, *(party_key(party.organisation_id) for party in p.parties if party.organisation_id)]


def sign(session: Session, documents_dir: Path, tenant: Tenant, p: Partnership, rule: AgreementRule,
         version: AgreementVersion, signer: Signer, sha256: str) -> AgreementSignature:
    """Records ``signer``'s signature of ``version``, given the SHA-256 of the
    file they were shown. Refuses a version no longer in force, a file that
    is not the decided one, and a second signature for the same party.
    Written in the session's scope: an organisation's representative signs
    in the tenant's records, so the portal switches to the tenant's scope first."""
    current = in_force(session, tenant, p.id)
    if current is None or current.id != version.id:
        raise SigningRefused("Den här versionen gäller inte längre. Skriv under den senaste versionen.")
    doc = session.get(Document, version.document_id)
    stored = hashlib.sha256(documents.document_path(documents_dir, doc).read_bytes()).hexdigest()
    if sha256 != version.sha256 or stored != version.sha256:
        raise SigningRefused("Filen stämmer inte med den beslutade versionen. Ladda om sidan och läs den igen.")
    if rule.assessed_at_step and assessed(session, tenant, p.id, version.sha256) is None:
        raise SigningRefused("Den här versionen är inte bedömd: förslaget har ändrats sedan det bedömdes. "
                             "En ny bedömning av just den här versionen behövs innan den skrivs under.")
    key = party_key(signer.organisation_id)
    done = {s.party_key for s in signatures(session, [version.id])[version.id]}
    if key in done:
        raise ConflictError()
    signature = AgreementSignature(
        tenant_id=tenant.id, partnership_id=p.id, version_id=version.id, party_key=key,
        organisation_id=signer.organisation_id, signer_id=signer.user.id, signer_name=signer.user.name,
        capacity=signer.capacity, sha256=version.sha256)
    session.add(signature)
    try:
        session.flush()
    except IntegrityError as exc:  # the unique key: the same party signed at the same moment
        raise ConflictError() from exc
    audit.record(session, actor=signer.user, tenant=tenant, object_type="partnership", object_id=p.id,
                 action="sign_agreement", after={"version": version.number, "party": key,
                                                 "capacity": signer.capacity, "sha256": version.sha256})
    if set(required_parties(p)) <= done | {key}:
        _store_signed(session, documents_dir, tenant, p, rule, version, doc, signer.user)
    return signature


def _store_signed(session, documents_dir, tenant, p, rule, version, doc, actor) -> None:
    """Every party has signed: the exact file they signed becomes the
    partnership's signed agreement (the signing step asks for it)."""
    content = documents.document_path(documents_dir, doc).read_bytes()
    signed = documents.store_document(session, documents_dir, tenant, actor, partnership=p, kind=rule.signed_kind,
                                      title=f"Undertecknad överenskommelse, version {version.number}",
                                      filename=f"overenskommelse-version-{version.number}"
                                               f"{Path(doc.original_filename).suffix or '.pdf'}", content=content)
    sharing.share_given(session, signed, actor)


def matching(session: Session, tenant: Tenant, partnership_id: int, content: bytes) -> list[AgreementVersion]:
    """The partnership's decided versions whose file is exactly ``content``."""
    digest = hashlib.sha256(content).hexdigest()
    return [v for v in versions(session, tenant, partnership_id) if v.sha256 == digest]


def refuse_fixed_change(session: Session, tenant: Tenant, p: Partnership, new_terms: dict) -> None:
    """GEN-09: with a decided version in force, its terms change only through an ändring."""
    current = in_force(session, tenant, p.id)
    if current is None:
        return
    fixed = current.terms
    errors = {}
    labels = {"period_start": "startdatum", "period_end": "slutdatum", "goals": "mål"}
    for key, label in labels.items():
        if new_terms.get(key, "") != fixed.get(key, ""):
            errors[key] = (f"Överenskommelsen är beslutad, och dess {label} ändras bara genom en ändring "
                           "som beslutas och skrivs under på nytt.")
    if new_terms.get("contributions") != fixed.get("contributions"):
        errors["contributions"] = ("Parternas bidrag är beslutade i överenskommelsen och ändras bara genom "
                                   "en ändring som beslutas och skrivs under på nytt.")
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class AmendmentInput:
    period_start: date | None
    period_end: date | None
    goals: str
    reason: str
    # Each existing contribution's new amount and description, by its id.
    contributions: dict[int, tuple[Decimal | None, str]] = field(default_factory=dict)


def amend(session: Session, documents_dir: Path, tenant: Tenant, actor: User, role_title: str, p: Partnership,
          process: ProcessDefinition, values: AmendmentInput, draw) -> AgreementVersion:
    """The ändring: the new terms are written to the partnership, the
    agreement is drawn up again from them (``draw(p)`` gives the PDF) as a new
    version, decided now by ``actor`` in ``role_title`` with ``values.reason``;
    it needs new signatures, and the deadlines follow its period."""
    reason = clean_text(values.reason)
    if not reason:
        raise ValidationError({"reason": "Skriv vad som ändras och varför."})
    if message := too_long(reason, 4000):
        raise ValidationError({"reason": message})
    if values.period_start and values.period_end and values.period_end <= values.period_start:
        raise ValidationError({"period_end": "Slutdatumet måste komma efter startdatumet."})
    before = terms_of(p)
    p.period_start, p.period_end, p.goals = values.period_start, values.period_end, clean_text(values.goals)
    for party in p.parties:
        for c in party.contributions:
            if c.id in values.contributions:
                c.amount, c.description = values.contributions[c.id]
    after = terms_of(p)
    if after == before:
        raise ValidationError({"reason": "Ändringen ändrar ingenting i överenskommelsen."})
    session.flush()
    pdf = draw(p)
    rule = process.agreement
    doc = documents.store_document(session, documents_dir, tenant, actor, partnership=p, kind=rule.draft_kind,
                                   title=f"Ändring av överenskommelsen, version {_next_number(session, p)}",
                                   filename="andring.pdf", content=pdf)
    version = AgreementVersion(
        tenant_id=tenant.id, partnership_id=p.id, number=_next_number(session, p), origin=AMENDMENT,
        document_id=doc.id, sha256=doc.sha256, terms=after, decided_by_id=actor.id, decided_role=role_title,
        reason=reason)
    session.add(version)
    session.flush()
    sharing.set_shared(session, tenant, actor, p, "document", doc.id, True)
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=p.id,
                 action="amend_agreement", before=before, after={**after, "version": version.number,
                                                                 "reason": reason, "role": role_title})
    return version


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class VersionView:
    version: AgreementVersion
    origin: str
    signatures: list[AgreementSignature]
    missing: list[str]
    in_force: bool
    # For a process that assesses the proposal (TY-05): the assessment of this exact file, if any.
    assessment: AgreementAssessment | None = None


def overview(session: Session, tenant: Tenant, p: Partnership) -> list[VersionView]:
    """Every decided version, newest last, with its signatures, the parties
    still to sign and its assessment. ``p`` with its parties loaded."""
    found = versions(session, tenant, p.id)
    signed = signatures(session, [v.id for v in found])
    assessments = {a.sha256: a for a in session.scalars(select(AgreementAssessment).where(
        AgreementAssessment.tenant_id == tenant.id, AgreementAssessment.partnership_id == p.id)
        .order_by(AgreementAssessment.id))}
    names = {KOMMUN: tenant.name, **{
        party_key(party.organisation_id): party.organisation.name
        for party in p.parties if party.organisation_id and party.organisation is not None}}
    out = []
    for i, v in enumerate(found):
        done = {s.party_key for s in signed[v.id]}
        out.append(VersionView(v, ORIGINS.get(v.origin, v.origin), signed[v.id],
                               [names.get(k, k) for k in required_parties(p) if k not in done],
                               i == len(found) - 1, assessments.get(v.sha256)))
    return out


def describe_check(session: Session, tenant: Tenant, partnership_id: int, content: bytes) -> str:
    """In words: whether a file is exactly one of the decided versions, and who signed it."""
    if not content:
        return "Välj filen du vill kontrollera."
    found = matching(session, tenant, partnership_id, content)
    if not found:
        return ("Filen stämmer inte med någon beslutad version av överenskommelsen. Den kan vara ändrad, "
                "eller en annan fil.")
    v = found[-1]
    signed = signatures(session, [v.id])[v.id]
    who = ", ".join(f"{s.signer_name} ({s.capacity.lower()}) {s.signed_at.date().isoformat()}" for s in signed)
    return (f"Filen är exakt version {v.number} av överenskommelsen, beslutad {v.decided_at.date().isoformat()}."
            + (f" Den är undertecknad av {who}." if who else " Ingen har skrivit under den ännu."))
