"""Storing documents: checked by size, extension and content, kept outside the
web root under generated names, with size and SHA-256 recorded."""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
import zlib
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Document, Partnership, Tenant, User
from core.models.diarium import SECRECY_GROUNDS
from core.services import ValidationError, audit
from core.values import clean_text, too_long

MAX_BYTES = 20 * 1024 * 1024
# The database column holds 255 characters.
MAX_FILENAME = 255
# Characters that are dropped from a file name: control characters (Cc), format
# characters (Cf: the bidirectional overrides and isolates U+202A-U+202E and
# U+2066-U+2069, the direction marks U+200E/U+200F, zero-width characters, the
# soft hyphen) and lone surrogates (Cs), which could not even be stored as UTF-8.
# "report\u202Efdp.exe" would otherwise be shown as "reportexe.pdf".
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs"}

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

# A zip-based upload (docx, xlsx, odt) is refused when it would unpack to more
# than this, or holds more members than this: a "zip bomb" is judged by its
# directory and never unpacked.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Every member has one entry in the zip's central directory, and zipfile
# refuses an entry that does not begin with this signature: counting it bounds
# the members before the directory is parsed into objects.
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
# Anything a damaged or hostile zip can raise while its directory or a member is read.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
               NotImplementedError, RuntimeError)

# Extension -> the members every real Office Open XML file of that format
# holds: the content types and the main part. Word Online and SharePoint save
# the main part as word/document2.xml, so a number before ".xml" is allowed.
_OOXML_PARTS = {
    ".docx": ("[Content_Types].xml", re.compile(r"word/document\d*\.xml")),
    ".xlsx": ("[Content_Types].xml", re.compile(r"xl/workbook\d*\.xml")),
}
# Extension -> what to say when a zip-based upload is not the format it claims.
_NOT_REAL = {
    ".docx": "Filen är inte ett riktigt Word-dokument (docx). Spara den på nytt i Word och försök igen.",
    ".xlsx": "Filen är inte en riktig Excel-fil (xlsx). Spara den på nytt i Excel och försök igen.",
    ".odt": "Filen är inte ett riktigt OpenDocument-dokument (odt). Spara den på nytt i LibreOffice eller OpenOffice och försök igen.",
}
_MISMATCH = "Filens innehåll stämmer inte med filändelsen. Kontrollera att det är rätt fil."


def _sv_number(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def content_problem(ext: str, content: bytes) -> str | None:
    """Why ``content`` is not a file of the (allowed) type ``ext``, as a Swedish
    sentence, or None when it is. Zip-based formats are checked by their
    directory and, for ODF, the few bytes of the ``mimetype`` member; nothing
    else is unpacked."""
    if ext in _NOT_REAL:
        return _package_problem(ext, content)
    return None if ALLOWED[ext][1](content) else _MISMATCH


def _package_problem(ext: str, content: bytes) -> str | None:
    not_real = _NOT_REAL[ext]
    if not ALLOWED[ext][1](content):
        return not_real
    if content.count(_CENTRAL_DIRECTORY_ENTRY) > MAX_ZIP_MEMBERS:
        return f"Filen består av fler än {_sv_number(MAX_ZIP_MEMBERS)} delar och kan inte laddas upp."
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            members = package.infolist()
            if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
                return (
                    f"Filen blir större än {_sv_number(MAX_UNPACKED_BYTES // (1024 * 1024))} MB när den packas upp "
                    "och kan inte laddas upp. Dela upp innehållet i mindre filer."
                )
            if ext == ".odt":
                # ODF stores "mimetype" first and uncompressed; read no more than its expected length.
                try:
                    info = package.getinfo("mimetype")
                except KeyError:
                    return not_real
                if info.file_size != len(ODT_MIMETYPE):
                    return not_real
                with package.open(info) as member:
                    return None if member.read(len(ODT_MIMETYPE) + 1) == ODT_MIMETYPE else not_real
            content_types, main_part = _OOXML_PARTS[ext]
            names = {info.filename for info in members}
            if content_types not in names or not any(main_part.fullmatch(name) for name in names):
                return not_real
            return None
    except _ZIP_ERRORS:
        return not_real


def clean_filename(filename: str) -> str:
    """The name a person gave the file, made safe to show and to judge by its
    extension: the base name only (also of a Windows path), NFC-normalised,
    without control, format and bidirectional characters, with whitespace
    collapsed, without leading dots, and at most 255 characters with the final
    extension kept. May return "" when nothing usable is left."""
    kept = []
    for ch in unicodedata.normalize("NFC", filename):
        # Whitespace (tab, newline, no-break space, line separator ...) becomes a
        # space, so that dropping control characters does not glue words together.
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in _DROPPED_CATEGORIES:
            kept.append(ch)
    name = "".join(kept).replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split()).lstrip(". ")
    if len(name) <= MAX_FILENAME:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) + 1 >= MAX_FILENAME:
        # No extension worth keeping: the name is refused by its type anyway.
        return name[:MAX_FILENAME].rstrip(". ")
    # Cut the stem, never the extension: "xxx….html.pdf" must stay a .pdf.
    return stem[: MAX_FILENAME - len(suffix) - 1].rstrip(". ") + "." + suffix


def checked_file(filename: str, content: bytes, errors: dict[str, str]) -> tuple[str, str]:
    """The upload's cleaned name and extension; what is wrong with it goes
    into ``errors["file"]``, in Swedish."""
    name = clean_filename(filename)
    ext = Path(name).suffix.lower()
    if not filename.strip() and not content:
        errors["file"] = "Välj en fil att ladda upp."
    elif not name:
        errors["file"] = (
            "Filnamnet består bara av tecken som inte går att använda. "
            "Byt namn på filen, till exempel till rapport.pdf, och försök igen."
        )
    elif ext not in ALLOWED:
        errors["file"] = "Filtypen går inte att ladda upp. Använd PDF, Word (docx), OpenDocument (odt), Excel (xlsx), PNG, JPEG eller text."
    elif not content:
        errors["file"] = "Filen är tom."
    elif len(content) > MAX_BYTES:
        errors["file"] = f"Filen är för stor. Största tillåtna storlek är {MAX_BYTES // (1024 * 1024)} MB."
    elif problem := content_problem(ext, content):
        errors["file"] = problem
    return name, ext


def write_private(folder: Path, content: bytes) -> str:
    """Stores ``content`` under a generated name in ``folder`` (made private
    to the application's user) and returns the name."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    storage_name = secrets.token_hex(20)
    _write_private(folder / storage_name, content)
    return storage_name


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
    secrecy: str = "",
) -> Document:
    """``kinds``: the document kinds the partnership's process knows; the
    upload must be one of them. ``secrecy``: the paragraph of
    offentlighets- och sekretesslagen that applies, registered with it."""
    errors: dict[str, str] = {}
    name, ext = checked_file(filename, content, errors)
    title = clean_text(title)
    if not title:
        errors["title"] = "Skriv en rubrik för dokumentet."
    elif message := too_long(title, 300):
        errors["title"] = message
    if kinds is not None and kind not in kinds:
        errors["kind"] = "Välj vilken sorts dokument det är."
    if secrecy not in SECRECY_GROUNDS:
        errors["secrecy"] = "Välj om sekretess gäller, och i så fall enligt vilken paragraf."
    if errors:
        raise ValidationError(errors)
    if partnership is not None and partnership.tenant_id != tenant.id:
        raise ValueError("partnership of another tenant")

    # Only the application's own user may list or read what is uploaded.
    documents_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    storage_name = write_private(documents_dir / str(tenant.id), content)
    previous = session.scalar(
        select(func.max(Document.version)).where(
            Document.tenant_id == tenant.id,
            Document.partnership_id == (partnership.id if partnership else None),
            Document.title == title,
        )
    )
    doc = Document(
        tenant_id=tenant.id,
        partnership_id=partnership.id if partnership else None,
        kind=kind,
        title=title,
        original_filename=name,
        content_type=ALLOWED[ext][0],
        storage_name=storage_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        version=(previous or 0) + 1,
        uploaded_by_id=actor.id if actor else None,
        secrecy=secrecy,
    )
    session.add(doc)
    session.flush()
    audit.record(session, actor=actor, tenant=tenant, object_type="document", object_id=doc.id, action="upload",
                 after={"title": doc.title, "sha256": doc.sha256, "version": doc.version})
    return doc


def _write_private(path: Path, content: bytes) -> None:
    """Create ``path`` with mode 0600 from its first moment: write_bytes and a
    chmod afterwards leave a window in which another user can open the file
    and keep reading through that descriptor. O_EXCL also refuses an existing
    file or a planted symlink."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(fd, "wb") as file:
            file.write(content)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


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
