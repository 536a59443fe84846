"""Deadlines in the protocols' terms: working days, calendar months, "the same day"."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from webapp.clock import SCHOOL_TIMEZONE, MovableClock
from webapp.engine.due_dates import (
    DeadlineCalculator,
    DeadlineError,
    WorkingDayCalendar,
)


def calculator(now: datetime, extra_days_off=()) -> DeadlineCalculator:
    return DeadlineCalculator(MovableClock(now), WorkingDayCalendar(extra_days_off), time(17, 0))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SCHOOL_TIMEZONE)


@pytest.mark.parametrize("now, days, expected", [
    (at(2026, 3, 2, 10), 5, date(2026, 3, 9)),    # Monday: one plain week
    (at(2026, 3, 6, 10), 5, date(2026, 3, 13)),   # Friday: over the weekend
    (at(2026, 4, 24, 10), 5, date(2026, 5, 4)),   # Friday, Monday 27 April is King's Day
    (at(2026, 4, 2, 10), 5, date(2026, 4, 13)),   # Thursday before Easter: Good Friday and Easter Monday
    (at(2026, 12, 23, 10), 2, date(2026, 12, 28)),  # Christmas and Boxing Day
    (at(2026, 3, 7, 10), 1, date(2026, 3, 9)),    # started on a Saturday
])
def test_working_days_skip_weekends_and_dutch_public_holidays(now, days, expected):
    assert calculator(now).after_working_days(days) == at(expected.year, expected.month, expected.day, 17)


def test_a_schools_own_days_off_also_do_not_count():
    result = calculator(at(2026, 3, 2, 10), extra_days_off=[date(2026, 3, 4)]).after_working_days(2)
    assert result.date() == date(2026, 3, 5)


def test_calendar_months_not_day_counts():
    assert calculator(at(2026, 1, 31, 10)).after_term("P1M") == at(2026, 2, 28, 10)
    assert calculator(at(2026, 3, 2, 9)).after_term({"amount": 6, "unit": "maanden"}) == at(2026, 9, 2, 9)


def test_months_keep_the_wall_clock_hour_across_daylight_saving():
    # 1 March is winter time (+01:00), 1 April summer time (+02:00): still 09:00 local.
    assert calculator(at(2026, 3, 1, 9)).after_term("P1M") == at(2026, 4, 1, 9)


def test_same_day_means_before_the_end_of_the_school_day():
    assert calculator(at(2026, 3, 2, 10)).same_day() == at(2026, 3, 2, 17)
    assert calculator(at(2026, 3, 2, 19)).same_day() == at(2026, 3, 2, 23, 59, 59)


def test_terms_as_forms_store_them():
    calc = calculator(at(2026, 3, 2, 9))
    assert calc.after_term({"amount": 2, "unit": "weken"}) == at(2026, 3, 16, 9)
    assert calc.after_term({"amount": 5, "unit": "werkdagen"}) == at(2026, 3, 9, 17)
    with pytest.raises(DeadlineError):
        calc.after_term({"amount": 2, "unit": "jaren"})
    with pytest.raises(DeadlineError):
        calc.after_term("P2X")


def test_age_for_the_twelve_plus_rule():
    calc = calculator(at(2026, 3, 2, 9))
    assert calc.age_in_years("2014-03-02") == 12
    assert calc.age_in_years("2014-03-03") == 11
