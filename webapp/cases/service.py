"""Everything that changes a case: start it, complete a task, fire its timers, raise acute danger.

Each function is one unit of work: lock the case, load its workflow, do one engine operation,
then save the workflow state together with the rows that index it (open tasks, waiting timers,
status and current step), the timeline and the audit trail — and commit. Either all of it is
stored or none of it.
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.audit.log import record_audit
from webapp.cases.locking import lock_case
from webapp.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    CaseState,
    CaseStatus,
    CaseTask,
    CaseTimer,
    TaskStatus,
    TimerStatus,
)
from webapp.definitions.models import ProcessDefinition, ProcessVersion
from webapp.definitions.spec_cache import compiled_process_of
from webapp.engine import (
    ACUTE_DANGER_SIGNAL,
    CaseWorkflow,
    EngineEnvironment,
    TaskNotReady,
    TimerInfo,
)
from webapp.forms.catalog import FormCatalog
from webapp.forms.submission import validate_submission
from webapp.ids import MAX_ID, parse_id
from webapp.schools.models import Pupil
from webapp.schools.variants import Variant

log = logging.getLogger(__name__)


class CaseError(Exception):
    pass


class TaskAlreadyDone(CaseError):
    """The task was completed (or cancelled) before this submission got its turn."""

    def __init__(self, task: CaseTask):
        super().__init__(f"taak {task.id} is al {task.status}")
        self.task = task


class InvalidSubmission(CaseError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("formulier bevat fouten")
        self.errors = errors


class NotPossibleNow(CaseError):
    pass


@dataclass(frozen=True)
class CaseServices:
    """What the case layer needs from the running application (web or worker)."""

    environment: EngineEnvironment
    forms: FormCatalog
    variants: Mapping[str, Variant]

    def now(self) -> datetime:
        return self.environment.clock.now()


def start_case(
    session: Session, services: CaseServices, *, definition_id: int, pupil_id: int,
    actor_id: int | None, remote_addr: str | None = None,
) -> Case:
    definition = session.get(ProcessDefinition, definition_id, populate_existing=True)
    pupil = session.get(Pupil, pupil_id)
    if definition is None or pupil is None or pupil.school_id != definition.school_id:
        raise NotPossibleNow("route en leerling horen niet bij dezelfde school")
    # Not the version's BPMN text: it is needed only to compile the process (cached).
    version = (session.execute(
        select(ProcessVersion.id, ProcessVersion.number, ProcessVersion.content_hash)
        .where(ProcessVersion.id == definition.published_version_id)
    ).one_or_none() if definition.published_version_id else None)
    if version is None:
        raise NotPossibleNow(f"route '{definition.name}' heeft nog geen gepubliceerde versie")
    now = services.now()
    workflow = CaseWorkflow.start(
        compiled_process_of(session, version.id, version.content_hash), services.environment,
        {"leerling_geboortedatum": pupil.date_of_birth.isoformat()},
    )
    case = Case(
        reference=f"tmp-{uuid.uuid4().hex}",
        school_id=definition.school_id,
        pupil_id=pupil.id,
        definition_id=definition.id,
        process_version_id=version.id,
        status=CaseStatus.OPEN,
        started_by_id=actor_id,
        started_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    case.reference = f"{now.year}-{case.id:05d}"
    state = CaseState(case_id=case.id, state="", updated_at=now)
    session.add(state)
    _add_event(session, case, "case_started", f"Zorg gemeld: route '{definition.name}' "
               f"(versie {version.number})", now, actor_id)
    _save(session, case, state, workflow, now, actor_id, new_case=True)
    record_audit(session, "case.start", at=now, user_id=actor_id, school_id=case.school_id,
                 case_id=case.id, detail={"route": definition.route_key, "version": version.number},
                 remote_addr=remote_addr)
    session.commit()
    return case


def complete_task(
    session: Session, services: CaseServices, *, case_task_id: int, submitted: Mapping,
    actor_id: int | None, remote_addr: str | None = None,
) -> CaseTask:
    """Validate the submission and complete the task, exactly once whatever the concurrency."""
    task = session.get(CaseTask, case_task_id)
    if task is None:
        raise LookupError(case_task_id)
    contacts = _variant_contacts(session, services, task.school_id)
    form = services.forms.get(task.form_key)
    result = validate_submission(form, submitted, contacts, services.environment.deadlines)
    if not result.ok:
        raise InvalidSubmission(result.errors)
    foreign = foreign_attachment_errors(session, form, result.data, task)
    if foreign:
        raise InvalidSubmission(foreign)

    case = lock_case(session, task.case_id)
    session.refresh(task)
    if task.status != TaskStatus.OPEN:
        session.rollback()
        raise TaskAlreadyDone(task)
    now = services.now()
    workflow, state = _load(session, services, case)
    try:
        workflow.complete_user_task(task.spiff_task_id, result.data)
    except TaskNotReady:
        session.rollback()
        raise TaskAlreadyDone(task) from None
    task.status = TaskStatus.COMPLETED
    task.data = result.data
    task.completed_by_id = actor_id
    task.completed_at = now
    task.draft = None
    _add_event(session, case, "task_completed", f"{task.name} afgerond", now, actor_id,
               element_id=task.element_id, detail={"case_task_id": task.id})
    _save(session, case, state, workflow, now, actor_id)
    record_audit(session, "task.complete", at=now, user_id=actor_id, school_id=case.school_id,
                 case_id=case.id, detail={"case_task_id": task.id, "element": task.element_id},
                 remote_addr=remote_addr)
    session.commit()
    return task


def fire_due_timers(session: Session, services: CaseServices, case_id: int) -> list[TimerInfo]:
    """Fire whatever is due in this case (called by the worker); commits."""
    case = lock_case(session, case_id)
    if case.status != CaseStatus.OPEN:
        # A closed case waits for nothing: a leftover timer row must not be found due forever.
        session.execute(
            update(CaseTimer).where(CaseTimer.case_id == case_id, CaseTimer.status == TimerStatus.WAITING)
            .values(status=TimerStatus.CANCELLED).execution_options(synchronize_session=False)
        )
        session.commit()
        return []
    now = services.now()
    workflow, state = _load(session, services, case)
    fired = workflow.fire_due_timers()
    for timer in fired:
        _add_event(session, case, "timer_fired", f"Termijn verstreken: {timer.name}", now, None,
                   element_id=timer.element_id, detail={"due": timer.fires_at.isoformat()})
    _save(session, case, state, workflow, now, None, fired={t.task_id for t in fired})
    session.commit()
    return fired


def send_deadline_notice(session: Session, services: CaseServices, task: CaseTask, kind,
                         settings) -> int | None:
    """Remind, report expiry or escalate one open task (called by the worker, task locked); commits.

    Stamps the task, writes a notification and a mail per recipient, the timeline and the audit
    trail, all in one transaction. Returns the number of recipients, or None when the task no
    longer needs this notice (done, cancelled, moved or stamped since the worker selected it).
    """
    from webapp.clock import as_school_time
    from webapp.notifications.deadline_notices import (
        STAMPS,
        NoticeKind,
        needs_notice,
        recipients,
    )
    from webapp.notifications.service import notify
    from webapp.roles import lane_label

    now = services.now()
    # The stamp is the first write and re-checks, in the database, that the notice is still due.
    # On SQLite the selecting SELECT holds no lock (the transaction starts at this write), so the
    # web may have completed or cancelled the task in between; the write lock this UPDATE takes
    # keeps it that way until commit. On PostgreSQL the claimed row lock already guarantees it.
    # No case lock here: the web takes case then task, so task then case would deadlock.
    stamped = session.execute(
        update(CaseTask).where(CaseTask.id == task.id, *needs_notice(kind, now, settings))
        .values({STAMPS[kind]: now}).execution_options(synchronize_session=False)
    )
    if stamped.rowcount != 1:
        session.rollback()
        return None
    session.refresh(task)  # who claimed it, its lane and due date as of now, not as first read
    case = session.get(Case, task.case_id)
    due = as_school_time(task.due_at).strftime("%d-%m-%Y %H:%M")
    lane = lane_label(task.lane)
    if kind is NoticeKind.REMINDER:
        title = f"Herinnering: ‘{task.name}’ moet af vóór {due}"
        body = (f"In zaak {case.reference} staat de taak ‘{task.name}’ ({lane}) nog open. "
                f"De termijn loopt af op {due}.")
        event = "Herinnering verstuurd"
    elif kind is NoticeKind.EXPIRED:
        title = f"Termijn verlopen: ‘{task.name}’"
        body = (f"In zaak {case.reference} had de taak ‘{task.name}’ uiterlijk {due} af moeten zijn. "
                "De termijn is verstreken; rond de taak zo snel mogelijk af.")
        event = "Melding termijn verlopen verstuurd"
    else:
        title = f"Escalatie: ‘{task.name}’ staat over de termijn open"
        body = (f"In zaak {case.reference} is de taak ‘{task.name}’ ({lane}) sinds {due} over de termijn "
                "en nog niet afgerond. U ontvangt dit als directeur van de school.")
        event = "Escalatie naar de directie"
    users = recipients(session, task, kind)
    reached = f"{len(users)} ontvanger(s)"
    if not users:
        # Stamped all the same (retrying every few seconds would tell no one either), but never
        # silently: the case timeline and audit trail say nobody was reached, and why.
        log.error("%s for task %s: school %s has nobody to tell, not even an active director",
                  kind.value, task.id, task.school_id)
        reached = "niemand bereikt: de school heeft geen actieve behandelaar of directeur"
    notify(session, users, kind=kind.value, title=title, body=body, at=now, school_id=task.school_id,
           case_id=case.id, case_task_id=task.id, link=settings.task_link(task.id), task_due_at=task.due_at)
    _add_event(session, case, "deadline_notice", f"{event}: {task.name} ({reached})", now, None,
               element_id=task.element_id, detail={"case_task_id": task.id, "kind": kind.value,
                                                   "recipients": [u.id for u in users]})
    record_audit(session, "case.deadline_notice", at=now, school_id=case.school_id, case_id=case.id,
                 detail={"case_task_id": task.id, "kind": kind.value, "recipients": [u.id for u in users]})
    session.commit()
    return len(users)


def send_case_signal(
    session: Session, services: CaseServices, *, case_id: int, signal: str, actor_id: int | None,
    remote_addr: str | None = None,
) -> Case:
    """Let something happen that the diagram waits for (acute danger, a pupil leaving school…)."""
    case = lock_case(session, case_id)
    workflow, state = _load(session, services, case)
    if case.status != CaseStatus.OPEN or not workflow.can_receive_signal(signal):
        session.rollback()
        raise NotPossibleNow("dit kan in deze fase van de zaak niet (meer)")
    now = services.now()
    label = workflow.signal_label(signal)
    workflow.send_signal(signal, {"gemeld_door": actor_id})
    if signal == ACUTE_DANGER_SIGNAL:
        case.acute_raised_at = now
        _add_event(session, case, "acute_danger", "Acuut gevaar gemeld: acute route gestart", now, actor_id)
    else:
        _add_event(session, case, "signal", f"Gebeurtenis: {label}", now, actor_id)
    _save(session, case, state, workflow, now, actor_id)
    record_audit(session, "case.signal", at=now, user_id=actor_id, school_id=case.school_id,
                 case_id=case.id, detail={"signal": signal}, remote_addr=remote_addr)
    session.commit()
    return case


def raise_acute_danger(
    session: Session, services: CaseServices, *, case_id: int, actor_id: int | None,
    remote_addr: str | None = None,
) -> Case:
    return send_case_signal(session, services, case_id=case_id, signal=ACUTE_DANGER_SIGNAL,
                            actor_id=actor_id, remote_addr=remote_addr)


def load_workflow(session: Session, services: CaseServices, case: Case) -> CaseWorkflow:
    """The case's workflow for reading (diagram position, path taken); changes nothing."""
    return _load(session, services, case)[0]


# -- internals ---------------------------------------------------------------------------


def _variant_contacts(session: Session, services: CaseServices, school_id: int):
    from webapp.schools.models import School

    school = session.get(School, school_id)
    variant = services.variants.get(school.variant) if school else None
    return variant.contacts if variant else ()


def _load(session: Session, services: CaseServices, case: Case) -> tuple[CaseWorkflow, CaseState]:
    """The case's workflow and its state row; keep the row for `_save` (the session holds loaded
    rows only weakly, so dropping it would cost another SELECT)."""
    state = session.get(CaseState, case.id, populate_existing=True)
    compiled = compiled_process_of(session, case.process_version_id)
    return CaseWorkflow.load(state.state, compiled, services.environment), state


def _add_event(session, case, kind, title, at, actor_id, element_id=None, detail=None) -> None:
    session.add(CaseEvent(case_id=case.id, at=at, kind=kind, actor_id=actor_id,
                          element_id=element_id, title=title[:500], detail=detail))


def _save(session, case: Case, state: CaseState, workflow: CaseWorkflow, now, actor_id,
          fired: set[str] = frozenset(), new_case: bool = False) -> None:
    state.state = workflow.dump()
    state.updated_at = now
    # A case started in this transaction has no task or timer rows yet: nothing to look up.
    ready = _sync_tasks(session, case, workflow, now, new_case)
    waiting = _sync_timers(session, case, workflow, now, fired, new_case)
    case.updated_at = now
    if ready:
        case.current_step = "; ".join(dict.fromkeys(t.name for t in ready))[:500]
    elif waiting:
        case.current_step = ("Wacht: " + "; ".join(dict.fromkeys(t.name for t in waiting)))[:500]
    else:
        case.current_step = ""
    if workflow.is_completed and case.status == CaseStatus.OPEN:
        ends = [e.label for e in workflow.reached_end_events() if e.name]
        case.status = CaseStatus.CLOSED
        case.closed_at = now
        case.outcome = (ends[-1] if ends else "Afgesloten")[:300]
        _add_event(session, case, "case_closed", f"Zaak afgesloten: {case.outcome}", now, actor_id)


def _sync_tasks(session, case: Case, workflow: CaseWorkflow, now, new_case: bool):
    ready = workflow.ready_user_tasks()
    by_id = {t.task_id: t for t in ready}
    open_rows = () if new_case else session.scalars(
        select(CaseTask).where(CaseTask.case_id == case.id, CaseTask.status == TaskStatus.OPEN)
    ).all()
    for row in open_rows:
        info = by_id.pop(row.spiff_task_id, None)
        if info is None:
            row.status = TaskStatus.CANCELLED
            _add_event(session, case, "task_cancelled", f"{row.name} vervallen", now, None,
                       element_id=row.element_id, detail={"case_task_id": row.id})
        elif info.due_at is not None and row.due_at != info.due_at:
            row.due_at = info.due_at
            if info.due_at > now:
                # A new date still ahead (a re-agreed term): reminder, expiry and escalation are all
                # due again for it. A new date already past keeps its stamps: the task was overdue
                # and stays so, and those notices went out.
                row.reminder_sent_at = row.expiry_notified_at = row.escalated_at = None
    for info in by_id.values():
        session.add(CaseTask(
            case_id=case.id, school_id=case.school_id, spiff_task_id=info.task_id,
            element_id=info.element_id, name=info.name[:300],
            lane=info.lane.value if info.lane else "", form_key=info.form_key,
            status=TaskStatus.OPEN, due_at=info.due_at, created_at=now,
        ))
    return ready


def _sync_timers(session, case: Case, workflow: CaseWorkflow, now, fired: set[str], new_case: bool):
    waiting = workflow.waiting_timers()
    by_id = {t.task_id: t for t in waiting}
    rows = () if new_case else session.scalars(
        select(CaseTimer).where(CaseTimer.case_id == case.id, CaseTimer.status == TimerStatus.WAITING)
    ).all()
    for row in rows:
        if by_id.pop(row.spiff_task_id, None) is None:
            row.status = TimerStatus.FIRED if row.spiff_task_id in fired else TimerStatus.CANCELLED
            row.fired_at = now if row.status == TimerStatus.FIRED else None
    for info in by_id.values():
        session.add(CaseTimer(
            case_id=case.id, spiff_task_id=info.task_id, element_id=info.element_id,
            name=info.name[:300], fires_at=info.fires_at, status=TimerStatus.WAITING, created_at=now,
        ))
    return waiting


# -- working on a task without completing it ------------------------------------------------


def save_draft(
    session: Session, services: CaseServices, *, case_task_id: int, values: Mapping,
    actor_id: int, remote_addr: str | None = None,
) -> None:
    """Keep what the user typed, valid or not, until they complete the task.

    Only attachment references are checked now: a draft must not link another case's file."""
    task = session.get(CaseTask, case_task_id)
    if task is None:
        raise LookupError(case_task_id)
    foreign = foreign_attachment_errors(session, services.forms.get(task.form_key), values, task)
    if foreign:
        session.rollback()
        raise InvalidSubmission(foreign)
    now = services.now()
    result = session.execute(
        update(CaseTask)
        .where(CaseTask.id == case_task_id, CaseTask.status == TaskStatus.OPEN)
        .values(draft=dict(values), draft_updated_at=now, draft_updated_by_id=actor_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise TaskAlreadyDone(session.get(CaseTask, case_task_id))
    task = session.get(CaseTask, case_task_id, populate_existing=True)
    record_audit(session, "task.save_draft", at=now, user_id=actor_id, school_id=task.school_id,
                 case_id=task.case_id, detail={"case_task_id": case_task_id}, remote_addr=remote_addr)
    session.commit()


class AlreadyClaimed(CaseError):
    pass


def claim_task(session: Session, services: CaseServices, *, case_task_id: int, actor_id: int,
               remote_addr: str | None = None) -> None:
    now = services.now()
    result = session.execute(
        update(CaseTask)
        .where(CaseTask.id == case_task_id, CaseTask.status == TaskStatus.OPEN,
               CaseTask.claimed_by_id.is_(None))
        .values(claimed_by_id=actor_id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise AlreadyClaimed("deze taak is al opgepakt of afgerond")
    task = session.get(CaseTask, case_task_id, populate_existing=True)
    record_audit(session, "task.claim", at=now, user_id=actor_id, school_id=task.school_id,
                 case_id=task.case_id, detail={"case_task_id": case_task_id}, remote_addr=remote_addr)
    session.commit()


def release_task(session: Session, services: CaseServices, *, case_task_id: int, actor_id: int,
                 remote_addr: str | None = None) -> None:
    now = services.now()
    session.execute(
        update(CaseTask)
        .where(CaseTask.id == case_task_id, CaseTask.status == TaskStatus.OPEN)
        .values(claimed_by_id=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    task = session.get(CaseTask, case_task_id, populate_existing=True)
    record_audit(session, "task.release", at=now, user_id=actor_id, school_id=task.school_id,
                 case_id=task.case_id, detail={"case_task_id": case_task_id}, remote_addr=remote_addr)
    session.commit()


FOREIGN_ATTACHMENT = "Deze bijlage hoort niet bij deze zaak."


def foreign_attachment_errors(session: Session, form, values: Mapping, task: CaseTask) -> dict[str, list[str]]:
    """File fields hold attachment ids; each must be an attachment of this task's own case (and
    school). Otherwise a case's data could reference another pupil's file: downloads are checked
    per case, but the dossier, exports and gateway data would carry a foreign reference."""
    errors: dict[str, list[str]] = {}
    for definition in form.fields:
        if definition.type != "file":
            continue
        given = values.get(definition.name)
        if given in (None, "", []):
            continue
        ids = [_attachment_id(item) for item in (given if isinstance(given, list) else [given])]
        if None in ids:
            errors[definition.name] = [FOREIGN_ATTACHMENT]
            continue
        own = set(session.scalars(
            select(Attachment.id).join(Case, Case.id == Attachment.case_id)
            .where(Attachment.id.in_(ids), Attachment.case_id == task.case_id, Case.school_id == task.school_id)
        ))
        if own != set(ids):
            errors[definition.name] = [FOREIGN_ATTACHMENT]
    return errors


def _attachment_id(item) -> int | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item if 0 < item <= MAX_ID else None
    return parse_id(item) if isinstance(item, str) else None


# -- the dossier ----------------------------------------------------------------------------

NOTE_KINDS = ("feit", "hypothese")
VERDICTS = ("bevestigd", "ontkracht")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf", "image/jpeg", "image/png", "image/tiff",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword", "application/vnd.oasis.opendocument.text", "text/plain",
}


def add_note(
    session: Session, services: CaseServices, *, case_id: int, actor_id: int, kind: str, body: str,
    source: str | None = None, follows_up_id: int | None = None, verdict: str | None = None,
    remote_addr: str | None = None,
) -> CaseNote:
    errors = {}
    if kind not in NOTE_KINDS:
        errors["soort"] = ["Kies feit of hypothese."]
    if not body or not body.strip():
        errors["tekst"] = ["Schrijf de notitie."]
    elif len(body) > 20000:
        errors["tekst"] = ["Maximaal 20000 tekens."]
    if follows_up_id is not None:
        earlier = session.get(CaseNote, follows_up_id)
        if earlier is None or earlier.case_id != case_id or earlier.kind != "hypothese":
            errors["vervolg_op"] = ["Een vervolgaantekening hoort bij een hypothese in deze zaak."]
        if verdict not in VERDICTS:
            errors["oordeel"] = ["Kies bevestigd of ontkracht."]
    if errors:
        raise InvalidSubmission(errors)
    now = services.now()
    case = session.get(Case, case_id)
    note = CaseNote(case_id=case_id, author_id=actor_id, created_at=now, kind=kind,
                    source=(source or "").strip()[:300] or None, body=body.strip(),
                    follows_up_id=follows_up_id, verdict=verdict if follows_up_id else None)
    session.add(note)
    session.flush()
    title = ("Vervolgaantekening: hypothese " + verdict) if follows_up_id else f"Notitie ({kind})"
    _add_event(session, case, "note_added", title, now, actor_id, detail={"note_id": note.id})
    record_audit(session, "case.note_add", at=now, user_id=actor_id, school_id=case.school_id,
                 case_id=case_id, detail={"note_id": note.id}, remote_addr=remote_addr)
    session.commit()
    return note


def add_attachment(
    session: Session, services: CaseServices, *, case_id: int, actor_id: int, filename: str,
    content_type: str, content: bytes, case_task_id: int | None = None, remote_addr: str | None = None,
    commit: bool = True,
) -> Attachment:
    if not content:
        raise InvalidSubmission({"bestand": ["Het bestand is leeg."]})
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InvalidSubmission({"bestand": ["Een bijlage is maximaal 10 MB."]})
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise InvalidSubmission({"bestand": ["Alleen PDF, afbeeldingen, tekst- of Word-documenten."]})
    now = services.now()
    case = session.get(Case, case_id)
    attachment = Attachment(
        case_id=case_id, case_task_id=case_task_id, filename=_safe_filename(filename),
        content_type=content_type, size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(),
        content=content, uploaded_by_id=actor_id, uploaded_at=now,
    )
    session.add(attachment)
    session.flush()
    _add_event(session, case, "attachment_added", f"Bijlage toegevoegd: {attachment.filename}", now,
               actor_id, detail={"attachment_id": attachment.id})
    record_audit(session, "case.attachment_add", at=now, user_id=actor_id, school_id=case.school_id,
                 case_id=case_id, detail={"attachment_id": attachment.id}, remote_addr=remote_addr)
    if commit:
        session.commit()
    return attachment


def _safe_filename(name: str) -> str:
    name = (name or "bijlage").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in name if c.isalnum() or c in " ._-()").strip(" .")
    return (cleaned or "bijlage")[:255]
