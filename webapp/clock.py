"""The one source of "now" for Meldroute.

Deadlines in the meldcode are legal-procedural: tests must be able to move time, and every part
of the system (engine timers, worker, reminders) must agree on the same clock. Production uses
the system clock; tests hand a `MovableClock` to the app factory.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SCHOOL_TIMEZONE = ZoneInfo("Europe/Amsterdam")


class Clock:
    def now(self) -> datetime:
        """Current time, timezone-aware, in the schools' timezone (Europe/Amsterdam)."""
        raise NotImplementedError

    def utcnow(self) -> datetime:
        return self.now().astimezone(UTC)


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(SCHOOL_TIMEZONE)


class MovableClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("MovableClock needs a timezone-aware start time")
        self._now = start.astimezone(SCHOOL_TIMEZONE)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("MovableClock needs timezone-aware times")
        self._now = moment.astimezone(SCHOOL_TIMEZONE)

    def advance(self, **delta) -> datetime:
        self._now = (self._now + timedelta(**delta)).astimezone(SCHOOL_TIMEZONE)
        return self._now


def as_school_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Meldroute only handles timezone-aware times")
    return moment.astimezone(SCHOOL_TIMEZONE)


def date_not_after_today(text: str, now: datetime) -> tuple[date | None, str | None]:
    """A date something was asked on (a parent's request): a real date, not after today in school
    time. Returns the date, or None and the Dutch message to show."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None, "Vul een geldige datum in (dd-mm-jjjj)."
    if day > as_school_time(now).date():
        return None, "Deze datum ligt in de toekomst."
    return day, None
