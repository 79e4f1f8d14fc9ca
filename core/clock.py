"""The date as Swedish municipalities count it: deadlines fall on Swedish days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SWEDEN = ZoneInfo("Europe/Stockholm")


def today() -> date:
    return datetime.now(SWEDEN).date()
