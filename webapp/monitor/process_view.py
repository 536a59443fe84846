"""The process view: a route's diagram with, on every activity, how many open cases stand there now.

Counted from the index tables (open tasks, waiting timers) of the open cases on one diagram
version: a case counts on the version it runs on, so a school that published a new version sees
its older cases on the older diagram. The heat of a task is measured against its own deadline —
the share of the cases there that are past their term — not against the other steps.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.cases.models import (
    Case,
    CaseStatus,
    CaseTask,
    CaseTimer,
    TaskStatus,
    TimerStatus,
)
from webapp.definitions.models import ProcessDefinition, ProcessVersion
from webapp.definitions.service import reaching_schools
from webapp.monitor.scope import MonitorScope

# Heat levels (CSS classes meldroute-heat-0 … -3): none of the cases past the term, up to a
# quarter, up to half, more than half.
HEAT_BOUNDS = (0.0, 0.25, 0.5)


def heat_level(overdue: int, count: int) -> int:
    share = overdue / count
    return sum(share > bound for bound in HEAT_BOUNDS)


@dataclass(frozen=True)
class ActivityFigures:
    element_id: str
    name: str
    count: int
    overdue: int
    with_deadline: bool  # some case there has a due date: the heat means something

    @property
    def heat(self) -> int | None:
        return heat_level(self.overdue, self.count) if self.with_deadline else None


@dataclass(frozen=True)
class VersionChoice:
    version: ProcessVersion
    open_cases: int
    published: bool


@dataclass(frozen=True)
class ProcessView:
    definition: ProcessDefinition
    version: ProcessVersion
    versions: list[VersionChoice]
    activities: dict[str, ActivityFigures]


def definitions_in_scope(session: Session, scope: MonitorScope) -> list[ProcessDefinition]:
    """The routes of the scope's schools: their own and their boards'."""
    return list(session.scalars(select(ProcessDefinition).where(reaching_schools(scope.school_ids))
                                .order_by(ProcessDefinition.school_id, ProcessDefinition.name)))


def schools_reached(scope: MonitorScope, definition: ProcessDefinition) -> list[int]:
    """The scope's schools whose cases may run on the route (its school, or its board's schools)."""
    return [s.id for s in scope.schools
            if s.id == definition.school_id or (definition.board_id is not None and s.board_id == definition.board_id)]


def read_process_view(session: Session, scope: MonitorScope, definition: ProcessDefinition,
                      version_number: int | None, now) -> ProcessView | None:
    """None when the definition is not one of the scope's schools or the version does not exist."""
    schools = schools_reached(scope, definition)
    if not schools:
        return None
    per_version = dict(session.execute(
        select(Case.process_version_id, func.count(Case.id))
        .where(Case.school_id.in_(schools), Case.definition_id == definition.id,
               Case.status == CaseStatus.OPEN)
        .group_by(Case.process_version_id)).all())
    versions = [VersionChoice(v, per_version.get(v.id, 0), v.id == definition.published_version_id)
                for v in session.scalars(select(ProcessVersion).where(ProcessVersion.definition_id == definition.id)
                                         .order_by(ProcessVersion.number))]
    chosen = next((c.version for c in versions if c.version.number == version_number), None) \
        if version_number is not None else next((c.version for c in versions if c.published), None)
    if chosen is None:
        return None
    open_on_version = select(Case.id).where(
        Case.school_id.in_(schools), Case.process_version_id == chosen.id,
        Case.status == CaseStatus.OPEN)
    activities: dict[str, ActivityFigures] = {}
    for element, name, count, overdue, with_due in session.execute(
            select(CaseTask.element_id, func.min(CaseTask.name), func.count(func.distinct(CaseTask.case_id)),
                   func.count(func.distinct(CaseTask.case_id)).filter(CaseTask.due_at < now),
                   func.count(CaseTask.due_at))
            .where(CaseTask.school_id.in_(schools), CaseTask.status == TaskStatus.OPEN,
                   CaseTask.case_id.in_(open_on_version))
            .group_by(CaseTask.element_id)):
        activities[element] = ActivityFigures(element, name, count, overdue or 0, bool(with_due))
    for element, name, count in session.execute(
            select(CaseTimer.element_id, func.min(CaseTimer.name), func.count(func.distinct(CaseTimer.case_id)))
            .where(CaseTimer.school_id.in_(schools), CaseTimer.status == TimerStatus.WAITING,
                   CaseTimer.case_id.in_(open_on_version))
            .group_by(CaseTimer.element_id)):
        activities[element] = ActivityFigures(element, f"Wacht: {name}", count, 0, False)
    return ProcessView(definition, chosen, versions, activities)
