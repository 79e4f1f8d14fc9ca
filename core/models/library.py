from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

# The documents an organisation is asked for again and again, by every kommun
# (Järva's JV-05 names five of them). Keys match the kinds processes use, so
# an application can attach the library's copy of what a step requires.
LIBRARY_KINDS = {
    "stadgar": "Stadgar",
    "arsmotesprotokoll": "Protokoll från årsmöte",
    "verksamhetsberattelse": "Verksamhetsberättelse",
    "resultat_och_balansrakning": "Resultat- och balansräkning",
    "revisionsberattelse": "Revisionsberättelse",
    "verksamhetsplan": "Verksamhetsplan",
    "registreringsbevis": "Registreringsbevis",
    "ovrigt": "Annat dokument",
}


class LibraryDocument(Base):
    """A document in an organisation's own library: kept once, with the year
    it concerns, and reused across applications and kommuner. Only the
    organisation's representatives see the library; a kommun sees a document
    when the organisation attaches it to something it sends."""

    __tablename__ = "organisation_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    storage_name: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return LIBRARY_KINDS.get(self.kind, self.kind)
