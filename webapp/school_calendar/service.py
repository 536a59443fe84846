"""A school's own calendar: its region's school holidays and the study days its beheerder adds.

Deadlines in school days (`schooldagen(n)`) skip them; `werkdagen(n)` — Veilig Thuis's working
days — keeps skipping only weekends and public holidays. Both live in the database and are read
for each change of a case, so every web and worker process counts the same days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.audit.log import record_audit
from webapp.engine import EngineEnvironment, SchoolCalendar
from webapp.engine.due_dates import WorkingDayCalendar
from webapp.school_calendar.models import SchoolDayOff
from webapp.schools.models import School

# The three regions the Dutch government sets school holidays for.
HOLIDAY_REGIONS = {"noord": "Regio noord", "midden": "Regio midden", "zuid": "Regio zuid"}


class CalendarError(ValueError):
    pass


def school_calendar(session: Session, school: School) -> SchoolCalendar:
    days_off = {row.day: row.label for row in session.scalars(
        select(SchoolDayOff).where(SchoolDayOff.school_id == school.id))}
    return SchoolCalendar(region=school.holiday_region, days_off=days_off)


class SchoolCalendars:
    """The calendars of a set of schools, read at once (the monitor counts each step's days on
    its own school's calendar); a school not among them counts working days."""

    def __init__(self, by_school: dict[int, WorkingDayCalendar], fallback: WorkingDayCalendar):
        self._by_school = by_school
        self._fallback = fallback

    def of(self, school_id: int) -> WorkingDayCalendar:
        return self._by_school.get(school_id, self._fallback)


def school_calendars(session: Session, school_ids, fallback: WorkingDayCalendar) -> SchoolCalendars:
    ids = sorted(set(school_ids))
    if not ids:
        return SchoolCalendars({}, fallback)
    days_off: dict[int, dict[date, str]] = {}
    for row in session.scalars(select(SchoolDayOff).where(SchoolDayOff.school_id.in_(ids))):
        days_off.setdefault(row.school_id, {})[row.day] = row.label
    regions = dict(session.execute(select(School.id, School.holiday_region).where(School.id.in_(ids))).all())
    return SchoolCalendars({school_id: SchoolCalendar(region=regions.get(school_id), days_off=days_off.get(school_id))
                            for school_id in ids}, fallback)


def environment_for_school(session: Session, base: EngineEnvironment, school_id: int) -> EngineEnvironment:
    """The engine's environment with this school's calendar, for evaluating its deadlines."""
    school = session.get(School, school_id)
    if school is None or (school.holiday_region is None and not _has_days_off(session, school_id)):
        return base
    return base.with_school_calendar(school_calendar(session, school))


def _has_days_off(session: Session, school_id: int) -> bool:
    return session.scalar(select(SchoolDayOff.id).where(SchoolDayOff.school_id == school_id).limit(1)) is not None


def set_holiday_region(session: Session, actor: Actor, now, school: School, region: str | None) -> None:
    if region is not None and region not in HOLIDAY_REGIONS:
        raise CalendarError("Kies een regio voor de schoolvakanties.")
    previous, school.holiday_region = school.holiday_region, region
    record_audit(session, "school.calendar_region", actor=actor, at=now, school_id=school.id,
                 detail={"region": region, "previous": previous})
    session.commit()


def add_day_off(session: Session, actor: Actor, now, school: School, day_text: str, label: str) -> SchoolDayOff:
    try:
        day = date.fromisoformat((day_text or "").strip())
    except ValueError:
        raise CalendarError("Vul een geldige datum in (dd-mm-jjjj).") from None
    label = (label or "").strip()
    if not label:
        raise CalendarError("Geef de dag een omschrijving (bijvoorbeeld ‘studiedag’).")
    if len(label) > 120:
        raise CalendarError("De omschrijving is maximaal 120 tekens.")
    if abs(day.year - now.year) > 5:
        raise CalendarError("Kies een dag binnen vijf jaar van nu.")
    if session.scalar(select(SchoolDayOff.id).where(SchoolDayOff.school_id == school.id, SchoolDayOff.day == day)):
        raise CalendarError(f"{day:%d-%m-%Y} staat al in de kalender.")
    row = SchoolDayOff(school_id=school.id, day=day, label=label)
    session.add(row)
    session.flush()
    record_audit(session, "school.day_off_add", actor=actor, at=now, school_id=school.id,
                 detail={"day": day.isoformat(), "label": label})
    session.commit()
    return row


def remove_day_off(session: Session, actor: Actor, now, school: School, day_off_id: int | None) -> None:
    row = session.get(SchoolDayOff, day_off_id) if day_off_id is not None else None
    if row is None or row.school_id != school.id:
        raise CalendarError("Die dag staat niet (meer) in de kalender.")
    record_audit(session, "school.day_off_remove", actor=actor, at=now, school_id=school.id,
                 detail={"day": row.day.isoformat(), "label": row.label})
    session.delete(row)
    session.commit()


@dataclass(frozen=True)
class ClosedDay:
    day: date
    name: str


def closed_days_ahead(session: Session, school: School, start: date, days: int = 365) -> list[ClosedDay]:
    """The weekdays the school is closed in the coming year, with why (for the beheerder to check)."""
    calendar = school_calendar(session, school)
    ahead = (start + timedelta(days=offset) for offset in range(days))
    return [ClosedDay(day, calendar.day_off_name(day)) for day in ahead
            if day.weekday() < 5 and not calendar.is_working_day(day)]
