"""The one door through which every change of a case passes.

    with case_change(session, services, actor, case_id, "task.complete") as change:
        task = change.task_to_work_on(task_id)     # checked under the lock, claims included
        change.workflow.complete_user_task(...)   # loaded on first use
        change.event("task_completed", ...)
        change.audit("task.complete", {...})
    # here: task and timer rows synced with the workflow, status and current step set, one commit

In order: lock the case (the first statement of the transaction, see `locking`), build the
actor's policy from the memberships as they are now and check it *under the lock*, hand the
command the case, its workflow (loaded lazily), an event writer and the audit writer; on leaving,
save the workflow state and sync the rows that index it, then commit once. An exception rolls
everything back; a refusal by the policy is then written to the audit trail on its own, so an
inspector sees refused attempts too.

New cases come through `new_case_change`, which checks the right to start one at the school.
The worker acts as `Actor.worker()`: no personal policy, and it may ask not to wait for a case
another process is changing (`skip_locked`).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.audit.log import record_audit
from webapp.auth.models import User
from webapp.auth.policy import Action, Policy
from webapp.cases.errors import CaseNotFound, NotAllowed, TaskAlreadyDone, TaskTaken
from webapp.cases.locking import lock_case
from webapp.cases.models import (
    Case,
    CaseEvent,
    CaseState,
    CaseStatus,
    CaseTask,
    CaseTimer,
    TaskStatus,
    TimerStatus,
)
from webapp.cases.outcomes import classify_outcome, is_melding_step
from webapp.definitions.spec_cache import compiled_process_of
from webapp.engine import CaseWorkflow, EngineEnvironment
from webapp.privacy.retention import schedule_on_closing
from webapp.roles import stored_also_lanes
from webapp.school_calendar.service import environment_for_school
from webapp.services import CaseServices

NEVER_BY_REFUSAL = ("Deze taak ligt nooit bij de leerkracht van de leerling of bij wie de zorg meldde: u "
                    "meldde deze zorg of deed de stappen van de leerkracht in deze zaak. Een ander lid van het "
                    "zorgteam pakt deze taak op.")


class CaseChange:
    """One change of one case, inside `case_change`: what a command may use."""

    def __init__(self, session: Session, services: CaseServices, actor: Actor, case: Case,
                 policy: Policy | None, now: datetime):
        self.session = session
        self.services = services
        self.actor = actor
        self.case = case
        self.policy = policy  # None only for the worker
        self.now = now
        self._workflow: CaseWorkflow | None = None
        self._environment: EngineEnvironment | None = None
        self._state: CaseState | None = None
        self._new_case = False
        self.fired_timer_ids: set[str] = set()

    # -- what the command works with ------------------------------------------------------

    @property
    def workflow(self) -> CaseWorkflow:
        """The case's workflow, loaded on first use; once loaded, it is saved and indexed on exit."""
        if self._workflow is None:
            self._state = self.session.get(CaseState, self.case.id, populate_existing=True)
            compiled = compiled_process_of(self.session, self.case.process_version_id)
            self._workflow = CaseWorkflow.load(self._state.state, compiled, self.environment)
        return self._workflow

    @property
    def environment(self) -> EngineEnvironment:
        """The engine's environment with the case's school's calendar (for `schooldagen(n)`)."""
        if self._environment is None:
            self._environment = environment_for_school(self.session, self.services.environment, self.case.school_id)
        return self._environment

    def restart_workflow(self, workflow: CaseWorkflow) -> None:
        """Run the case anew from its route's start (a reopened case); saved and indexed on exit."""
        self._state = self.session.get(CaseState, self.case.id, populate_existing=True)
        self._workflow = workflow

    def require(self, action: Action) -> None:
        """The actor may do this on the case (checked in the database, as it stands under the lock)."""
        if self.policy is not None and not self.policy.may_on_case(action, self.session, self.case):
            raise NotAllowed()

    def require_open(self) -> None:
        if self.case.status != CaseStatus.OPEN:
            raise NotAllowed("Deze zaak is gesloten; er kan niets meer aan worden veranderd.")

    def task_of_case(self, task_id: int) -> CaseTask:
        """A task of this case as it stands now (whatever its status)."""
        task = self.session.get(CaseTask, task_id, populate_existing=True)
        if task is None or task.case_id != self.case.id:
            raise CaseNotFound(task_id)
        return task

    def open_task(self, task_id: int) -> CaseTask:
        task = self.task_of_case(task_id)
        if task.status != TaskStatus.OPEN:
            raise TaskAlreadyDone(task.id, task.status)
        return task

    def task_to_work_on(self, task_id: int) -> CaseTask:
        """An open task of this case the actor may work on now: their lane, not held by a colleague."""
        task = self.open_task(task_id)
        if self.policy is None or self.policy.may_work_on(self.session, task):
            return task
        if task.claimed_by_id not in (None, self.actor.user_id):
            holder = self.session.get(User, task.claimed_by_id)
            if self.policy.may_work_on_if_unclaimed(self.session, task):
                raise TaskTaken(holder.display_name if holder else None)
        if self.policy.barred_from(self.session, task):
            raise NotAllowed(NEVER_BY_REFUSAL)
        raise NotAllowed("U mag deze taak niet uitvoeren (een andere rol).")

    # -- what the command writes ---------------------------------------------------------

    def event(self, kind: str, title: str, *, element_id: str | None = None, detail: dict | None = None,
              by_actor: bool = True) -> None:
        """A line in the case timeline (the dossier's backbone)."""
        self.session.add(CaseEvent(
            case_id=self.case.id, school_id=self.case.school_id, at=self.now, kind=kind,
            actor_id=self.actor.user_id if by_actor else None, element_id=element_id,
            title=title[:500], detail=detail,
        ))

    def audit(self, action: str, detail: dict | None = None) -> None:
        record_audit(self.session, action, actor=self.actor, at=self.now, school_id=self.case.school_id,
                     case_id=self.case.id, detail=detail)

    # -- on leaving the door -------------------------------------------------------------

    def _finish(self) -> None:
        self.case.updated_at = self.now
        if self._workflow is None:
            return
        dumped = self._workflow.dump()
        if dumped != self._state.state:
            self.case.progressed_at = self.now  # the workflow moved: a step of the case was taken
        self._state.state = dumped
        self._state.updated_at = self.now
        ready = self._sync_tasks()
        waiting = self._sync_timers()
        if ready:
            self.case.current_step = "; ".join(dict.fromkeys(t.name for t in ready))[:500]
        elif waiting:
            self.case.current_step = ("Wacht: " + "; ".join(dict.fromkeys(t.name for t in waiting)))[:500]
        else:
            self.case.current_step = ""
        if self._workflow.is_completed and self.case.status == CaseStatus.OPEN:
            reached = self._workflow.reached_end_events()
            ends = [e.label for e in reached if e.name]
            declared = [e.outcome for e in reached if e.outcome]
            self.case.status = CaseStatus.CLOSED
            self.case.closed_at = self.now
            self.case.outcome = (ends[-1] if ends else "Afgesloten")[:300]
            schedule_on_closing(self.session, self.case)
            self.case.outcome_kind = classify_outcome(
                self.case.outcome, declared=declared[-1] if declared else None,
                acute=self.case.acute_raised_at is not None, reported=self._reported())
            self.event("case_closed", f"Zaak afgesloten: {self.case.outcome}")

    def _reported(self) -> bool:
        """Whether a melding to Veilig Thuis / AMK was made in this case (a completed melding step)."""
        return self.session.scalar(select(CaseTask.id).where(
            CaseTask.case_id == self.case.id, CaseTask.status == TaskStatus.COMPLETED,
            CaseTask.melding.is_(True)).limit(1)) is not None

    def _sync_tasks(self):
        ready = self._workflow.ready_user_tasks()
        by_id = {t.task_id: t for t in ready}
        # A case started in this transaction has no task rows yet: nothing to look up.
        open_rows = () if self._new_case else self.session.scalars(
            select(CaseTask).where(CaseTask.case_id == self.case.id, CaseTask.status == TaskStatus.OPEN)
        ).all()
        for row in open_rows:
            info = by_id.pop(row.spiff_task_id, None)
            if info is None:
                row.status = TaskStatus.CANCELLED
                self.event("task_cancelled", f"{row.name} vervallen", element_id=row.element_id,
                           detail={"case_task_id": row.id}, by_actor=False)
            elif info.due_at is not None and row.due_at != info.due_at:
                row.due_at = info.due_at
                if info.due_at > self.now:
                    # A new date still ahead (a re-agreed term): reminder, expiry and escalation are
                    # all due again for it. A new date already past keeps its stamps: the task was
                    # overdue and stays so, and those notices went out.
                    row.reminder_sent_at = row.expiry_notified_at = row.escalated_at = None
        for info in by_id.values():
            self.session.add(CaseTask(
                case_id=self.case.id, school_id=self.case.school_id, spiff_task_id=info.task_id,
                element_id=info.element_id, name=info.name[:300],
                lane=info.lane.value if info.lane else "", also_lanes=stored_also_lanes(info.also_lanes),
                never_by=stored_also_lanes(info.never_by), form_key=info.form_key,
                melding=is_melding_step(info.element_id, marked=info.melding,
                                        diagram_marks_meldingen=self._workflow.marks_meldingen),
                status=TaskStatus.OPEN, due_at=info.due_at, created_at=self.now,
            ))
        return ready

    def _sync_timers(self):
        waiting = self._workflow.waiting_timers()
        by_id = {t.task_id: t for t in waiting}
        rows = () if self._new_case else self.session.scalars(
            select(CaseTimer).where(CaseTimer.case_id == self.case.id, CaseTimer.status == TimerStatus.WAITING)
        ).all()
        for row in rows:
            if by_id.pop(row.spiff_task_id, None) is None:
                fired = row.spiff_task_id in self.fired_timer_ids
                row.status = TimerStatus.FIRED if fired else TimerStatus.CANCELLED
                row.fired_at = self.now if fired else None
        for info in by_id.values():
            self.session.add(CaseTimer(
                case_id=self.case.id, school_id=self.case.school_id, spiff_task_id=info.task_id,
                element_id=info.element_id, name=info.name[:300], fires_at=info.fires_at,
                status=TimerStatus.WAITING, created_at=self.now,
            ))
        return waiting


@contextmanager
def case_change(session: Session, services: CaseServices, actor: Actor, case_id: int, attempt: str, *,
                requires: Action = Action.VIEW_CASE, skip_locked: bool = False) -> Iterator[CaseChange]:
    """Lock the case, check `requires` under the lock, run the body, sync, commit once.

    `attempt` names the change (as in the audit trail) for the record of a refusal. A case the
    actor may not even see is `CaseNotFound`, like a missing one. Entered inside a caller's
    savepoint (the worker, which must record a failure while it still holds its claim), a failure
    undoes only that savepoint."""
    savepoint = session.get_nested_transaction()

    def undo() -> None:
        if savepoint is not None and savepoint.is_active:
            savepoint.rollback()
        else:
            session.rollback()

    try:
        case = lock_case(session, case_id, skip_locked=skip_locked)
        policy = None if actor.is_system else Policy.for_user(session, actor.user_id)
        change = CaseChange(session, services, actor, case, policy, services.now())
        if policy is not None and not policy.may_on_case(Action.VIEW_CASE, session, case):
            raise _Invisible(case)
        if requires is not Action.VIEW_CASE:
            change.require(requires)
        yield change
        change._finish()
        session.commit()
    except _Invisible as invisible:
        undo()
        _record_refusal(session, actor, attempt, invisible.case_id, invisible.school_id, services, "not_visible")
        raise CaseNotFound(case_id) from None
    except NotAllowed as refused:
        undo()
        _record_refusal(session, actor, attempt, case.id, case.school_id, services, refused.message)
        raise
    except BaseException:
        undo()
        raise


@contextmanager
def new_case_change(session: Session, services: CaseServices, actor: Actor, *, school_id: int,
                    pupil_id: int, definition_id: int, process_version_id: int,
                    workflow: CaseWorkflow) -> Iterator[CaseChange]:
    """Start a case: the right to start one at the school is checked first; the case row, its
    state and its first task and timer rows are written and committed together."""
    try:
        if not actor.is_system and not Policy.for_user(session, actor.user_id).may_at_school(
                Action.START_CASE, school_id):
            raise NotAllowed("U mag op deze school geen zorg melden.")
        now = services.now()
        case = Case(
            reference=f"tmp-{uuid.uuid4().hex}", school_id=school_id, pupil_id=pupil_id,
            definition_id=definition_id, process_version_id=process_version_id, status=CaseStatus.OPEN,
            started_by_id=actor.user_id, started_at=now, updated_at=now,
        )
        session.add(case)
        session.flush()
        case.reference = f"{now.year}-{case.id:05d}"
        state = CaseState(case_id=case.id, school_id=school_id, state="", updated_at=now)
        session.add(state)
        change = CaseChange(session, services, actor, case, None, now)
        change._workflow, change._state, change._new_case = workflow, state, True
        yield change
        change._finish()
        session.commit()
    except NotAllowed as refused:
        session.rollback()
        record_audit(session, "case.refused", actor=actor, at=services.now(), school_id=school_id,
                     detail={"attempt": "case.start", "reason": refused.message})
        session.commit()
        raise
    except BaseException:
        session.rollback()
        raise


class _Invisible(Exception):
    def __init__(self, case: Case):
        super().__init__(case.id)
        self.case_id, self.school_id = case.id, case.school_id


def _record_refusal(session: Session, actor: Actor, attempt: str, case_id: int, school_id: int,
                    services: CaseServices, reason: str) -> None:
    """A refused attempt is evidence too: written in its own transaction, after the rollback."""
    record_audit(session, "case.refused", actor=actor, at=services.now(), school_id=school_id, case_id=case_id,
                 detail={"attempt": attempt, "reason": reason})
    session.commit()
