"""The agreement as decided and signed (GEN-09, JV-11; core.services.agreements).

A version is the exact PDF the decision body decided (or an ändring
decided), with its SHA-256 and the terms it fixes; a signature records who
signed which version, when, in which capacity and the SHA-256 of the file
signed. Both are append-only: a later change is a new version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.tenancy import TenantOwned, same_tenant

DECIDED = "beslut"
AMENDMENT = "andring"
ORIGINS = {DECIDED: "Beslutad överenskommelse", AMENDMENT: "Ändring"}


class AgreementVersion(TenantOwned, Base):
    __tablename__ = "agreement_version"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("partnership_id", "number", name="uq_agreement_version_partnership_id_number"),
        same_tenant("partnership_id", "partnership"),
        same_tenant("document_id", "document"),
        same_tenant("decision_id", "decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(12))
    document_id: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # What the version fixes: period, goals and each party's contributions.
    terms: Mapped[dict] = mapped_column(JSON, default=dict)
    # The decision that decided it: a process step's, or for an ändring the
    # role and reason given with it.
    decision_id: Mapped[int | None] = mapped_column(Integer)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_role: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreementSignature(TenantOwned, Base):
    __tablename__ = "agreement_signature"
    __table_args__ = (
        same_tenant("version_id", "agreement_version"),
        same_tenant("partnership_id", "partnership"),
        # One signature per party and version: the kommun's (no organisation) or an organisation's.
        UniqueConstraint("version_id", "party_key", name="uq_agreement_signature_version_id_party_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(Integer, index=True)
    version_id: Mapped[int] = mapped_column(Integer, index=True)
    # "kommun", or "org:<organisation id>".
    party_key: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    signer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    signer_name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreementAssessment(TenantOwned, Base):
    """An assessment of the proposal the process asks for (Tyresö's barnets
    bästa, TY-05), tied to the exact file assessed by its SHA-256. Append-only."""

    __tablename__ = "agreement_assessment"
    __table_args__ = (
        same_tenant("partnership_id", "partnership"),
        same_tenant("document_id", "document"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(Integer, index=True)
    document_id: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    role_title: Mapped[str] = mapped_column(String(200))
    motivation: Mapped[str] = mapped_column(Text, default="")
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)
