"""Documents: stored outside the web root under generated names, with size and SHA-256."""

import hashlib
import os
import stat

import pytest

from core.services import ValidationError, documents
from tests import uploadfiles

PDF = b"%PDF-1.7\n% test\n"


def test_stored_with_generated_name_size_and_hash(db, world, settings):
    doc = documents.store_document(db, settings.documents_dir, world.jarva, None, partnership=world.jarva_partnership,
                                   kind="overenskommelse", title="Överenskommelse", filename="../../etc/passwd.pdf",
                                   content=PDF)
    path = documents.document_path(settings.documents_dir, doc)
    assert path.read_bytes() == PDF
    assert path.name == doc.storage_name and "passwd" not in doc.storage_name
    assert doc.original_filename == "passwd.pdf"
    assert doc.size == len(PDF) and doc.sha256 == hashlib.sha256(PDF).hexdigest()
    again = documents.store_document(db, settings.documents_dir, world.jarva, None, partnership=world.jarva_partnership,
                                     kind="overenskommelse", title="Överenskommelse", filename="v2.pdf", content=PDF)
    assert again.version == 2


@pytest.mark.parametrize(
    "filename,content,message",
    [
        ("virus.exe", b"MZ", "Filtypen"),
        ("fake.pdf", b"<html>", "stämmer inte med filändelsen"),
        ("empty.pdf", b"", "tom"),
    ],
)
def test_checked_by_extension_and_magic_bytes(db, world, settings, filename, content, message):
    with pytest.raises(ValidationError) as exc:
        documents.store_document(db, settings.documents_dir, world.jarva, None, partnership=world.jarva_partnership,
                                 kind="ovrigt", title="Fil", filename=filename, content=content)
    assert message in exc.value.errors["file"]


def _store(db, world, settings, filename, content, title="Fil"):
    return documents.store_document(db, settings.documents_dir, world.jarva, None, partnership=world.jarva_partnership,
                                    kind="ovrigt", title=title, filename=filename, content=content)


def _refusal(db, world, settings, filename, content) -> str:
    with pytest.raises(ValidationError) as exc:
        _store(db, world, settings, filename, content)
    return exc.value.errors["file"]


def test_long_name_keeps_its_real_extension(db, world, settings):
    """Issue 7: the name used to be cut to 255 characters after the check, so
    "xxx….html.pdf" was stored as "xxx….html"."""
    doc = _store(db, world, settings, "x" * 250 + ".html.pdf", PDF)
    db.commit()
    db.expire_all()
    assert len(doc.original_filename) <= 255
    assert doc.original_filename.endswith(".pdf")
    assert doc.content_type == "application/pdf"


def test_bidirectional_characters_are_removed_before_the_check(db, world, settings):
    """Issue 7: "report\u202Efdp.exe" looks like "reportexe.pdf" but is an .exe."""
    assert "Filtypen" in _refusal(db, world, settings, "report\u202efdp.exe", b"MZ")
    doc = _store(db, world, settings, "invoice\u202egpj.pdf", PDF)
    assert doc.original_filename == "invoicegpj.pdf"


def test_name_of_nothing_but_control_characters(db, world, settings):
    for filename in ["\u202e\u202d\u2066\u2069", "\x00\x01\x1f", "\u200b\u200e\u200f", "...", "mapp/"]:
        assert "Byt namn på filen" in _refusal(db, world, settings, filename, PDF), repr(filename)


def test_no_file_chosen(db, world, settings):
    assert _refusal(db, world, settings, "", b"") == "Välj en fil att ladda upp."


def test_real_office_files_are_stored(db, world, settings):
    for filename, content in [("beslut.docx", uploadfiles.docx()), ("budget.xlsx", uploadfiles.xlsx()),
                              ("protokoll.odt", uploadfiles.odt())]:
        doc = _store(db, world, settings, filename, content, title=filename)
        assert documents.document_path(settings.documents_dir, doc).read_bytes() == content


def test_office_files_must_be_the_format_they_claim(db, world, settings):
    """Issue 7: any zip used to pass as .docx, .xlsx or .odt; a zip bomb too."""
    for filename, content, message in [
        ("beslut.docx", uploadfiles.plain_zip(),
         "Filen är inte ett riktigt Word-dokument (docx). Spara den på nytt i Word och försök igen."),
        ("protokoll.odt", uploadfiles.odt(b"application/zip"), "Filen är inte ett riktigt OpenDocument-dokument (odt)."),
        ("budget.xlsx", b"Namn;Belopp\nHyra;1000\n", "Filen är inte en riktig Excel-fil (xlsx)."),
        ("budget.xlsx", b"PK\x03\x04 inget mer", "Filen är inte en riktig Excel-fil (xlsx)."),
        ("beslut.docx", uploadfiles.zip_bomb(".docx"), "när den packas upp och kan inte laddas upp"),
    ]:
        assert message in _refusal(db, world, settings, filename, content), filename
    assert not settings.documents_dir.exists() or not any(p.is_file() for p in settings.documents_dir.rglob("*"))


@pytest.fixture
def permissive_umask():
    """umask 000: the modes must come from the code, not from the environment."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_stored_files_are_readable_by_the_application_only(db, world, settings, permissive_umask):
    """Issue 7: stored documents were created 0644 in 0755 folders."""
    doc = _store(db, world, settings, "beslut.pdf", PDF)
    path = documents.document_path(settings.documents_dir, doc)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(settings.documents_dir.stat().st_mode) == 0o700
