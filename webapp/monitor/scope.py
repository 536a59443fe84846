"""Which schools a monitor page covers, and whether it may show the cases behind its numbers.

The policy decides both: MONITOR_SCHOOL gives a school's figures (director and board),
MONITOR_CASES the cases behind them (director). A page covering a school where the reader may only
see figures shows figures only, for every school on it, so one page never mixes the two.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.policy import Action, Policy
from webapp.clock import SCHOOL_TIMEZONE
from webapp.schools.models import School


@dataclass(frozen=True)
class MonitorScope:
    schools: tuple[School, ...]
    detailed: bool  # the cases behind the numbers may be shown (pupils, task holders)

    @property
    def school_ids(self) -> list[int]:
        return [s.id for s in self.schools]

    @property
    def is_empty(self) -> bool:
        return not self.schools


def monitor_scope(session: Session, policy: Policy, school_slug: str | None = None) -> MonitorScope:
    """The schools the reader may monitor, narrowed to one when `school_slug` names one of them
    (a slug they may not monitor narrows to nothing: it is indistinguishable from an unknown one)."""
    allowed = policy.schools_where(Action.MONITOR_SCHOOL)
    query = select(School).where(School.id.in_(allowed)).order_by(School.name)
    if school_slug:
        query = query.where(School.slug == school_slug)
    schools = tuple(session.scalars(query)) if allowed else ()
    detailed = bool(schools) and all(policy.may_at_school(Action.MONITOR_CASES, s.id) for s in schools)
    return MonitorScope(schools, detailed)


def parse_day(text: str | None) -> date | None:
    """A date from a filter field (jjjj-mm-dd, as an <input type=date> sends it); None when odd."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
    # Outside this range a day plus one overflows, and no meldcode case lies there anyway.
    return day if 1900 <= day.year <= 2999 else None


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, SCHOOL_TIMEZONE)


def end_of_day(day: date) -> datetime:
    return start_of_day(day + timedelta(days=1))
