"""An organisation's document library (core.models.library): its
representatives upload each document once, with the year it concerns, and
reuse it in every application to every kommun."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core import clock
from core.models import LibraryDocument, Organisation, User
from core.models.library import LIBRARY_KINDS
from core.services import ValidationError, audit
from core.services.documents import ALLOWED, checked_file, write_private
from core.tenancy import as_platform
from core.values import clean_text, parse_int, too_long

FOLDER = "organisationer"
EARLIEST_YEAR = 1900


def folder(documents_dir: Path, organisation: Organisation) -> Path:
    return documents_dir / FOLDER / str(organisation.id)


def add(session: Session, documents_dir: Path, organisation: Organisation, actor: User, *, kind: str, year: str,
        title: str, filename: str, content: bytes) -> LibraryDocument:
    errors: dict[str, str] = {}
    file_errors: dict[str, str] = {}
    name, ext = checked_file(filename, content, file_errors)
    if kind not in LIBRARY_KINDS:
        errors["kind"] = "Välj vilket slags dokument det är."
    this_year = clock.today().year
    number = parse_int(year.strip())
    if number is None or not EARLIEST_YEAR <= number <= this_year + 1:
        errors["year"] = f"Skriv vilket år dokumentet gäller, till exempel {this_year - 1}."
    title = clean_text(title) or (LIBRARY_KINDS.get(kind, "") + (f" {number}" if number else "")).strip()
    if message := too_long(title, 300):
        errors["title"] = message
    errors.update(file_errors)  # in the form's order: the file comes last
    if errors:
        raise ValidationError(errors)
    storage_name = write_private(folder(documents_dir, organisation), content)
    doc = LibraryDocument(organisation_id=organisation.id, kind=kind, year=number, title=title,
                          original_filename=name, content_type=ALLOWED[ext][0], storage_name=storage_name,
                          size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by_id=actor.id)
    session.add(doc)
    session.flush()
    with as_platform(session):
        audit.record(session, actor=actor, tenant=None, object_type="organisation_document", object_id=doc.id,
                     action="upload", after={"organisation": organisation.id, "kind": kind, "year": number,
                                             "sha256": doc.sha256})
    return doc


def listed(session: Session, organisation: Organisation) -> list[LibraryDocument]:
    """The library, by kind in the order of LIBRARY_KINDS, newest year first."""
    order = list(LIBRARY_KINDS)
    docs = session.scalars(select(LibraryDocument).where(LibraryDocument.organisation_id == organisation.id))
    return sorted(docs, key=lambda d: (order.index(d.kind) if d.kind in order else len(order), -d.year, -d.id))


def get(session: Session, organisation: Organisation, document_id: int) -> LibraryDocument | None:
    doc = session.get(LibraryDocument, document_id)
    return doc if doc is not None and doc.organisation_id == organisation.id else None


def path_of(documents_dir: Path, doc: LibraryDocument) -> Path:
    return documents_dir / FOLDER / str(doc.organisation_id) / doc.storage_name


def remove(session: Session, documents_dir: Path, doc: LibraryDocument, actor: User) -> None:
    """Removes the document from the library. (Once applications attach
    library documents, an attached one stays: what was sent is kept.)"""
    with as_platform(session):
        audit.record(session, actor=actor, tenant=None, object_type="organisation_document", object_id=doc.id,
                     action="remove", before={"organisation": doc.organisation_id, "kind": doc.kind,
                                              "year": doc.year, "sha256": doc.sha256})
    session.delete(doc)
    session.flush()
    stored = path_of(documents_dir, doc)
    # The file goes once the removal is committed: a rolled-back removal keeps both.
    event.listen(session, "after_commit", lambda _session: stored.unlink(missing_ok=True), once=True)
