"""Storing documents: checked by size, extension and content, kept outside the
web root under generated names, with size and SHA-256 recorded."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Document, Partnership, Tenant, User
from core.services import ValidationError, audit

MAX_BYTES = 20 * 1024 * 1024

# Extension -> (content type, magic-byte check). Word's .docx/.xlsx are zip files.
ALLOWED = {
    ".pdf": ("application/pdf", lambda b: b.startswith(b"%PDF-")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", lambda b: b.startswith(b"PK\x03\x04")),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", lambda b: b.startswith(b"PK\x03\x04")),
    ".odt": ("application/vnd.oasis.opendocument.text", lambda b: b.startswith(b"PK\x03\x04")),
    ".png": ("image/png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ".txt": ("text/plain", lambda b: b"\x00" not in b[:4096]),
}


def store_document(
    session: Session,
    documents_dir: Path,
    tenant: Tenant,
    actor: User | None,
    *,
    partnership: Partnership | None,
    kind: str,
    title: str,
    filename: str,
    content: bytes,
    kinds: set[str] | None = None,
) -> Document:
    """``kinds``: the document kinds the partnership's process knows; the
    upload must be one of them."""
    errors: dict[str, str] = {}
    ext = Path(filename).suffix.lower()
    if ext not in ALLOWED:
        errors["file"] = "Filtypen går inte att ladda upp. Använd PDF, Word (docx), OpenDocument (odt), Excel (xlsx), PNG, JPEG eller text."
    elif not content:
        errors["file"] = "Filen är tom."
    elif len(content) > MAX_BYTES:
        errors["file"] = f"Filen är för stor. Största tillåtna storlek är {MAX_BYTES // (1024 * 1024)} MB."
    elif not ALLOWED[ext][1](content):
        errors["file"] = "Filens innehåll stämmer inte med filändelsen. Kontrollera att det är rätt fil."
    if not title.strip():
        errors["title"] = "Skriv en rubrik för dokumentet."
    if kinds is not None and kind not in kinds:
        errors["kind"] = "Välj vilken sorts dokument det är."
    if errors:
        raise ValidationError(errors)
    if partnership is not None and partnership.tenant_id != tenant.id:
        raise ValueError("partnership of another tenant")

    storage_name = secrets.token_hex(20)
    folder = documents_dir / str(tenant.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / storage_name).write_bytes(content)
    previous = session.scalar(
        select(func.max(Document.version)).where(
            Document.tenant_id == tenant.id,
            Document.partnership_id == (partnership.id if partnership else None),
            Document.title == title.strip(),
        )
    )
    doc = Document(
        tenant_id=tenant.id,
        partnership_id=partnership.id if partnership else None,
        kind=kind,
        title=title.strip(),
        original_filename=Path(filename).name[:255],
        content_type=ALLOWED[ext][0],
        storage_name=storage_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        version=(previous or 0) + 1,
        uploaded_by_id=actor.id if actor else None,
    )
    session.add(doc)
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="document", object_id=doc.id, action="upload",
                 after={"title": doc.title, "sha256": doc.sha256, "version": doc.version})
    return doc


def list_documents(session: Session, tenant: Tenant, partnership: Partnership) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.tenant_id == tenant.id, Document.partnership_id == partnership.id)
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
        )
    )


def get_document(session: Session, tenant: Tenant, document_id: int) -> Document | None:
    return session.scalar(select(Document).where(Document.id == document_id, Document.tenant_id == tenant.id))


def document_path(documents_dir: Path, doc: Document) -> Path:
    return documents_dir / str(doc.tenant_id) / doc.storage_name
