"""Rendering pages and htmx fragments, and Swedish formatting for templates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_decimal
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.response import File

from core.process import number_word

# Parsed once: babel would parse the name again for every date on a page.
LOCALE = Locale.parse("sv_SE")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


# Swedish month names as CLDR (babel) writes them in "d MMMM y". Written out
# here because every list row shows dates, and babel's formatter cost a tenth
# of a millisecond each (tests/unit/test_rendering.py checks they agree).
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")


def sv_date(value: date | None, style: str = "long") -> str:
    if value is None:
        return "–"
    if style != "long":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def sv_datetime(value: datetime | None) -> str:
    if value is None:
        return "–"
    local = value.astimezone(STOCKHOLM)
    return f"{sv_date(local)} kl. {local.hour:02d}:{local.minute:02d}"


def sv_number(value: Decimal | int | float | None) -> str:
    if value is None:
        return "–"
    return format_decimal(value, locale=LOCALE)


def sv_filesize(size: int) -> str:
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{sv_number(round(size / 1024))} kB"
    return f"{format_decimal(round(size / (1024 * 1024), 1), locale=LOCALE)} MB"


def mid_sentence(title: str | None) -> str:
    """A title as it reads inside a Swedish sentence: its first letter in
    lower case, unless the first word is an abbreviation ("IOP-koordinator",
    "IOP") that keeps its capitals."""
    if not title:
        return ""
    first = title.split(" ", 1)[0].split("-", 1)[0]
    if len(first) > 1 and first.isupper():
        return title
    return title[0].lower() + title[1:]


FILTERS = {"sv_date": sv_date, "sv_datetime": sv_datetime, "sv_number": sv_number, "sv_filesize": sv_filesize,
           "in_words": number_word, "mid_sentence": mid_sentence}


def page(
    request: Request,
    template: str,
    *,
    block: str | None = None,
    status_code: int = 200,
    **context,
) -> HTMXBlockTemplate:
    """The whole page for a normal request; only ``block`` when htmx asks for the
    region that block renders (its element id equals the block name)."""
    htmx = getattr(request, "htmx", None)
    partial = bool(block and htmx and htmx.target == block)
    response = HTMXBlockTemplate(
        template_name=template,
        block_name=block if partial else None,
        context=context,
        status_code=status_code,
    )
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


def attachment(path, doc) -> File:
    """A stored file for download under its original name; never shown in
    the browser, never sniffed as another type."""
    if doc is None:
        raise NotFoundException()
    return File(path=path, filename=doc.original_filename, media_type=doc.content_type,
                content_disposition_type="attachment", headers={"X-Content-Type-Options": "nosniff"})
