import pytest

from stdnum import luhn

from core.orgnr import check_legal_form, check_organisationsnummer, with_check_digit


@pytest.mark.parametrize("raw,expected", [("802002-8711", "802002-8711"), ("8020028711", "802002-8711"), (" 802002-8711 ", "802002-8711")])
def test_valid_numbers_are_normalised(raw, expected):
    assert check_organisationsnummer(raw) == (expected, None)


def test_wrong_check_digit_is_explained_in_swedish():
    number, message = check_organisationsnummer("802002-8712")
    assert number is None
    assert "kontrollsiffran" in message


@pytest.mark.parametrize("raw", ["", "80200-28711", "abcdef-ghij", "802002-87111"])
def test_wrong_format_is_explained_in_swedish(raw):
    number, message = check_organisationsnummer(raw)
    assert number is None and "tio siffror" in message


def test_check_digit_completion_gives_valid_numbers():
    for nine in ("802999001", "556000000", "212000013"):
        assert luhn.is_valid(with_check_digit(nine).replace("-", ""))


@pytest.mark.parametrize("raw", ["８０２００２-８７１１", "802002-8711\x00", "80-20028711"])
def test_digits_are_ascii_and_the_dash_in_its_place(raw):
    assert check_organisationsnummer(raw)[0] is None


def test_a_personnummer_is_not_an_organisationsnummer():
    number, message = check_organisationsnummer(with_check_digit("850101123"))
    assert number is None and "personnummer" in message


@pytest.mark.parametrize("number,form,fits", [
    ("556000-0000", "ideell_forening", False),
    ("556000-0000", "aktiebolag_svb", True),
    ("802000-0000", "ideell_forening", True),
    ("802000-0000", "stiftelse", True),
    ("769600-0000", "ekonomisk_forening", True),
    ("769600-0000", "stiftelse", False),
    ("252000-0000", "trossamfund", True),
    ("916000-0000", "ideell_forening", False),
])
def test_the_legal_form_must_fit_the_group_digit(number, form, fits):
    message = check_legal_form(number, form)
    assert (message is None) is fits
    if not fits:
        assert f"börjar på {number[0]}" in message
