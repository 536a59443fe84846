"""A case's course through its diagram: start, complete a task, fire timers, signals and acute danger.

Every function is one command through the unit of work (`webapp.cases.unit_of_work`): the door
locks, checks, saves, syncs, audits and commits; these functions only say what changes.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.auth.policy import Action
from webapp.cases.dossier_actions import (
    Upload,
    discard_unused_task_uploads,
    foreign_attachment_errors,
    store_task_uploads,
)
from webapp.cases.earlier_answers import naming_errors
from webapp.cases.errors import InvalidSubmission, NotPossibleNow, TaskAlreadyDone
from webapp.cases.models import (
    Case,
    CaseStatus,
    CaseTask,
    CaseTimer,
    TaskStatus,
    TimerStatus,
)
from webapp.cases.task_actions import case_of_task, keep_draft
from webapp.cases.unit_of_work import case_change, new_case_change
from webapp.definitions.models import ProcessDefinition, ProcessVersion
from webapp.definitions.spec_cache import compiled_process_of
from webapp.definitions.version_forms import form_of_task
from webapp.engine import ACUTE_DANGER_SIGNAL, CaseWorkflow, TaskNotReady, TimerInfo
from webapp.forms.submission import validate_submission
from webapp.privacy.effects import apply_field_effects
from webapp.privacy.retention import unschedule_on_reopening
from webapp.school_calendar.service import environment_for_school
from webapp.schools.models import Pupil, School
from webapp.services import CaseServices


def start_case(session: Session, services: CaseServices, actor: Actor, *, definition_id: int,
               pupil_id: int) -> Case:
    """Start a case on the route's published version, for a pupil of the route's school."""
    definition = session.get(ProcessDefinition, definition_id, populate_existing=True)
    pupil = session.get(Pupil, pupil_id)
    if definition is None or pupil is None or pupil.school_id != definition.school_id:
        session.rollback()
        raise NotPossibleNow("route en leerling horen niet bij dezelfde school")
    # Not the version's BPMN text: it is needed only to compile the process (cached).
    version = (session.execute(
        select(ProcessVersion.id, ProcessVersion.number, ProcessVersion.content_hash)
        .where(ProcessVersion.id == definition.published_version_id)
    ).one_or_none() if definition.published_version_id else None)
    if version is None:
        session.rollback()
        raise NotPossibleNow(f"route '{definition.name}' heeft nog geen gepubliceerde versie")
    workflow = CaseWorkflow.start(
        compiled_process_of(session, version.id, version.content_hash),
        environment_for_school(session, services.environment, definition.school_id),
        {"leerling_geboortedatum": pupil.date_of_birth.isoformat()},
    )
    with new_case_change(session, services, actor, school_id=definition.school_id, pupil_id=pupil.id,
                         definition_id=definition.id, process_version_id=version.id,
                         workflow=workflow) as change:
        change.event("case_started", f"Zorg gemeld: route '{definition.name}' (versie {version.number})")
        change.audit("case.start", {"route": definition.route_key, "version": version.number})
    return change.case


@dataclass(frozen=True)
class _KeptWithDraft:
    errors: dict[str, list[str]]
    values: dict


def complete_task(session: Session, services: CaseServices, actor: Actor, *, task_id: int,
                  submitted: Mapping, uploads: Mapping[str, Sequence[Upload]] | None = None) -> CaseTask:
    """Validate the submission and complete the task, exactly once whatever the concurrency.

    Files chosen on the form are stored in the same transaction. When the form is invalid they
    are kept with the task's draft (with what was typed), so the user does not choose them again;
    InvalidSubmission.kept then holds those values. Without files an invalid form changes nothing."""
    kept = None
    with case_change(session, services, actor, case_of_task(session, task_id), "task.complete") as change:
        task = change.task_to_work_on(task_id)
        form = form_of_task(session, task)
        values = dict(submitted)
        stored = store_task_uploads(change, task, form, values, uploads or {})
        school = session.get(School, task.school_id)
        variant = services.variant_of(school)
        result = validate_submission(form, values, variant.contacts if variant else (),
                                     change.environment.deadlines)
        errors = result.errors if not result.ok else (foreign_attachment_errors(session, form, result.data, task)
                                                      or naming_errors(session, task, form, result.data))
        if errors:
            if not stored:
                raise InvalidSubmission(errors)
            keep_draft(change, task, values, stored, reason="invalid_submission")
            kept = _KeptWithDraft(errors, values)
        else:
            try:
                change.workflow.complete_user_task(task.spiff_task_id, result.data)
            except TaskNotReady:
                raise TaskAlreadyDone(task.id, task.status) from None
            task.status = TaskStatus.COMPLETED
            task.data = result.data
            task.completed_by_id = actor.user_id
            task.completed_at = change.now
            task.draft = None
            discard_unused_task_uploads(change, task, form, result.data)
            apply_field_effects(change, form, result.data)
            change.event("task_completed", f"{task.name} afgerond", element_id=task.element_id,
                         detail={"case_task_id": task.id})
            change.audit("task.complete", {"case_task_id": task.id, "element": task.element_id})
    if kept is not None:
        raise InvalidSubmission(kept.errors, kept=kept.values)
    return task


def fire_due_timers(session: Session, services: CaseServices, case_id: int) -> list[TimerInfo]:
    """Fire whatever is due in this case (the worker, which has claimed the case)."""
    with case_change(session, services, Actor.worker(), case_id, "case.timers_fire") as change:
        if change.case.status != CaseStatus.OPEN:
            # A closed case waits for nothing: a leftover timer row must not be found due forever.
            session.execute(
                update(CaseTimer).where(CaseTimer.case_id == case_id, CaseTimer.status == TimerStatus.WAITING)
                .values(status=TimerStatus.CANCELLED).execution_options(synchronize_session=False)
            )
            return []
        fired = change.workflow.fire_due_timers()
        change.fired_timer_ids.update(t.task_id for t in fired)
        for timer in fired:
            change.event("timer_fired", f"Termijn verstreken: {timer.name}", element_id=timer.element_id,
                         detail={"due": timer.fires_at.isoformat()})
        if fired:
            change.audit("case.timers_fire", {"elements": [t.element_id for t in fired]})
    return fired


def send_case_signal(session: Session, services: CaseServices, actor: Actor, *, case_id: int,
                     signal: str) -> Case:
    """Let something happen that the diagram waits for (acute danger, a pupil leaving school…)."""
    requires = Action.RAISE_ACUTE_DANGER if signal == ACUTE_DANGER_SIGNAL else Action.SIGNAL_EVENT
    with case_change(session, services, actor, case_id, "case.signal", requires=requires) as change:
        workflow = change.workflow
        if change.case.status != CaseStatus.OPEN or not workflow.can_receive_signal(signal):
            raise NotPossibleNow("dit kan in deze fase van de zaak niet (meer)")
        label = workflow.signal_label(signal)
        payload = {"gemeld_door": actor.user_id}
        if signal == ACUTE_DANGER_SIGNAL:
            payload["acuut_gemeld_op"] = change.now.isoformat()
        workflow.send_signal(signal, payload)
        if signal == ACUTE_DANGER_SIGNAL:
            change.case.acute_raised_at = change.now
            change.event("acute_danger", "Acuut gevaar gemeld: acute route gestart")
        else:
            change.event("signal", f"Gebeurtenis: {label}")
        change.audit("case.signal", {"signal": signal})
    return change.case


def raise_acute_danger(session: Session, services: CaseServices, actor: Actor, *, case_id: int) -> Case:
    return send_case_signal(session, services, actor, case_id=case_id, signal=ACUTE_DANGER_SIGNAL)



MAX_REASON_LENGTH = 2000


def reopen_case(session: Session, services: CaseServices, actor: Actor, *, case_id: int, reason: str) -> Case:
    """A closed case is read-only; reopening it is an explicit act of a coordinator or director,
    with a reason. The route starts again from its beginning, on the case's own version; the
    dossier so far stays as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidSubmission({"reden": ["Geef de reden om de zaak te heropenen."]})
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidSubmission({"reden": [f"Maximaal {MAX_REASON_LENGTH} tekens."]})
    with case_change(session, services, actor, case_id, "case.reopen", requires=Action.REOPEN_CASE) as change:
        case = change.case
        if case.status != CaseStatus.CLOSED:
            raise NotPossibleNow("alleen een afgesloten zaak kan worden heropend")
        pupil = session.get(Pupil, case.pupil_id)
        change.restart_workflow(CaseWorkflow.start(
            compiled_process_of(session, case.process_version_id), change.environment,
            {"leerling_geboortedatum": pupil.date_of_birth.isoformat()}))
        previous = case.outcome
        case.status, case.closed_at, case.outcome = CaseStatus.OPEN, None, None
        unschedule_on_reopening(case)
        change.event("case_reopened", f"Zaak heropend: {reason}"[:500], detail={"reason": reason})
        change.audit("case.reopen", {"previous_outcome": previous})
    return change.case
