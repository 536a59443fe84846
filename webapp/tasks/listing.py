"""The task lists ("Mijn taken", "Taken voor mijn rol") with their filters, for the HTML page and the API.

The query is built on the policy's task filter, so a list can only hold tasks the user may do.
Filter values come from a query string and are checked here: anything odd is ignored rather than
turned into an error, as on any search page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.policy import Policy
from webapp.cases.models import Case, CaseTask
from webapp.definitions.models import ProcessDefinition
from webapp.definitions.service import reaching_schools
from webapp.ids import parse_id
from webapp.privacy.inzage import INZAGE_TASK_NAME, InzageTask, inzage_tasks
from webapp.schools.models import Pupil, School

LISTS = {"mijn": "Mijn taken", "rol": "Taken voor mijn rol"}
DUE_FILTERS = {"": "alle termijnen", "verlopen": "verlopen", "week": "binnen 7 dagen"}
SORT_ORDERS = {"": "op termijn", "termijn": "op termijn", "nieuw": "nieuwste eerst"}
MAX_ROWS = 500


@dataclass(frozen=True)
class TaskListFilters:
    chosen: str = "mijn"
    school_id: int | None = None
    route: str = ""
    step: str = ""
    due: str = ""
    sort: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TaskListFilters:
        chosen = args.get("lijst", "mijn")
        due = args.get("termijn", "")
        sort = args.get("sorteer", "")
        return cls(
            chosen=chosen if chosen in LISTS else "mijn",
            school_id=parse_id(args.get("school", "")),
            route=args.get("route", "")[:80],
            step=args.get("stap", "")[:300],
            due=due if due in DUE_FILTERS else "",
            sort=sort if sort in SORT_ORDERS else "",
        )

    def as_args(self) -> dict[str, str]:
        """The filters as the list page's form shows them."""
        return {"school": str(self.school_id or ""), "route": self.route, "stap": self.step,
                "termijn": self.due, "sorteer": self.sort}


class TaskListRow(NamedTuple):
    task: CaseTask
    case: Case
    pupil: Pupil
    definition: ProcessDefinition
    school: School


def task_list(session: Session, policy: Policy, filters: TaskListFilters, now: datetime) -> list[TaskListRow]:
    query = (
        select(CaseTask, Case, Pupil, ProcessDefinition, School)
        .join(Case, Case.id == CaseTask.case_id)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
        .join(School, School.id == Case.school_id)
        .where(policy.task_filter())
    )
    if filters.chosen == "mijn":
        query = query.where(CaseTask.claimed_by_id == policy.user_id)
    else:
        query = query.where(CaseTask.claimed_by_id.is_(None))
    if filters.school_id is not None:
        query = query.where(Case.school_id == filters.school_id)
    if filters.route:
        query = query.where(ProcessDefinition.route_key == filters.route)
    if filters.step:
        query = query.where(CaseTask.name == filters.step)
    if filters.due == "verlopen":
        query = query.where(CaseTask.due_at < now)
    elif filters.due == "week":
        query = query.where(CaseTask.due_at < now + timedelta(days=7))
    if filters.sort == "nieuw":
        query = query.order_by(CaseTask.created_at.desc(), CaseTask.id.desc())
    else:  # by due date, tasks without one last
        query = query.order_by(sql_case((CaseTask.due_at.is_(None), 1), else_=0), CaseTask.due_at, CaseTask.id)
    return [TaskListRow(*row) for row in session.execute(query.limit(MAX_ROWS)).all()]


def inzage_task_list(session: Session, policy: Policy, filters: TaskListFilters, now: datetime) -> list[InzageTask]:
    """The answer terms of inzage requests on this list: tasks outside any route, so a route
    filter (or another step) leaves them out."""
    if filters.route or (filters.step and filters.step != INZAGE_TASK_NAME):
        return []
    due_before = {"verlopen": now, "week": now + timedelta(days=7)}.get(filters.due)
    rows = inzage_tasks(session, policy, mine=filters.chosen == "mijn", school_id=filters.school_id,
                        due_before=due_before)
    if filters.sort == "nieuw":
        rows.sort(key=lambda row: (row.request.recorded_at, row.request.id), reverse=True)
    return rows


def filter_options(session: Session, policy: Policy) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """The schools and routes a user can filter on: those of their own schools."""
    schools = session.execute(select(School.id, School.name).where(School.id.in_(policy.school_ids))).all()
    routes = session.execute(select(ProcessDefinition.route_key, ProcessDefinition.name)
                             .where(reaching_schools(policy.school_ids))).all()
    return sorted({tuple(s) for s in schools}), sorted({tuple(r) for r in routes})


def next_task_in_case(session: Session, policy: Policy, case_id: int) -> CaseTask | None:
    """The open task of this case the user may do now (after completing one, or starting the case)."""
    return session.scalar(
        select(CaseTask).where(CaseTask.case_id == case_id, policy.task_filter()).order_by(CaseTask.id).limit(1)
    )
