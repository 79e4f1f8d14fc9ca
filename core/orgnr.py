"""Swedish organisationsnummer: NNNNNN-NNNN with a Luhn check digit, checked
with python-stdnum; and what the first digit (the group) says of the legal form.

Bolagsverket and Skatteverket give the first digit by the kind of legal
person: 2 for the state, regioner, kommuner and församlingar (the Church of
Sweden's parishes and some registered faith communities), 5 for aktiebolag,
7 for ekonomiska föreningar, 8 for ideella föreningar and stiftelser (and
most registered faith communities), 9 for handelsbolag. The third digit of an
organisationsnummer is always 2 or more, which tells it from a personnummer.
"""

from __future__ import annotations

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.se import orgnr

FORMAT_MESSAGE = "Skriv organisationsnumret som tio siffror, till exempel 802000-0000."

# Which groups each legal form of an idéburen organisation can have.
GROUPS_BY_LEGAL_FORM: dict[str, frozenset[str]] = {
    "ideell_forening": frozenset("8"),
    "stiftelse": frozenset("8"),
    "trossamfund": frozenset("28"),
    "ekonomisk_forening": frozenset("7"),
    "aktiebolag_svb": frozenset("5"),
    "annan": frozenset("2789"),
}

GROUP_NAMES = {
    "1": "dödsbon",
    "2": "stat, regioner, kommuner och församlingar",
    "3": "utländska företag",
    "5": "aktiebolag",
    "6": "enkla bolag",
    "7": "ekonomiska föreningar",
    "8": "ideella föreningar och stiftelser",
    "9": "handelsbolag och kommanditbolag",
}


def check_organisationsnummer(value: str) -> tuple[str | None, str | None]:
    """Returns (normalised number, None) or (None, a Swedish message)."""
    raw = (value or "").strip().replace(" ", "")
    if not raw.replace("-", "").isascii():
        return None, FORMAT_MESSAGE
    digits = raw.replace("-", "")
    if len(digits) != 10 or (("-" in raw) and raw.index("-") != 6) or raw.count("-") > 1:
        return None, FORMAT_MESSAGE
    try:
        number = orgnr.validate(digits)
    except InvalidChecksum:
        return None, "Organisationsnumret stämmer inte: kontrollsiffran (den sista siffran) är fel. Kontrollera numret."
    except ValidationError:
        return None, FORMAT_MESSAGE
    if int(number[2]) < 2:
        return None, ("Det ser ut som ett personnummer. Skriv organisationens nummer; "
                      "de tredje och fjärde siffrorna är 20 eller mer.")
    return orgnr.format(number), None


def check_legal_form(number: str, legal_form: str) -> str | None:
    """A Swedish message when the organisationsnummer's group cannot be that legal
    form (a 556… aktiebolag is not an ideell förening); None when it fits."""
    groups = GROUPS_BY_LEGAL_FORM.get(legal_form)
    group = number[:1]
    if groups is None or group in groups:
        return None
    what = GROUP_NAMES.get(group, "en annan sorts organisation")
    return (f"Organisationsnummer som börjar på {group} tillhör {what}. "
            "Kontrollera numret eller välj den organisationsform som står i registreringsbeviset.")


def with_check_digit(nine_digits: str) -> str:
    """Completes nine digits with their Luhn check digit (for demo and test data)."""
    digits = nine_digits + luhn.calc_check_digit(nine_digits)
    return f"{digits[:6]}-{digits[6:]}"
