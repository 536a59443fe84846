"""Durations over a period the reader chooses, and the open cases through that period.

The same working-day durations as the yearly figures (`figures.step_durations`, per step, and
`figures.route_durations`, start to close per route), over any period: this school year, the last
twelve months, a quarter, or two dates. Beside them, the open cases at the end of each week or
month of the period (`figures.open_at`), from the index tables. Board pages suppress small counts
exactly as the yearly figures do.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.definitions.models import ProcessDefinition
from webapp.monitor.figures import (
    MONTHS,
    RouteDuration,
    StepDuration,
    WorkingDaySample,
    open_at,
    route_durations,
    shown_count,
    shown_duration,
    step_durations,
)
from webapp.monitor.scope import MonitorScope, end_of_day, start_of_day
from webapp.school_calendar.service import SchoolCalendars

SCHOOL_YEAR_STARTS = (8, 1)  # the Dutch school year runs from 1 August to 31 July
QUICK_PICKS = {
    "schooljaar": "Dit schooljaar",
    "vorig_schooljaar": "Vorig schooljaar",
    "12_maanden": "Laatste 12 maanden",
    "kwartaal": "Dit kwartaal",
    "vorig_kwartaal": "Vorig kwartaal",
}
GRAINS = {"week": "per week", "maand": "per maand"}
MAX_POINTS = 120  # a longer period is drawn up to its end, its last 120 weeks or months


def school_year_start(day: date) -> date:
    month, first = SCHOOL_YEAR_STARTS
    start = date(day.year, month, first)
    return start if day >= start else date(day.year - 1, month, first)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Period:
    first: date  # both days included
    last: date
    pick: str  # the quick pick it came from, or "" for two chosen dates
    grain: str  # "week" or "maand": the steps of the open-cases chart

    @property
    def start(self) -> datetime:
        return start_of_day(self.first)

    @property
    def end(self) -> datetime:
        return end_of_day(self.last)

    @classmethod
    def from_args(cls, args, today: date, parse_day) -> Period:
        """The period of the query string: a quick pick (`periode`) wins over dates (`van`, `tot`);
        nothing usable means this school year. Odd dates are ignored, reversed ones swapped."""
        pick = args.get("periode") or ""
        if pick in QUICK_PICKS:
            first, last = _quick_pick(pick, today)
        else:
            pick = ""
            first = parse_day(args.get("van")) or school_year_start(today)
            last = parse_day(args.get("tot")) or today
            if last < first:
                first, last = last, first
        grain = args.get("per")
        if grain not in GRAINS:
            grain = "week" if (last - first).days <= 190 else "maand"
        return cls(first, last, pick, grain)


def _quick_pick(pick: str, today: date) -> tuple[date, date]:
    if pick == "schooljaar":
        first = school_year_start(today)
        return first, first + relativedelta(years=1) - timedelta(days=1)
    if pick == "vorig_schooljaar":
        first = school_year_start(today) - relativedelta(years=1)
        return first, first + relativedelta(years=1) - timedelta(days=1)
    if pick == "12_maanden":
        return today - relativedelta(years=1) + timedelta(days=1), today
    first = quarter_start(today)
    if pick == "vorig_kwartaal":
        first -= relativedelta(months=3)
    return first, first + relativedelta(months=3) - timedelta(days=1)


def chart_moments(period: Period, now: datetime) -> list[tuple[str, datetime]]:
    """The end of each week (Sunday midnight) or month in the period that has passed by `now`,
    labelled; a week or month cut by the period's end is counted at that end."""
    moments = []
    day = period.first
    while day <= period.last:
        if period.grain == "week":
            following = day + timedelta(days=7 - day.weekday())
            label = f"wk {day.isocalendar().week}"
        else:
            following = date(day.year, day.month, 1) + relativedelta(months=1)
            label = f"{MONTHS[day.month - 1]} {day.year % 100:02d}"
        moment = start_of_day(min(following, period.last + timedelta(days=1)))
        if moment > now:
            break
        moments.append((label, moment))
        day = following
    return moments[-MAX_POINTS:]


@dataclass
class PeriodDurations:
    scope: MonitorScope
    period: Period
    suppressed: bool
    steps: list[StepDuration]
    routes: list[RouteDuration]
    open_points: list[tuple[str, int]]  # (label, open cases at that moment)
    route_names: dict[str, str]

    def count(self, n: int) -> str:
        return shown_count(n, self.suppressed)

    def duration(self, sample: WorkingDaySample, which: str) -> str:
        return shown_duration(sample, which, self.suppressed)


def read_period_durations(session: Session, scope: MonitorScope, period: Period, now: datetime,
                          calendars: SchoolCalendars) -> PeriodDurations:
    """Across the schools in scope together (a board's figures suppressed like the yearly ones)."""
    ids = scope.school_ids
    return PeriodDurations(
        scope=scope, period=period, suppressed=not scope.detailed,
        steps=step_durations(session, ids, period.start, period.end, calendars),
        routes=route_durations(session, ids, period.start, period.end, calendars),
        open_points=[(label, open_at(session, ids, moment)) for label, moment in chart_moments(period, now)],
        route_names={key: name for key, name in session.execute(
            select(ProcessDefinition.route_key, func.min(ProcessDefinition.name))
            .where(ProcessDefinition.school_id.in_(ids)).group_by(ProcessDefinition.route_key))},
    )
