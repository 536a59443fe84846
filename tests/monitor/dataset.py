"""Constructed monitor data with known answers: index rows inserted directly (no engine walk).

The monitor reads only `cases`, `case_tasks`, `case_timers` and the audit log, so rows written
here are exactly what it would find after real walks, at a fraction of the time.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from webapp.cases.models import (
    Case,
    CaseStatus,
    CaseTask,
    CaseTimer,
    TaskStatus,
    TimerStatus,
)
from webapp.clock import SCHOOL_TIMEZONE


def at(y, m, d, h=10, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=SCHOOL_TIMEZONE)


def add_case(session, setup, *, started: datetime, closed: datetime | None = None, outcome_kind=None,
             acute: datetime | None = None, progressed: datetime | None = None, pupil: str | None = None) -> Case:
    definition = setup.definitions["meldcode"]
    pupil_row = setup.pupils[pupil] if pupil else next(iter(setup.pupils.values()))
    case = Case(reference=f"T-{uuid.uuid4().hex[:12]}", school_id=setup.school.id, pupil_id=pupil_row.id,
                definition_id=definition.id, process_version_id=definition.published_version_id,
                status=CaseStatus.CLOSED if closed else CaseStatus.OPEN, current_step="",
                outcome="Afgesloten" if closed else None, outcome_kind=outcome_kind,
                started_by_id=None, started_at=started, updated_at=progressed or started, closed_at=closed,
                acute_raised_at=acute, progressed_at=progressed or started)
    session.add(case)
    session.flush()
    return case


def add_task(session, case, element_id: str, name: str, *, created: datetime, due: datetime | None = None,
             completed: datetime | None = None, claimed_by: int | None = None,
             lane: str = "intern_begeleider", melding: bool = False) -> CaseTask:
    task = CaseTask(case_id=case.id, school_id=case.school_id, spiff_task_id=str(uuid.uuid4()),
                    element_id=element_id, name=name, lane=lane, form_key="basismodel_2019/x", melding=melding,
                    status=TaskStatus.COMPLETED if completed else TaskStatus.OPEN, due_at=due,
                    created_at=created, completed_at=completed, claimed_by_id=claimed_by,
                    claimed_at=created if claimed_by else None)
    session.add(task)
    session.flush()
    return task


def add_timer(session, case, element_id: str, name: str, *, created: datetime, fires: datetime) -> CaseTimer:
    timer = CaseTimer(case_id=case.id, school_id=case.school_id, spiff_task_id=str(uuid.uuid4()),
                      element_id=element_id, name=name, fires_at=fires, status=TimerStatus.WAITING,
                      created_at=created)
    session.add(timer)
    session.flush()
    return timer
