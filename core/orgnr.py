"""Swedish organisationsnummer: NNNNNN-NNNN with a Luhn check digit."""

from __future__ import annotations

import re

_FORMAT = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def check_organisationsnummer(value: str) -> tuple[str | None, str | None]:
    """Returns (normalised number, None) or (None, a Swedish message)."""
    raw = value.strip().replace(" ", "")
    m = _FORMAT.match(raw)
    if not m:
        return None, "Skriv organisationsnumret som tio siffror, till exempel 802000-0000."
    digits = m.group(1) + m.group(2)
    if not luhn_valid(digits):
        return None, "Organisationsnumret stämmer inte: kontrollsiffran (den sista siffran) är fel. Kontrollera numret."
    return f"{m.group(1)}-{m.group(2)}", None


def with_check_digit(nine_digits: str) -> str:
    """Completes nine digits with their Luhn check digit (for demo and test data)."""
    for last in "0123456789":
        if luhn_valid(nine_digits + last):
            digits = nine_digits + last
            return f"{digits[:6]}-{digits[6:]}"
    raise AssertionError("unreachable")
