"""Uploads, the parts that need no database: cleaning the file name and
judging a file by its content (issue 7)."""

import random

import pytest

from core.services.documents import MAX_BYTES, MAX_FILENAME, clean_filename, content_problem
from tests import uploadfiles


@pytest.mark.parametrize(
    "given,expected",
    [
        ("rapport.pdf", "rapport.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\anna\\Skrivbord\\budget.xlsx", "budget.xlsx"),
        ("mapp\\..\\..\\hemlig.pdf", "hemlig.pdf"),
        # Right-to-left override: shown as "reportexe.pdf", really an .exe.
        ("report\u202efdp.exe", "reportfdp.exe"),
        ("invoice\u202egpj.pdf", "invoicegpj.pdf"),
        # Isolates, marks, zero-width characters, byte-order mark, NUL.
        ("\u2066a\u2069\u200eb\u200f\u200bc\u200d\ufeff\x00.pdf", "abc.pdf"),
        # Whitespace of every sort becomes one space; words are not glued together.
        ("  årsrapport\t2024\n\u00a0slutlig\u2028.pdf  ", "årsrapport 2024 slutlig .pdf"),
        # Hidden-file names lose their leading dots.
        (".htaccess.txt", "htaccess.txt"),
        (". . .env.txt", "env.txt"),
        # Decomposed "å" (a + ring) is composed: one name, one spelling.
        ("a\u030arsrapport.pdf", "\u00e5rsrapport.pdf"),
    ],
)
def test_clean_filename(given, expected):
    assert clean_filename(given) == expected


@pytest.mark.parametrize("given", ["", "   ", "\u202e\u202d\u200b\x00\x1f", "mapp/", "C:\\mapp\\", "..", "...\u200b"])
def test_nothing_usable_left(given):
    assert clean_filename(given) == ""


def test_long_name_is_cut_in_the_stem_and_keeps_its_extension():
    name = clean_filename("x" * 250 + ".html.pdf")
    assert len(name) <= MAX_FILENAME
    assert name.endswith(".pdf") and not name.endswith(".html")
    assert clean_filename("å" * 300 + ".docx") == "å" * (MAX_FILENAME - 5) + ".docx"


def test_long_extension_is_cut_like_the_rest():
    name = clean_filename("a." + "b" * 300)
    assert len(name) == MAX_FILENAME and name.startswith("a.b")


# ------------------------------------------------------------ content of zip-based files

def test_real_minimal_office_files_pass():
    assert content_problem(".docx", uploadfiles.docx()) is None
    assert content_problem(".xlsx", uploadfiles.xlsx()) is None
    assert content_problem(".odt", uploadfiles.odt()) is None


def test_word_online_main_part_name_passes():
    """Word Online and SharePoint save the main part as word/document2.xml."""
    assert content_problem(".docx", uploadfiles.docx("word/document2.xml")) is None


@pytest.mark.parametrize(
    "ext,content,says",
    [
        (".docx", uploadfiles.plain_zip(), "inte ett riktigt Word-dokument (docx)"),
        (".xlsx", uploadfiles.plain_zip(), "inte en riktig Excel-fil (xlsx)"),
        (".odt", uploadfiles.plain_zip(), "inte ett riktigt OpenDocument-dokument (odt)"),
        # Right members, wrong format.
        (".docx", uploadfiles.xlsx(), "Word-dokument"),
        (".xlsx", uploadfiles.docx(), "Excel-fil"),
        (".odt", uploadfiles.docx(), "OpenDocument"),
        (".odt", uploadfiles.odt(b"application/vnd.oasis.opendocument.spreadsheet"), "OpenDocument"),
        (".odt", uploadfiles.odt(uploadfiles.ODT_MIMETYPE + b"\n"), "OpenDocument"),
        # Not a zip at all, or only its first four bytes.
        (".xlsx", b"Namn;Belopp\nHyra;1000\n", "Excel-fil"),
        (".xlsx", b"PK\x03\x04 inget mer", "Excel-fil"),
        (".docx", uploadfiles.docx()[:-30], "Word-dokument"),
    ],
)
def test_zip_that_is_not_the_format_it_claims(ext, content, says):
    assert says in content_problem(ext, content)


@pytest.mark.parametrize("ext", [".docx", ".xlsx", ".odt"])
def test_zip_bomb_is_refused_without_unpacking(ext):
    bomb = uploadfiles.zip_bomb(ext)
    assert len(bomb) < MAX_BYTES
    assert "större än 100 MB när den packas upp" in content_problem(ext, bomb)


def test_zip_of_too_many_members_is_refused():
    assert "fler än 10\u00a0000 delar" in content_problem(".docx", uploadfiles.too_many_members())


def test_damaged_zip_never_raises():
    """Whatever bytes arrive, the check answers with None or one of its sentences."""
    rng = random.Random(7)
    originals = [uploadfiles.docx(), uploadfiles.odt(), uploadfiles.xlsx()]
    answers = {
        ext: {None, content_problem(ext, b"PK\x03\x04"), content_problem(ext, uploadfiles.zip_bomb(ext)),
              content_problem(ext, uploadfiles.too_many_members())}
        for ext in (".docx", ".xlsx", ".odt")
    }
    for _ in range(500):
        data = bytearray(rng.choice(originals))
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(4, len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(4, len(data))]
        for ext, possible in answers.items():
            assert content_problem(ext, bytes(data)) in possible


def test_pdf_must_start_with_its_signature():
    assert content_problem(".pdf", b"%PDF-1.7\n") is None
    assert "stämmer inte med filändelsen" in content_problem(".pdf", b"<html>%PDF-1.7")
