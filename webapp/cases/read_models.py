"""Reading cases and tasks as their reader may see them: one answer for pages and API alike.

Each `read_…` function finds the record through the policy (invisible is `CaseNotFound`, like
missing; visible but not allowed is `NotAllowed`), writes the read to the audit trail, commits,
and returns a plain view object. The HTML views render it, the API dumps it; neither queries
on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.audit.log import record_audit
from webapp.auth.policy import Action, Policy
from webapp.cases.earlier_answers import EarlierAnswer, earlier_answers
from webapp.cases.errors import CaseNotFound, NotAllowed
from webapp.cases.models import (
    Attachment,
    Case,
    CaseCorrection,
    CaseNote,
    CaseState,
    CaseStatus,
    CaseTask,
    CaseTimer,
    TaskStatus,
    TimerStatus,
)
from webapp.cases.timeline import Answer, TimelineEntry, case_timeline, describe_answers
from webapp.definitions.models import ProcessDefinition
from webapp.definitions.spec_cache import compiled_process_of
from webapp.definitions.version_forms import form_of_task, forms_of_version
from webapp.engine import ACUTE_DANGER_SIGNAL, CALENDAR_NAMES, CaseWorkflow
from webapp.forms.definition import FormDefinition
from webapp.forms.submission import Contact
from webapp.school_calendar.service import environment_for_school
from webapp.schools.models import Pupil, School
from webapp.schools.variants import Variant
from webapp.services import CaseServices

CASE_LIST_LIMIT = 500
CASE_LIST_STATUSES = ("open", "closed", "alle")
# What a reader on need-to-know (a teacher) sees of others' entries: the case's status changes.
STATUS_EVENTS = frozenset({"case_started", "case_closed", "case_reopened", "acute_danger"})


# -- finding through the policy -------------------------------------------------------------


def visible_case(session: Session, services: CaseServices, actor: Actor, policy: Policy, case_id: int,
                 attempt: str, action: Action = Action.VIEW_CASE) -> Case:
    """The case if the policy allows `action` on it; otherwise the refusal is audited and raised."""
    case = policy.visible_case(session, case_id)
    if case is not None and case.status == CaseStatus.DESTROYED:
        raise CaseNotFound(case_id)  # destroyed means gone: only the audit trail knows it
    if case is not None and (action is Action.VIEW_CASE or policy.may_on_case(action, session, case)):
        return case
    existing = case or session.get(Case, case_id)
    if existing is not None:
        record_audit(session, "case.refused", actor=actor, at=services.now(), school_id=existing.school_id,
                     case_id=existing.id, detail={"attempt": attempt,
                                                  "reason": "not_allowed" if case else "not_visible"})
        session.commit()
    else:
        _audit_probe(session, services, actor, attempt, {"requested_case_id": case_id})
    if case is None:
        raise CaseNotFound(case_id)
    raise NotAllowed()


def _audit_probe(session: Session, services: CaseServices, actor: Actor, attempt: str, detail: dict) -> None:
    """An id that does not exist is recorded too: counting through ids is what a probe of other
    schools' records looks like, and an inspector wants to see it."""
    if not isinstance(next(iter(detail.values())), int) or abs(next(iter(detail.values()))) > 2**63 - 1:
        detail = {key: str(value)[:40] for key, value in detail.items()}
    record_audit(session, "case.refused", actor=actor, at=services.now(),
                 detail={"attempt": attempt, **detail, "reason": "not_found"})
    session.commit()


def visible_task(session: Session, services: CaseServices, actor: Actor, policy: Policy, task_id: int,
                 attempt: str) -> CaseTask:
    task = policy.visible_task(session, task_id)
    if task is not None and task.status != TaskStatus.OPEN and task.completed_by_id != actor.user_id:
        case = session.get(Case, task.case_id)
        if not policy.sees_whole_dossier(session.get(School, case.school_id), case):
            task = None  # need to know: a colleague's finished step is not this reader's
    if task is None:
        existing = session.get(CaseTask, task_id)
        if existing is not None:
            record_audit(session, "case.refused", actor=actor, at=services.now(), school_id=existing.school_id,
                         case_id=existing.case_id, detail={"attempt": attempt, "case_task_id": task_id,
                                                           "reason": "not_visible"})
            session.commit()
        else:
            _audit_probe(session, services, actor, attempt, {"requested_task_id": task_id})
        raise CaseNotFound(task_id)
    return task


def load_workflow(session: Session, services: CaseServices, case: Case) -> CaseWorkflow:
    """The case's workflow for reading (diagram position, path taken); changes nothing."""
    state = session.get(CaseState, case.id)
    return CaseWorkflow.load(state.state, compiled_process_of(session, case.process_version_id),
                             environment_for_school(session, services.environment, case.school_id))


def open_tasks_of(session: Session, case_id: int) -> list[CaseTask]:
    return list(session.scalars(select(CaseTask).where(CaseTask.case_id == case_id,
                                                       CaseTask.status == TaskStatus.OPEN).order_by(CaseTask.id)))


def waiting_timers_of(session: Session, case_id: int) -> list[CaseTimer]:
    return list(session.scalars(select(CaseTimer).where(CaseTimer.case_id == case_id,
                                                        CaseTimer.status == TimerStatus.WAITING)
                                .order_by(CaseTimer.fires_at)))


# -- the case list ----------------------------------------------------------------------------


class CaseListRow(NamedTuple):
    case: Case
    pupil: Pupil
    definition: ProcessDefinition
    school: School


def read_case_list(session: Session, services: CaseServices, actor: Actor, policy: Policy,
                   status: str = "open") -> list[CaseListRow]:
    """The cases this reader may see, newest change first; `status` open, closed or alle."""
    if not policy.schools_where(Action.VIEW_CASE):
        raise NotAllowed("U heeft op geen van uw scholen toegang tot zaken.")
    query = (
        select(Case, Pupil, ProcessDefinition, School)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
        .join(School, School.id == Case.school_id)
        .where(policy.case_filter(Action.VIEW_CASE))
        .order_by(Case.updated_at.desc(), Case.id.desc())
    )
    if status in (CaseStatus.OPEN, CaseStatus.CLOSED):
        query = query.where(Case.status == status)
    else:
        query = query.where(Case.status != CaseStatus.DESTROYED)
    rows = [CaseListRow(*row) for row in session.execute(query.limit(CASE_LIST_LIMIT)).all()]
    record_audit(session, "caselist.view", actor=actor, at=services.now(),
                 detail={"case_ids": [row.case.id for row in rows]})
    session.commit()
    return rows


# -- one case ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseView:
    case: Case
    school: School
    variant: Variant | None
    version_number: int
    open_tasks: list[CaseTask]
    waiting_timers: list[CaseTimer]
    timeline: list[TimelineEntry]
    notes: list[CaseNote]
    attachments: list[Attachment]
    signals: dict[str, str]  # events other than acute danger the case can receive now: name → label
    may_raise_acute: bool
    may_signal: bool
    may_add: bool
    may_reopen: bool
    may_correct: bool
    may_read_audit: bool  # the case's audit trail (the monitor's page for it)
    whole_dossier: bool  # False: need to know (the status and the reader's own entries)
    corrections: list[CaseCorrection]
    now: datetime

    @property
    def attachment_ids(self) -> frozenset[int]:
        """Attachments still kept (answers may name ones destroyed under a retention term)."""
        return frozenset(a.id for a in self.attachments)


def read_case(session: Session, services: CaseServices, actor: Actor, policy: Policy, case_id: int) -> CaseView:
    case = visible_case(session, services, actor, policy, case_id, "case.view")
    school = session.get(School, case.school_id)
    variant = services.variant_of(school)
    is_open = case.status == CaseStatus.OPEN
    signals = load_workflow(session, services, case).receivable_signals() if is_open else {}
    acute_possible = signals.pop(ACUTE_DANGER_SIGNAL, None) is not None
    whole = policy.sees_whole_dossier(school, case)
    timeline = case_timeline(session, forms_of_version(session, case.process_version_id), variant, case)
    notes = list(session.scalars(select(CaseNote).where(CaseNote.case_id == case.id)
                                 .order_by(CaseNote.created_at, CaseNote.id)))
    attachments = list(session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                       .order_by(Attachment.uploaded_at, Attachment.id)))
    if not whole:
        timeline = [e for e in timeline if e.actor_id == actor.user_id or e.kind in STATUS_EVENTS]
        notes = [n for n in notes if n.author_id == actor.user_id]
        attachments = [a for a in attachments if a.uploaded_by_id == actor.user_id]
    view = CaseView(
        case=case, school=school, variant=variant, version_number=case.process_version.number,
        open_tasks=open_tasks_of(session, case.id), waiting_timers=waiting_timers_of(session, case.id),
        timeline=timeline, notes=notes, attachments=attachments, signals=signals,
        may_raise_acute=acute_possible and policy.may_on_case(Action.RAISE_ACUTE_DANGER, session, case),
        may_signal=bool(signals) and policy.may_on_case(Action.SIGNAL_EVENT, session, case),
        may_add=is_open and policy.may_on_case(Action.ADD_TO_DOSSIER, session, case),
        may_reopen=case.status == CaseStatus.CLOSED and policy.may_on_case(Action.REOPEN_CASE, session, case),
        may_correct=policy.may_on_case(Action.RECORD_CORRECTION, session, case),
        may_read_audit=policy.may_on_case(Action.VIEW_CASE_AUDIT, session, case),
        whole_dossier=whole,
        corrections=list(session.scalars(select(CaseCorrection).where(CaseCorrection.case_id == case.id)
                                         .order_by(CaseCorrection.recorded_at, CaseCorrection.id))) if whole else [],
        now=services.now(),
    )
    _audit_read(session, services, actor, "case.view", case)
    return view


@dataclass(frozen=True)
class CaseDiagram:
    version_number: int
    bpmn_xml: str
    current: list[str]  # element ids where the case stands now
    completed: list[str]  # element ids done, ordered by when each was last done

    def as_dict(self) -> dict:
        """What the case page's diagram viewer and the API's diagram endpoint send alike."""
        return {"versie": self.version_number, "bpmn": self.bpmn_xml, "huidig": self.current,
                "afgerond": self.completed}


def read_case_diagram(session: Session, services: CaseServices, actor: Actor, policy: Policy,
                      case_id: int) -> CaseDiagram:
    """The diagram of the version this case started on, and where the case stands in it."""
    case = visible_case(session, services, actor, policy, case_id, "case.diagram_view")
    workflow = load_workflow(session, services, case)
    current = workflow.current_elements() if case.status == CaseStatus.OPEN else []
    # The viewer opens around the latest steps; a step done before and open again (a loop back)
    # is shown as where the case is now.
    last_done = list(reversed(dict.fromkeys(reversed(workflow.completed_elements()))))
    diagram = CaseDiagram(case.process_version.number, case.process_version.bpmn_xml, current,
                          [e for e in last_done if e not in current])
    _audit_read(session, services, actor, "case.diagram_view", case,
                {"process_version_id": case.process_version_id})
    return diagram


def read_case_diagram_file(session: Session, services: CaseServices, actor: Actor, policy: Policy,
                           case_id: int) -> tuple[Case, str]:
    case = visible_case(session, services, actor, policy, case_id, "case.diagram_download")
    xml = case.process_version.bpmn_xml
    _audit_read(session, services, actor, "case.diagram_download", case,
                {"process_version_id": case.process_version_id})
    return case, xml


def read_attachment(session: Session, services: CaseServices, actor: Actor, policy: Policy, case_id: int,
                    attachment_id: int) -> Attachment:
    case = visible_case(session, services, actor, policy, case_id, "case.attachment_download")
    attachment = session.scalar(select(Attachment).where(Attachment.id == attachment_id,
                                                         Attachment.case_id == case.id))
    if attachment is not None and attachment.uploaded_by_id != actor.user_id and not policy.sees_whole_dossier(
            session.get(School, case.school_id), case):
        attachment = None  # need to know: not a colleague's file
    if attachment is None:
        raise CaseNotFound(attachment_id)
    attachment.content  # noqa: B018 — load the deferred bytes inside this transaction
    _audit_read(session, services, actor, "case.attachment_download", case, {"attachment_id": attachment.id})
    return attachment


@dataclass(frozen=True)
class EventConfirmation:
    """What someone sees before raising acute danger or recording an event."""

    case: Case
    signal: str
    label: str
    possible: bool
    acute: bool
    emergency_contacts: list[Contact]
    tasks_that_lapse: list[CaseTask]


def read_event_confirmation(session: Session, services: CaseServices, actor: Actor, policy: Policy,
                            case_id: int, signal: str) -> EventConfirmation:
    acute = signal == ACUTE_DANGER_SIGNAL
    action = Action.RAISE_ACUTE_DANGER if acute else Action.SIGNAL_EVENT
    case = visible_case(session, services, actor, policy, case_id, "case.signal_confirm", action)
    workflow = load_workflow(session, services, case)
    receivable = workflow.receivable_signals() if case.status == CaseStatus.OPEN else {}
    variant = services.variant_of(session.get(School, case.school_id))
    emergency = list(variant.emergency_contacts) if variant else []
    confirmation = EventConfirmation(case, signal, workflow.signal_label(signal), signal in receivable, acute,
                                     emergency, open_tasks_of(session, case.id))
    _audit_read(session, services, actor, "case.signal_confirm", case, {"signal": signal})
    return confirmation


# -- one task ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskView:
    task: CaseTask
    case: Case
    school: School
    form: FormDefinition
    contacts: tuple[Contact, ...]
    guidance: str
    lane_label: str
    may_work: bool
    may_release: bool
    may_raise_acute: bool
    answers: list[Answer] = field(default_factory=list)
    # Answers of earlier tasks this task's form asks to show (`earlier:`), e.g. a refused consent
    # at the weighing; on need to know only the reader's own.
    earlier: list[EarlierAnswer] = field(default_factory=list)
    now: datetime | None = None
    # Which day count set the due date ('schooldagen', 'werkdagen'), to say so beside it.
    due_calendar: str | None = None

    @property
    def due_calendar_name(self) -> str | None:
        return CALENDAR_NAMES.get(self.due_calendar) if self.due_calendar else None

    @property
    def draft(self) -> dict | None:
        """A draft is shown only to whoever may work on the task: someone who may merely look
        (another lane, or claimed by a colleague) does not see a colleague's draft."""
        return self.task.draft if self.task.status == TaskStatus.OPEN and self.may_work else None


def read_task(session: Session, services: CaseServices, actor: Actor, policy: Policy, task_id: int, *,
              audit: bool = True) -> TaskView:
    """The task with its form and guidance. `audit=False` for a page shown again after a refused
    or invalid submission, whose attempt is already recorded."""
    task = visible_task(session, services, actor, policy, task_id, "task.view")
    view = task_view(session, services, policy, task)
    if audit:
        _audit_read(session, services, actor, "task.view", view.case, {"case_task_id": task.id})
    return view


def task_view(session: Session, services: CaseServices, policy: Policy, task: CaseTask) -> TaskView:
    case = session.get(Case, task.case_id)
    school = session.get(School, case.school_id)
    variant = services.variant_of(school)
    form = form_of_task(session, task)
    compiled = compiled_process_of(session, case.process_version_id)
    element = compiled.element(task.element_id)
    return TaskView(
        task=task, case=case, school=school, form=form,
        contacts=tuple(variant.contacts) if variant else (),
        guidance=element.documentation if element else "",
        lane_label=services.task_lane_term(school, task),
        may_work=policy.may_work_on(session, task),
        may_release=policy.may_release(task),
        may_raise_acute=case.status == CaseStatus.OPEN and policy.may_on_case(Action.RAISE_ACUTE_DANGER,
                                                                              session, case),
        answers=(describe_answers(form, task.data or {}, variant) if task.status == TaskStatus.COMPLETED else []),
        earlier=earlier_answers(session, task, form, variant,
                                only_by=None if policy.sees_whole_dossier(school, case) else policy.user_id),
        now=services.now(),
        due_calendar=compiled.due_calendar(task.element_id) if task.due_at else None,
    )


def _audit_read(session: Session, services: CaseServices, actor: Actor, action: str, case: Case,
                detail: dict | None = None) -> None:
    record_audit(session, action, actor=actor, at=services.now(), school_id=case.school_id, case_id=case.id,
                 detail=detail)
    session.commit()
