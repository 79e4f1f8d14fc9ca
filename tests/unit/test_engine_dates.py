"""The deadline arithmetic cannot raise on any stored date: every installed
process is evaluated with dates anywhere in the calendar, at the edges, in any
order, with meetings and the day of evaluation anywhere too. A date that no
form lets in (year 1, year 9999) may still be in a database."""

from datetime import date, datetime, time, timezone

from hypothesis import given, settings, strategies as st

from core.engine import CaseFacts, MeetingFact, deadline_state, evaluate
from core.process import CaseDates, add_days, add_months, due_windows
from core.registry import build_plugin_manager, build_registry

PROCESSES = [p for entry in build_registry(build_plugin_manager()).kommuner.values() for p in entry.processes]
ANY_DATE = st.one_of(st.dates(), st.sampled_from([date.min, date.max, date(1, 1, 1), date(9999, 12, 31),
                                                  date(2024, 2, 29), date(2026, 12, 31)]))


@settings(max_examples=300, deadline=None)
@given(process=st.sampled_from(PROCESSES), initiative=st.one_of(st.none(), ANY_DATE),
       start=st.one_of(st.none(), ANY_DATE), end=st.one_of(st.none(), ANY_DATE), today=ANY_DATE,
       meetings=st.lists(st.tuples(st.sampled_from(["forsta_mote", "idemote", "styrgrupp", "arbetsgrupp"]), ANY_DATE),
                         max_size=4))
def test_evaluating_a_process_never_fails_on_any_date(process, initiative, start, end, today, meetings):
    facts = CaseFacts(dates=CaseDates(initiative=initiative, agreement_start=start, agreement_end=end),
                      fields=frozenset({"title", "organisation", "period_start", "period_end"}),
                      meetings=tuple(MeetingFact(kind, day) for kind, day in meetings))
    progress = evaluate(process, facts, today)
    for step in progress.steps:
        deadline_state(step.window, today)
        if step.step.deadline is not None:
            due_windows(step.step.deadline, facts.dates)


@given(day=ANY_DATE, months=st.integers(-200_000, 200_000), days=st.integers(-5_000_000, 5_000_000))
def test_date_arithmetic_stops_at_the_ends_of_the_calendar(day, months, days):
    assert date.min <= add_months(day, months) <= date.max
    assert date.min <= add_days(day, days) <= date.max
