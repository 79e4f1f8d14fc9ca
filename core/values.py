"""Typed values from what people type, each with a Swedish message when it
cannot be read. Every service parses its input with these, so a date, an
amount, a number or a text means the same and is checked the same everywhere.

The rules, beyond the obvious: digits are ASCII digits ('²' and '١٢' are not
numbers to us); an amount is finite ('NaN' and 'Infinity' are not amounts);
a date lies between 1900 and 2199 (the deadline arithmetic of a process runs
years ahead of its dates and must never leave the calendar); text carries no
NUL bytes or other control characters (PostgreSQL refuses NUL, and nobody
types them) and is normalised to NFC so that 'å' is one letter for search.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

class ValidationError(Exception):
    """Bad input. ``errors`` maps a field name to a Swedish message a person can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
DATE_EXAMPLE = "2027-03-15"
# Control characters except tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def sanitise(value: str) -> str:
    """NFC, without control characters; whitespace is left as it was."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value))


def clean_text(value: str | None) -> str:
    """Text as it is kept: NFC, without control characters, without
    surrounding whitespace."""
    return sanitise(value).strip() if value else ""


def check_lengths(obj) -> dict[str, str]:
    """A message for each string column of ``obj`` whose value is longer than
    the column: PostgreSQL refuses such a value and SQLite keeps it silently,
    so neither may see it."""
    errors: dict[str, str] = {}
    for column in obj.__table__.columns:
        limit = getattr(column.type, "length", None)
        value = getattr(obj, column.key, None) if limit else None
        if isinstance(value, str) and (message := too_long(value, limit)):
            errors[column.key] = message
    return errors


def too_long(value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"Texten får vara högst {limit} tecken. Nu är den {len(value)} tecken."
    return None


def parse_int(raw: str | None, *, lowest: int = 0, highest: int = 2**31 - 1) -> int | None:
    """An integer written in ASCII digits within the range, or None."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(highest))):
        return None
    value = int(raw)
    return value if lowest <= value <= highest else None


def parse_date(raw: str | None, what: str = "datumet") -> tuple[date | None, str | None]:
    """(date, None), (None, None) for an empty answer, or (None, message)."""
    raw = (raw or "").strip()
    if not raw:
        return None, None
    shape = f"Skriv {what} som ÅÅÅÅ-MM-DD, till exempel {DATE_EXAMPLE}."
    if not _ISO_DATE.match(raw):
        return None, shape
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None, f"Det datumet finns inte i kalendern. {shape}"
    if not EARLIEST <= value <= LATEST:
        return None, f"Skriv ett datum mellan år {EARLIEST.year} och {LATEST.year}."
    return value, None


def parse_amount(raw: str | None, *, noun: str = "tal", unit: str = "") -> tuple[Decimal | None, str | None]:
    """A non-negative, finite amount with at most two decimals, written with
    spaces or a comma as Swedes do; (None, None) for an empty answer.
    ``noun`` and ``unit`` word the message: "Skriv ett belopp i kronor …"."""
    raw = (raw or "").strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace(",", ".")
    if not raw:
        return None, None
    shape = f"Skriv ett {noun}{' ' + unit if unit else ''}, till exempel 150 000."
    if not raw.isascii():
        return None, shape
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return None, shape
    if not amount.is_finite():
        return None, shape
    if amount < 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e12"):
        return None, f"Skriv ett positivt {noun} med högst två decimaler."
    return amount, None
