"""Destroying what a retention term says is due: really deleted, one transaction per case.

The worker (`destroy_due`) finds cases whose work notes, attachments or whole dossier have passed
their term (`cases.*_destroy_after`, see `retention`) and destroys them through the case door,
not waiting for a case another process holds. A destroyed dossier leaves its case row (status
`destroyed`, no pupil, so the audit trail keeps its case) and an anonymous `CaseStatistics`
record that the yearly figures keep counting; the pupil goes too when no other case needs them.
Every destruction is in the audit trail — which category, which case number, by which rule —
never what was destroyed.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.cases.errors import CaseBusy
from webapp.cases.models import (
    Attachment,
    Case,
    CaseCorrection,
    CaseEvent,
    CaseNote,
    CaseState,
    CaseStatus,
    CaseTask,
    CaseTimer,
)
from webapp.cases.unit_of_work import CaseChange, case_change
from webapp.db import Database
from webapp.definitions.models import ProcessDefinition, ProcessVersion
from webapp.notifications.models import Notification, OutboxMail
from webapp.privacy.models import CaseStatistics, InzageRequest
from webapp.privacy.retention import (
    ATTACHMENTS,
    CATEGORIES,
    DOSSIER,
    WORK_NOTES,
    describe_term,
    terms_for,
)
from webapp.schools.models import Pupil, School
from webapp.services import CaseServices

log = logging.getLogger(__name__)

DUE_COLUMNS = {
    WORK_NOTES: (Case.work_notes_destroy_after, Case.work_notes_destroyed_at),
    ATTACHMENTS: (Case.attachments_destroy_after, Case.attachments_destroyed_at),
    DOSSIER: (Case.dossier_destroy_after, Case.destroyed_at),
}


def _rule(change: CaseChange, category: str) -> str:
    term = terms_for(change.session, change.case.school_id)[category]
    return f"{CATEGORIES[category].label}: {describe_term(term)} ({term})"


def _record(change: CaseChange, category: str, counts: dict[str, int]) -> None:
    detail = {"category": category, "reference": change.case.reference, "rule": _rule(change, category),
              "counts": counts}
    change.audit("case.destroy", detail)


def destroy_work_notes(change: CaseChange) -> int:
    notes = change.session.scalar(select(func.count()).select_from(CaseNote).where(CaseNote.case_id == change.case.id))
    change.session.execute(delete(CaseNote).where(CaseNote.case_id == change.case.id))
    change.case.work_notes_destroyed_at = change.now
    change.event("work_notes_destroyed", f"Werkaantekeningen vernietigd ({notes} notitie(s)), volgens "
                 f"{_rule(change, WORK_NOTES)}", by_actor=False)
    _record(change, WORK_NOTES, {"notities": notes})
    return notes


def destroy_attachments(change: CaseChange) -> int:
    files = change.session.scalar(select(func.count()).select_from(Attachment)
                                  .where(Attachment.case_id == change.case.id))
    change.session.execute(delete(Attachment).where(Attachment.case_id == change.case.id))
    # A file's name can say as much as the file: the timeline keeps that one was added, not its name.
    change.session.execute(update(CaseEvent).where(CaseEvent.case_id == change.case.id,
                                                   CaseEvent.kind == "attachment_added")
                           .values(title="Bijlage toegevoegd (het bestand is vernietigd)")
                           .execution_options(synchronize_session=False))
    change.case.attachments_destroyed_at = change.now
    change.event("attachments_destroyed", f"Bijlagen vernietigd ({files} bestand(en)), volgens "
                 f"{_rule(change, ATTACHMENTS)}", by_actor=False)
    _record(change, ATTACHMENTS, {"bijlagen": files})
    return files


def destroy_dossier(change: CaseChange) -> None:
    """Everything of the case goes; its row stays as a tombstone and an anonymous record remains."""
    session, case = change.session, change.case
    session.add(anonymous_record(session, case, change.now))
    case_filter = {"case_id": case.id}
    counts = {}
    notification_ids = select(Notification.id).where(Notification.case_id == case.id)
    session.execute(delete(OutboxMail).where(OutboxMail.notification_id.in_(notification_ids)))
    for label, model in (("meldingen", Notification), ("notities", CaseNote), ("bijlagen", Attachment),
                         ("correcties", CaseCorrection), ("termijnen", CaseTimer), ("taken", CaseTask),
                         ("tijdlijn", CaseEvent), ("procesgegevens", CaseState)):
        counts[label] = session.execute(delete(model).filter_by(**case_filter)).rowcount
    pupil_id = case.pupil_id
    rule = _rule(change, DOSSIER)
    case.pupil_id = None
    case.status = CaseStatus.DESTROYED
    case.current_step = ""
    case.destroyed_at = change.now
    case.dossier_destroy_after = case.attachments_destroy_after = case.work_notes_destroy_after = None
    session.flush()
    counts["leerling"] = _destroy_pupil_if_unneeded(session, pupil_id)
    change.event("dossier_destroyed", f"Dossier vernietigd volgens {rule}", by_actor=False)
    change.audit("case.destroy", {"category": DOSSIER, "reference": case.reference, "rule": rule, "counts": counts})


def anonymous_record(session: Session, case: Case, now: datetime) -> CaseStatistics:
    definition = session.get(ProcessDefinition, case.definition_id)
    version = session.get(ProcessVersion, case.process_version_id)
    school = session.get(School, case.school_id)
    steps = [{"element": t.element_id, "name": t.name, "lane": t.lane, "status": t.status, "melding": t.melding,
              "opened": t.created_at.isoformat(), "done": t.completed_at.isoformat() if t.completed_at else None}
             for t in session.scalars(select(CaseTask).where(CaseTask.case_id == case.id).order_by(CaseTask.id))]
    return CaseStatistics(
        case_id=case.id, school_id=case.school_id, route_key=definition.route_key, variant=school.variant,
        version_number=version.number, outcome=case.outcome, started_at=case.started_at, closed_at=case.closed_at,
        destroyed_at=now, acute=case.acute_raised_at is not None, steps=steps,
    )


def _destroy_pupil_if_unneeded(session: Session, pupil_id: int | None) -> int:
    if pupil_id is None:
        return 0
    still_needed = session.scalar(select(func.count()).select_from(Case).where(Case.pupil_id == pupil_id))
    if still_needed:
        return 0
    requests = select(InzageRequest.id).where(InzageRequest.pupil_id == pupil_id)
    notices = select(Notification.id).where(Notification.inzage_request_id.in_(requests))
    session.execute(delete(OutboxMail).where(OutboxMail.notification_id.in_(notices)))
    session.execute(delete(Notification).where(Notification.inzage_request_id.in_(requests)))
    session.execute(delete(InzageRequest).where(InzageRequest.pupil_id == pupil_id))
    return session.execute(delete(Pupil).where(Pupil.id == pupil_id)).rowcount


DESTROYERS = {WORK_NOTES: destroy_work_notes, ATTACHMENTS: destroy_attachments, DOSSIER: destroy_dossier}


def due_cases(session: Session, category: str, now: datetime, limit: int, skip: set[int]) -> list[int]:
    due, done = DUE_COLUMNS[category]
    query = select(Case.id).where(due <= now, done.is_(None)).order_by(due, Case.id).limit(limit)
    if skip:
        query = query.where(Case.id.not_in(sorted(skip)))
    return list(session.scalars(query))


def destroy_if_due(session: Session, services: CaseServices, case_id: int, category: str) -> bool:
    """Destroy one category of one case if it is (still) due; True when it was."""
    due, done = DUE_COLUMNS[category]
    with case_change(session, services, Actor.worker(), case_id, f"case.destroy.{category}",
                     skip_locked=True) as change:
        moment, already = getattr(change.case, due.key), getattr(change.case, done.key)
        if moment is None or moment > change.now or already is not None:
            return False
        if category == DOSSIER and change.case.status != CaseStatus.CLOSED:
            return False
        DESTROYERS[category](change)
    return True


def destroy_due(database: Database, services: CaseServices, batch_size: int = 100) -> int:
    """The worker's pass: every destruction now due, work notes and attachments before dossiers."""
    destroyed = 0
    for category in (WORK_NOTES, ATTACHMENTS, DOSSIER):
        skip: set[int] = set()
        while True:
            with database.session() as session:
                batch = due_cases(session, category, services.now(), batch_size, skip)
                if not batch:
                    break
                for case_id in batch:
                    skip.add(case_id)
                    try:
                        destroyed += destroy_if_due(session, services, case_id, category)
                    except CaseBusy:
                        continue  # someone is changing the case right now; the next cycle tries again
                    except Exception:
                        log.exception("destroying %s of case %s failed; will retry", category, case_id)
    return destroyed
