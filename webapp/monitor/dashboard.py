"""The director's dashboard: every running case at a glance, from the index tables only.

Each number on the dashboard is a count of the cases matching one `CaseSelection`; the list behind
the number (`cases_behind`) is built from the very same SQL condition, so a number and its list
can never disagree. Open tasks and waiting timers say where a case stands now (a case on two
parallel steps counts at both).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from webapp.auth.models import User
from webapp.cases.models import (
    Case,
    CaseStatus,
    CaseTask,
    CaseTimer,
    TaskStatus,
    TimerStatus,
)
from webapp.clock import as_school_time
from webapp.definitions.models import ProcessDefinition
from webapp.engine.due_dates import WorkingDayCalendar
from webapp.monitor.scope import MonitorScope, end_of_day, start_of_day
from webapp.schools.models import Pupil, School

SOON_WORKING_DAYS = 3
DEFAULT_QUIET_WEEKS = 4
DEFAULT_PERIOD_DAYS = 30
LIST_LIMIT = 200

KINDS = {
    "open": "Lopende zaken",
    "te_laat": "Zaken met een taak over de termijn",
    "binnenkort": f"Zaken met een taak die binnen {SOON_WORKING_DAYS} werkdagen afloopt",
    "stil": "Zaken zonder voortgang",
    "acuut": "Acuut gevaar gemeld in de periode",
    "melding": "Melding gedaan in de periode",
}


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the dashboard to; every field also travels in the links."""

    route: str = ""  # a route key (process_definitions.route_key), across the schools shown
    step: str = ""  # an element id where open cases stand now
    since: datetime | None = None  # the period of "recent" (emergencies, meldingen)
    until: datetime | None = None
    quiet_weeks: int = DEFAULT_QUIET_WEEKS

    @classmethod
    def from_args(cls, args, now: datetime, parse_day) -> Filters:
        today = as_school_time(now).date()
        since_day = parse_day(args.get("van")) or today - timedelta(days=DEFAULT_PERIOD_DAYS)
        until_day = parse_day(args.get("tot")) or today
        if until_day < since_day:
            since_day, until_day = until_day, since_day
        try:
            weeks = int(args.get("weken", DEFAULT_QUIET_WEEKS))
        except (TypeError, ValueError):
            weeks = DEFAULT_QUIET_WEEKS
        return cls(route=(args.get("route") or "")[:80], step=(args.get("stap") or "")[:200],
                   since=start_of_day(since_day), until=end_of_day(until_day),
                   quiet_weeks=min(max(weeks, 1), 104))

    def link_args(self, school_slug: str | None) -> dict:
        args = {"route": self.route or None, "stap": self.step or None, "weken": self.quiet_weeks,
                "school": school_slug or None}
        if self.since is not None:
            args["van"] = as_school_time(self.since).date().isoformat()
        if self.until is not None:
            args["tot"] = (as_school_time(self.until).date() - timedelta(days=1)).isoformat()
        return {k: v for k, v in args.items() if v is not None}


@dataclass(frozen=True)
class Moments:
    now: datetime
    soon_until: datetime  # the end of the SOON_WORKING_DAYS-th working day from today

    @classmethod
    def at(cls, now: datetime, calendar: WorkingDayCalendar) -> Moments:
        today = as_school_time(now).date()
        return cls(now, end_of_day(calendar.add_working_days(today, SOON_WORKING_DAYS)))


def case_condition(kind: str, scope: MonitorScope, filters: Filters, moments: Moments):
    """The SQL condition on `Case` for the cases behind one dashboard number."""
    clauses = [Case.school_id.in_(scope.school_ids)]
    if filters.route:
        clauses.append(Case.definition_id.in_(
            select(ProcessDefinition.id).where(ProcessDefinition.route_key == filters.route,
                                               ProcessDefinition.school_id.in_(scope.school_ids))))
    if filters.step:
        clauses.append(Case.status == CaseStatus.OPEN)
        # Own aliases: the condition is also used in queries over case_tasks themselves.
        at_task, at_timer = aliased(CaseTask, name="at_step_task"), aliased(CaseTimer, name="at_step_timer")
        clauses.append(or_(
            exists().where(at_task.case_id == Case.id, at_task.status == TaskStatus.OPEN,
                           at_task.element_id == filters.step).correlate(Case),
            exists().where(at_timer.case_id == Case.id, at_timer.status == TimerStatus.WAITING,
                           at_timer.element_id == filters.step).correlate(Case),
        ))
    if kind in ("open", "te_laat", "binnenkort", "stil"):
        clauses.append(Case.status == CaseStatus.OPEN)
    if kind == "te_laat":
        clauses.append(Case.id.in_(select(CaseTask.case_id).where(
            CaseTask.school_id.in_(scope.school_ids), CaseTask.status == TaskStatus.OPEN,
            CaseTask.due_at < moments.now)))
    elif kind == "binnenkort":
        clauses.append(Case.id.in_(select(CaseTask.case_id).where(
            CaseTask.school_id.in_(scope.school_ids), CaseTask.status == TaskStatus.OPEN,
            CaseTask.due_at >= moments.now, CaseTask.due_at < moments.soon_until)))
    elif kind == "stil":
        clauses.append(func.coalesce(Case.progressed_at, Case.started_at)
                       < moments.now - timedelta(weeks=filters.quiet_weeks))
    elif kind == "acuut":
        clauses.append(and_(Case.acute_raised_at >= filters.since, Case.acute_raised_at < filters.until))
    elif kind == "melding":
        clauses.append(Case.id.in_(select(CaseTask.case_id).where(
            CaseTask.school_id.in_(scope.school_ids), CaseTask.status == TaskStatus.COMPLETED,
            CaseTask.melding.is_(True),
            CaseTask.completed_at >= filters.since, CaseTask.completed_at < filters.until)))
    elif kind != "open":
        raise ValueError(kind)
    return and_(*clauses)


@dataclass(frozen=True)
class RouteCount:
    route_key: str
    name: str
    count: int


@dataclass(frozen=True)
class StepCount:
    route_key: str
    element_id: str
    name: str
    count: int
    overdue: int


@dataclass(frozen=True)
class TaskLine:
    """An open task near or over its term, with who holds it (shown to a director only)."""

    case_id: int
    reference: str
    school: School
    task: str
    due_at: datetime
    holder: str | None  # the claimant; None: the lane may pick it up
    lane: str


@dataclass(frozen=True)
class Dashboard:
    scope: MonitorScope
    filters: Filters
    moments: Moments
    totals: dict[str, int]
    per_route: list[RouteCount]
    per_step: list[StepCount]
    overdue_tasks: list[TaskLine]
    soon_tasks: list[TaskLine]
    routes: list[tuple[str, str]]  # (key, name) for the route filter


def count_cases(session: Session, condition) -> int:
    return session.scalar(select(func.count()).select_from(Case).where(condition)) or 0


def read_dashboard(session: Session, scope: MonitorScope, filters: Filters, moments: Moments) -> Dashboard:
    totals = {kind: count_cases(session, case_condition(kind, scope, filters, moments)) for kind in KINDS}
    open_condition = case_condition("open", scope, filters, moments)
    per_route = [RouteCount(key, name, n) for key, name, n in session.execute(
        select(ProcessDefinition.route_key, ProcessDefinition.name, func.count(Case.id))
        .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
        .where(open_condition)
        .group_by(ProcessDefinition.route_key, ProcessDefinition.name)
        .order_by(ProcessDefinition.name))]
    return Dashboard(
        scope=scope, filters=filters, moments=moments, totals=totals, per_route=per_route,
        per_step=_per_step(session, scope, open_condition, moments),
        overdue_tasks=_task_lines(session, scope, filters, moments, overdue=True) if scope.detailed else [],
        soon_tasks=_task_lines(session, scope, filters, moments, overdue=False) if scope.detailed else [],
        routes=[tuple(r) for r in session.execute(
            select(ProcessDefinition.route_key, func.min(ProcessDefinition.name))
            .where(ProcessDefinition.school_id.in_(scope.school_ids))
            .group_by(ProcessDefinition.route_key).order_by(ProcessDefinition.route_key))],
    )


def _per_step(session: Session, scope: MonitorScope, open_condition, moments: Moments) -> list[StepCount]:
    open_cases = select(Case.id, Case.definition_id).where(open_condition).subquery()
    tasks = session.execute(
        select(ProcessDefinition.route_key, CaseTask.element_id, func.min(CaseTask.name),
               func.count(func.distinct(CaseTask.case_id)),
               func.count(func.distinct(CaseTask.case_id)).filter(CaseTask.due_at < moments.now))
        .join(open_cases, open_cases.c.id == CaseTask.case_id)
        .join(ProcessDefinition, ProcessDefinition.id == open_cases.c.definition_id)
        .where(CaseTask.school_id.in_(scope.school_ids), CaseTask.status == TaskStatus.OPEN)
        .group_by(ProcessDefinition.route_key, CaseTask.element_id))
    timers = session.execute(
        select(ProcessDefinition.route_key, CaseTimer.element_id, func.min(CaseTimer.name),
               func.count(func.distinct(CaseTimer.case_id)))
        .join(open_cases, open_cases.c.id == CaseTimer.case_id)
        .join(ProcessDefinition, ProcessDefinition.id == open_cases.c.definition_id)
        .where(CaseTimer.school_id.in_(scope.school_ids), CaseTimer.status == TimerStatus.WAITING)
        .group_by(ProcessDefinition.route_key, CaseTimer.element_id))
    steps = [StepCount(route, element, name, n, overdue or 0) for route, element, name, n, overdue in tasks]
    steps += [StepCount(route, element, f"Wacht: {name}", n, 0) for route, element, name, n in timers]
    return sorted(steps, key=lambda s: (s.route_key, -s.count, s.name))


def _task_lines(session: Session, scope: MonitorScope, filters: Filters, moments: Moments, *,
                overdue: bool) -> list[TaskLine]:
    holder = aliased(User)
    kind = "te_laat" if overdue else "binnenkort"
    due = CaseTask.due_at < moments.now if overdue else and_(
        CaseTask.due_at >= moments.now, CaseTask.due_at < moments.soon_until)
    rows = session.execute(
        select(Case.id, Case.reference, School, CaseTask.name, CaseTask.due_at, CaseTask.lane,
               holder.display_name)
        .join(Case, Case.id == CaseTask.case_id)
        .join(School, School.id == Case.school_id)
        .outerjoin(holder, holder.id == CaseTask.claimed_by_id)
        .where(case_condition(kind, scope, filters, moments), CaseTask.status == TaskStatus.OPEN,
               CaseTask.school_id.in_(scope.school_ids), due)
        .order_by(CaseTask.due_at, CaseTask.id).limit(LIST_LIMIT))
    return [TaskLine(case_id, ref, school, task, due_at, name, lane)
            for case_id, ref, school, task, due_at, lane, name in rows]


@dataclass(frozen=True)
class CaseLine:
    case_id: int
    reference: str
    pupil: str
    group: str
    route: str
    step: str
    school: str
    started_at: datetime
    progressed_at: datetime | None


def cases_behind(session: Session, scope: MonitorScope, kind: str, filters: Filters,
                 moments: Moments) -> tuple[list[CaseLine], int]:
    """The cases behind a dashboard number (director only: they carry pupil names), and the count."""
    if not scope.detailed:
        raise PermissionError("the cases behind the figures are for the director")
    condition = case_condition(kind, scope, filters, moments)
    rows = session.execute(
        select(Case.id, Case.reference, Pupil.name, Pupil.group_name, ProcessDefinition.name,
               Case.current_step, Case.outcome, School.name, Case.started_at, Case.progressed_at)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
        .join(School, School.id == Case.school_id)
        .where(condition).order_by(Case.started_at, Case.id).limit(LIST_LIMIT))
    lines = [CaseLine(cid, ref, pupil, group, route, step or outcome or "", school, started, progressed)
             for cid, ref, pupil, group, route, step, outcome, school, started, progressed in rows]
    return lines, count_cases(session, condition)


def with_step(filters: Filters, element_id: str) -> Filters:
    return replace(filters, step=element_id)
