import pytest

from core.orgnr import check_organisationsnummer, luhn_valid, with_check_digit


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
        assert luhn_valid(with_check_digit(nine).replace("-", ""))
