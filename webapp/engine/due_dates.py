"""Deadlines as the meldcode texts state them: calendar months, weeks, days and working days.

SpiffWorkflow's own timers read the system clock and treat P1M as a day count; Meldroute
computes every deadline here, from the injected clock, in Europe/Amsterdam, with calendar months
and with working days that skip weekends and Dutch public holidays (plus a school's own days off).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

from webapp.clock import SCHOOL_TIMEZONE, Clock, as_school_time

_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)

DURATION_UNITS = {
    "dagen": "days",
    "werkdagen": "working_days",
    "weken": "weeks",
    "maanden": "months",
}
DURATION_UNIT_LABELS = {
    "dagen": ("dag", "dagen"),
    "werkdagen": ("werkdag", "werkdagen"),
    "weken": ("week", "weken"),
    "maanden": ("maand", "maanden"),
}


class DeadlineError(ValueError):
    pass


# No meldcode term runs longer than a few years; a bound keeps `werkdagen(10**9)` (which walks the
# calendar day by day) from holding a case lock, and `dagen(10**20)` from overflowing.
MAX_TERM_DAYS = 3 * 366
MAX_TERM = {"days": MAX_TERM_DAYS, "weeks": MAX_TERM_DAYS // 7, "months": 36, "years": 3,
            "hours": MAX_TERM_DAYS * 24, "minutes": MAX_TERM_DAYS * 24 * 60}


def bounded_count(value, unit: str = "days") -> int:
    if isinstance(value, bool):
        raise DeadlineError(f"geen geldig aantal: {value!r}")
    try:
        count = int(value)
    except (TypeError, ValueError, OverflowError):
        raise DeadlineError(f"geen geldig aantal: {value!r}") from None
    if count < 0:
        raise DeadlineError("een termijn kan niet negatief zijn")
    if count > MAX_TERM.get(unit, MAX_TERM_DAYS):
        raise DeadlineError(f"termijn van {count} is langer dan toegestaan")
    return count


def is_iso_duration(text: str) -> bool:
    return bool(_ISO_DURATION.match(text.strip().upper()))


def parse_iso_duration(text: str) -> relativedelta:
    match = _ISO_DURATION.match(text.strip().upper())
    if not match:
        raise DeadlineError(f"geen geldige ISO-8601-duur: {text!r} (voorbeelden: P14D, P1M, P6M)")
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    return relativedelta(**parts)


class WorkingDayCalendar:
    """Working days for Dutch schools: Monday–Friday minus public holidays and own days off."""

    def __init__(self, extra_days_off: Iterable[date] = ()):
        self._extra_days_off = frozenset(extra_days_off)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in _public_holidays(day.year)
            and day not in self._extra_days_off
        )

    def holiday_name(self, day: date) -> str | None:
        return _public_holidays(day.year).get(day)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`: a step begun on Friday and done
        on Monday took one working day, one done the same day none."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start itself does not count)."""
        if count < 0:
            raise DeadlineError("aantal werkdagen kan niet negatief zijn")
        count = bounded_count(count)
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day


class SchoolCalendar(WorkingDayCalendar):
    """School days: working days minus the school's region's school holidays and its own days off
    (study days). `region` is one of the Dutch holiday regions (noord, midden, zuid) or None."""

    def __init__(self, region: str | None = None, days_off: Mapping[date, str] | None = None):
        super().__init__(extra_days_off=(days_off or {}).keys())
        self.region = region
        self._days_off = dict(days_off or {})

    def _school_holiday(self, day: date) -> str | None:
        return _region_school_holidays(self.region, day.year).get(day) if self.region else None

    def is_working_day(self, day: date) -> bool:
        return super().is_working_day(day) and self._school_holiday(day) is None

    def day_off_name(self, day: date) -> str | None:
        """Why a weekday is no school day: public holiday, school holiday or the school's own day."""
        return self.holiday_name(day) or self._school_holiday(day) or self._days_off.get(day)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("NL", years=year))


@lru_cache(maxsize=128)
def _region_school_holidays(region: str, year: int) -> dict[date, str]:
    """A region's school holidays of one year, as the `holidays` package publishes them (the same in
    every process: derived from the package's data, never from the database)."""
    return dict(holidays.country_holidays("NL", subdiv=region.capitalize(), categories=("school",),
                                          language="nl", years=year))


# How a due date shows which calendar counted it.
CALENDAR_NAMES = {
    "schooldagen": "schooldagen: zonder schoolvakanties en studiedagen van de school",
    "werkdagen": "werkdagen: zonder weekenden en feestdagen",
}


def calendar_of_expression(expression: str | None) -> str | None:
    """Which day count a deadline expression uses, for saying so next to the due date."""
    text = expression or ""
    for name in CALENDAR_NAMES:
        if f"{name}(" in text.replace(" ", ""):
            return name
    return None


class DeadlineCalculator:
    """Turns the deadline words of the protocols into absolute, timezone-aware moments."""

    def __init__(self, clock: Clock, calendar: WorkingDayCalendar, school_day_end: time,
                 school_calendar: WorkingDayCalendar | None = None):
        self.clock = clock
        self.calendar = calendar
        # Without a school of its own (import checks, a school without a region) school days are
        # the working days.
        self.school_calendar = school_calendar or calendar
        self.school_day_end = school_day_end

    def now(self) -> datetime:
        return self.clock.now()

    def end_of_school_day(self, day: date) -> datetime:
        return datetime.combine(day, self.school_day_end, SCHOOL_TIMEZONE)

    def same_day(self, moment=None) -> datetime:
        """"Dezelfde dag": before the end of that day's school day, or midnight when raised later.

        Counted from `moment` when given (the moment acute danger was raised), so a task that
        opens the next morning is still due the day the danger was raised; else from now."""
        now = self.to_moment(moment) if moment is not None else self.now()
        end = self.end_of_school_day(now.date())
        if now < end:
            return end
        return datetime.combine(now.date(), time(23, 59, 59), SCHOOL_TIMEZONE)

    def after_working_days(self, count: int) -> datetime:
        day = self.calendar.add_working_days(self.now().date(), bounded_count(count))
        return self.end_of_school_day(day)

    def after_school_days(self, count: int) -> datetime:
        day = self.school_calendar.add_working_days(self.now().date(), bounded_count(count))
        return self.end_of_school_day(day)

    def after(self, delta: relativedelta, since=None) -> datetime:
        """`delta` after now, or after the moment `since` (a phase's start)."""
        start = self.to_moment(since) if since is not None else self.now()
        # relativedelta on a local time keeps the wall-clock hour across DST changes.
        return (start + delta).astimezone(SCHOOL_TIMEZONE)

    def after_term(self, term) -> datetime:
        """A term as a form stores it ({"amount": 2, "unit": "weken"}) or an ISO duration."""
        if isinstance(term, str):
            return self.after(parse_iso_duration(term))
        if not isinstance(term, dict) or "amount" not in term or "unit" not in term:
            raise DeadlineError(f"geen geldige termijn: {term!r}")
        unit = term["unit"]
        if unit == "werkdagen":
            return self.after_working_days(bounded_count(term["amount"]))
        if unit not in DURATION_UNITS:
            raise DeadlineError(f"onbekende eenheid voor een termijn: {unit!r}")
        amount = bounded_count(term["amount"], DURATION_UNITS[unit])
        return self.after(relativedelta(**{DURATION_UNITS[unit]: amount}))

    def to_moment(self, value) -> datetime:
        """A timer's timeDate value: a datetime, a date (end of that school day) or ISO text."""
        if isinstance(value, datetime):
            return as_school_time(value)
        if isinstance(value, date):
            return self.end_of_school_day(value)
        if isinstance(value, str):
            text = value.strip()
            try:
                if len(text) == 10:
                    return self.end_of_school_day(date.fromisoformat(text))
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise DeadlineError(f"geen geldige datum/tijd: {value!r}") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=SCHOOL_TIMEZONE)
            return as_school_time(moment)
        raise DeadlineError(f"geen geldige datum/tijd: {value!r}")

    def age_in_years(self, date_of_birth) -> int:
        try:
            born = date.fromisoformat(date_of_birth) if isinstance(date_of_birth, str) else date_of_birth
        except ValueError:
            raise DeadlineError(f"geen geldige geboortedatum: {date_of_birth!r}") from None
        if not isinstance(born, date):
            raise DeadlineError(f"geen geldige geboortedatum: {date_of_birth!r}")
        today = self.now().date()
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def expression_functions(self) -> dict:
        """The deadline functions diagrams may call (in timer and due-date expressions)."""
        return {
            "werkdagen": lambda n: self.after_working_days(n).isoformat(),
            "schooldagen": lambda n: self.after_school_days(n).isoformat(),
            "dagen": lambda n: self.after(relativedelta(days=bounded_count(n))).isoformat(),
            "weken": lambda n: self.after(relativedelta(weeks=bounded_count(n, "weeks"))).isoformat(),
            "maanden": lambda n, vanaf=None: self.after(
                relativedelta(months=bounded_count(n, "months")), vanaf).isoformat(),
            "duur": lambda iso: self.after(parse_iso_duration(iso)).isoformat(),
            "termijn": lambda term: self.after_term(term).isoformat(),
            "dezelfde_dag": lambda moment=None: self.same_day(moment).isoformat(),
            "vandaag": lambda: self.now().date().isoformat(),
            "leeftijd": self.age_in_years,
        }


DEADLINE_FUNCTION_NAMES = frozenset(
    ["werkdagen", "schooldagen", "dagen", "weken", "maanden", "duur", "termijn", "dezelfde_dag", "vandaag",
     "leeftijd"]
)


_TERM_END = re.compile(r"\b([a-z][a-z0-9_]*)_einde\b")
_DEFAULT_DURATION = re.compile(r"duur\(\s*[\"']([^\"']+)[\"']\s*\)")
_ISO_UNITS = {"D": "dagen", "W": "weken", "M": "maanden"}


def agreed_term_text(expression: str | None, data) -> str | None:
    """What a timer on an agreed term waits for, in words: the term agreed in the form
    ("1 week"), or the diagram's default when none was agreed ("2 weken, standaard")."""
    for name in _TERM_END.findall(expression or ""):
        term = data.get(name) if hasattr(data, "get") else None
        if isinstance(term, dict) and "amount" in term and "unit" in term:
            return describe_term(term)
    default = _DEFAULT_DURATION.search(expression or "")
    if default and _TERM_END.search(expression or ""):
        match = re.fullmatch(r"P(\d+)([DWM])", default.group(1).strip())
        if match:
            return f"{describe_term({'amount': int(match.group(1)), 'unit': _ISO_UNITS[match.group(2)]})}, standaard"
    return None


def describe_term(term) -> str:
    if isinstance(term, dict) and term.get("unit") in DURATION_UNIT_LABELS:
        singular, plural = DURATION_UNIT_LABELS[term["unit"]]
        amount = int(term["amount"])
        return f"{amount} {singular if amount == 1 else plural}"
    return str(term)
