"""Documents: stored outside the web root under generated names, with size and SHA-256."""

import hashlib

import pytest

from core.services import ValidationError, documents

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
