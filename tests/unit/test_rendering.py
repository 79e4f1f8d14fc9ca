"""The hand-written Swedish date formats say exactly what babel (CLDR) says."""

from datetime import date, datetime, timedelta, timezone

from babel.dates import format_date, format_datetime

from web.rendering import STOCKHOLM, sv_date, sv_datetime


def test_swedish_dates_match_babel_on_every_day_of_a_leap_year_and_at_the_edges():
    days = [date(2024, 1, 1) + timedelta(days=n) for n in range(366)] + [date(1, 1, 1), date(999, 12, 31),
                                                                         date(9999, 12, 31)]
    for day in days:
        assert sv_date(day) == format_date(day, format="d MMMM y", locale="sv_SE")
        assert sv_date(day, "short") == format_date(day, format="yyyy-MM-dd", locale="sv_SE")


def test_swedish_times_match_babel_across_daylight_saving():
    moments = [datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc) + timedelta(minutes=37 * n) for n in range(100)]
    moments += [datetime(2026, 10, 25, 0, 0, tzinfo=timezone.utc) + timedelta(minutes=29 * n) for n in range(100)]
    for moment in moments:
        assert sv_datetime(moment) == format_datetime(moment.astimezone(STOCKHOLM), format="d MMMM y 'kl.' HH:mm",
                                                      locale="sv_SE")


def test_a_title_mid_sentence_keeps_its_abbreviations():
    """Issue 11 saw "inleda iop": a title lower-cased inside a sentence keeps IOP."""
    from web.rendering import mid_sentence

    assert mid_sentence("Checklista inför övervägande om att inleda IOP") == "checklista inför övervägande om att inleda IOP"
    assert mid_sentence("IOP-koordinator") == "IOP-koordinator"
    assert mid_sentence("Årlig uppföljning") == "årlig uppföljning"
    assert mid_sentence("") == ""
