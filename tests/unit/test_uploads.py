"""Uploads, the parts that need no database: cleaning the file name (issue 7)."""

import pytest

from core.services.documents import MAX_FILENAME, clean_filename


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
