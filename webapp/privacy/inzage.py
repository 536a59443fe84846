"""Inzage: everything kept about a pupil, for a parent's (or the pupil's) request to see it.

A coordinator or director records the request (who asked, when; the answer is due within a
month) and makes the export: a PDF to hand over, the same as machine-readable JSON, and the
attachments themselves, together in one ZIP. Work notes are included — a court held they fall
under the parents' right of inspection — and so are the parents' own corrections, beside what
they correct. What a retention term destroyed is no longer there; the export says so. Every
request and export is in the audit trail.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.audit.log import record_audit
from webapp.auth.policy import Action, Policy
from webapp.cases.errors import CaseNotFound, InvalidSubmission, NotAllowed
from webapp.cases.models import Attachment, Case, CaseCorrection, CaseNote, CaseStatus
from webapp.cases.timeline import case_timeline
from webapp.clock import SCHOOL_TIMEZONE, as_school_time, date_not_after_today
from webapp.definitions.version_forms import forms_of_version
from webapp.privacy.inzage_pdf import render_pdf
from webapp.privacy.models import InzageRequest
from webapp.schools.models import Pupil, School
from webapp.services import CaseServices

ANSWER_TERM = relativedelta(months=1)
INZAGE_TASK_NAME = "Inzageverzoek beantwoorden"
GIVEN, REFUSED = "verstrekt", "geweigerd"
ANSWERS = {GIVEN: "inzage verstrekt", REFUSED: "geweigerd"}


@dataclass(frozen=True)
class InzageExport:
    filename_stem: str
    data: dict
    pdf: bytes
    attachments: list[tuple[str, bytes]]  # (path inside the ZIP, content)

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{self.filename_stem}.pdf", self.pdf)
            archive.writestr(f"{self.filename_stem}.json", json.dumps(self.data, ensure_ascii=False, indent=2))
            for path, content in self.attachments:
                archive.writestr(path, content)
        return buffer.getvalue()


# -- requests ---------------------------------------------------------------------------------


def answer_due_at(due_on: date) -> datetime:
    """The moment the term ends: the end of its last day, in school time."""
    return datetime.combine(due_on + timedelta(days=1), time(0), SCHOOL_TIMEZONE)


def record_request(session: Session, services: CaseServices, actor: Actor, policy: Policy, *, school_id: int,
                   pupil_name: str, date_of_birth: str, requested_by: str, requested_on: str) -> InzageRequest:
    """Record a request about a pupil of the school, found by name and date of birth (as when
    reporting a concern: never chosen from a list). Recorded by a board member it is the board's
    (a parent may address the board as the controller). Its answer term becomes a task of whoever
    may answer it (`inzage_tasks`), with the worker's deadline notices. Commits."""
    if not policy.may_at_school(Action.HANDLE_INZAGE, school_id):
        raise NotAllowed("U mag op deze school geen inzageverzoeken behandelen.")
    errors: dict[str, list[str]] = {}
    pupil = None
    try:
        born = date.fromisoformat((date_of_birth or "").strip())
        # The same match as when reporting a concern: the whole name (any case), never a pattern.
        pupil = session.scalar(select(Pupil).where(Pupil.school_id == school_id, Pupil.date_of_birth == born,
                                                   func.lower(Pupil.name) == (pupil_name or "").strip().lower()))
        if pupil is None:
            errors["naam"] = ["Over deze leerling (naam en geboortedatum) is op deze school niets vastgelegd."]
    except ValueError:
        errors["geboortedatum"] = ["Vul een geldige geboortedatum in."]
    if not (requested_by or "").strip():
        errors["verzocht_door"] = ["Wie vraagt om inzage (bijvoorbeeld moeder, vader, de leerling)?"]
    on, problem = date_not_after_today(requested_on, services.now())
    if problem:
        errors["verzocht_op"] = [problem]
    if errors:
        raise InvalidSubmission(errors)
    due_on = on + ANSWER_TERM
    request = InzageRequest(school_id=school_id, pupil_id=pupil.id, requested_by=requested_by.strip()[:200],
                            requested_on=on, due_on=due_on, due_at=answer_due_at(due_on),
                            addressed_to_board=policy.answers_inzage_as_board(school_id),
                            recorded_by_id=actor.user_id, recorded_at=services.now())
    session.add(request)
    session.flush()
    record_audit(session, "inzage.request", actor=actor, at=services.now(), school_id=school_id,
                 detail={"inzage_request_id": request.id, "due_on": request.due_on.isoformat(),
                         "addressed_to_board": request.addressed_to_board})
    session.commit()
    return request


def open_requests(session: Session, policy: Policy) -> list[InzageRequest]:
    """The requests this reader handles: open ones first, by due date."""
    return list(session.scalars(select(InzageRequest).where(policy.inzage_request_filter())
                                .order_by(InzageRequest.answered_at.is_not(None), InzageRequest.due_on,
                                          InzageRequest.id)))


class InzageTask(NamedTuple):
    """An open request as a row of the task list, beside the workflow's tasks."""

    request: InzageRequest
    pupil: Pupil
    school: School
    mine: bool  # recorded by this user: on "Mijn taken"; else on "Taken voor mijn rol"

    name = INZAGE_TASK_NAME


def inzage_task_condition(policy: Policy, *, mine: bool) -> list:
    """SQL conditions on `InzageRequest`: open requests this user may answer that are on their
    "Mijn taken" (they recorded it) or on "Taken voor mijn rol" (a colleague did)."""
    recorder = InzageRequest.recorded_by_id == policy.user_id
    return [policy.inzage_request_filter(), InzageRequest.answered_at.is_(None), recorder if mine else ~recorder]


def inzage_tasks(session: Session, policy: Policy, *, mine: bool, school_id: int | None = None,
                 due_before: datetime | None = None) -> list[InzageTask]:
    """Open requests this user may answer, as tasks: those they recorded (`mine`) or the others."""
    query = (select(InzageRequest, Pupil, School).join(Pupil, Pupil.id == InzageRequest.pupil_id)
             .join(School, School.id == InzageRequest.school_id)
             .where(*inzage_task_condition(policy, mine=mine))
             .order_by(InzageRequest.due_at, InzageRequest.id))
    if school_id is not None:
        query = query.where(InzageRequest.school_id == school_id)
    if due_before is not None:
        query = query.where(InzageRequest.due_at < due_before)
    return [InzageTask(request, pupil, school, mine) for request, pupil, school in session.execute(query).all()]


def visible_request(session: Session, services: CaseServices, actor: Actor, policy: Policy,
                    request_id: int, *, lock: bool = False) -> InzageRequest:
    if lock:
        # Serialises an answer with the worker's deadline notice for the same request.
        session.execute(select(InzageRequest.id).where(InzageRequest.id == request_id).with_for_update())
    request = policy.visible_inzage_request(session, request_id)
    if request is None:
        school_id = session.scalar(select(InzageRequest.school_id).where(InzageRequest.id == request_id))
        if school_id is not None:
            record_audit(session, "inzage.refused", actor=actor, at=services.now(), school_id=school_id,
                         detail={"inzage_request_id": request_id})
            session.commit()
        else:
            session.rollback()
        raise CaseNotFound(request_id)
    return request


def answer_request(session: Session, services: CaseServices, actor: Actor, policy: Policy, request_id: int, *,
                   answer: str, reason: str = "") -> bool:
    """Close the request's task: the inzage was given (`verstrekt`), or refused with the reason
    (`geweigerd`). Returns False when it had been answered already (nothing changes). Commits."""
    visible_request(session, services, actor, policy, request_id)  # 404 before anything is said about input
    reason = (reason or "").strip()
    problem = None
    if answer not in ANSWERS:
        problem = {"uitkomst": ["Kies: inzage verstrekt, of geweigerd met de reden."]}
    elif answer == REFUSED and not reason:
        problem = {"reden": ["Geef de reden van de weigering; de ouder heeft er recht op."]}
    elif len(reason) > 2000:
        problem = {"reden": ["De reden is te lang (ten hoogste 2000 tekens)."]}
    if problem:
        session.rollback()
        raise InvalidSubmission(problem)
    request = visible_request(session, services, actor, policy, request_id, lock=True)
    session.refresh(request)  # as it stands under the lock
    if request.answered_at is not None:
        session.rollback()
        return False
    now = services.now()
    request.answered_at, request.answered_by_id, request.answer = now, actor.user_id, answer
    request.refusal_reason = reason if answer == REFUSED else None
    record_audit(session, "inzage.answered", actor=actor, at=now, school_id=request.school_id,
                 detail={"inzage_request_id": request.id, "answer": answer, "exports": request.exports,
                         "on_time": now < request.due_at})
    session.commit()
    return True


# -- the export ---------------------------------------------------------------------------------


def make_export(session: Session, services: CaseServices, actor: Actor, policy: Policy,
                request_id: int) -> InzageExport:
    """Everything kept about the request's pupil that this reader may see whole; audited."""
    request = visible_request(session, services, actor, policy, request_id)
    pupil = session.get(Pupil, request.pupil_id)
    school = session.get(School, request.school_id)
    variant = services.variant_of(school)
    now = services.now()
    cases, left_out, attachments = [], 0, []
    covered = set(session.scalars(select(Case.id).where(Case.pupil_id == pupil.id, policy.inzage_case_filter())))
    for case in session.scalars(select(Case).where(Case.pupil_id == pupil.id).order_by(Case.started_at, Case.id)):
        if case.id not in covered or not policy.sees_whole_dossier(school, case):
            left_out += 1
            continue
        case_data, files = _case_data(session, services, variant, case)
        cases.append(case_data)
        attachments += files
    data = {
        "soort": "Inzage in het meldcodedossier",
        "gemaakt_op": as_school_time(now).isoformat(),
        "school": school.name,
        "leerling": {"naam": pupil.name, "groep": pupil.group_name, "geboortedatum": pupil.date_of_birth.isoformat()},
        "verzoek": {"verzocht_door": request.requested_by, "verzocht_op": request.requested_on.isoformat(),
                    "beantwoorden_voor": request.due_on.isoformat()},
        "zaken": cases,
        "niet_opgenomen": left_out,
    }
    request.exports += 1
    record_audit(session, "inzage.export", actor=actor, at=now, school_id=school.id,
                 detail={"inzage_request_id": request.id, "case_ids": [c["id"] for c in cases],
                         "attachments": len(attachments), "left_out": left_out})
    session.commit()
    stem = f"inzage-{pupil.name}-{as_school_time(now):%Y%m%d}".replace(" ", "-").lower()
    return InzageExport(stem, data, render_pdf(data), attachments)


def _case_data(session: Session, services: CaseServices, variant, case: Case) -> tuple[dict, list]:
    timeline = case_timeline(session, forms_of_version(session, case.process_version_id), variant, case)
    notes = list(session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.created_at)))
    corrections = list(session.scalars(select(CaseCorrection).where(CaseCorrection.case_id == case.id)
                                       .order_by(CaseCorrection.recorded_at)))
    files = list(session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                 .order_by(Attachment.uploaded_at)))
    stamp = _moment
    data = {
        "id": case.id, "referentie": case.reference, "route": case.definition.name,
        "versie": case.process_version.number,
        "status": {CaseStatus.OPEN: "lopend", CaseStatus.CLOSED: "afgesloten"}.get(case.status, case.status),
        "gestart_op": stamp(case.started_at), "afgesloten_op": stamp(case.closed_at), "uitkomst": case.outcome,
        "tijdlijn": [{"op": stamp(e.at), "door": e.actor, "wat": e.title,
                      "antwoorden": [{"vraag": a.label, "antwoord": a.text} for a in e.answers]} for e in timeline],
        "notities": [{"op": stamp(n.created_at), "door": n.author.display_name if n.author else None,
                      "soort": n.kind, "bron": n.source, "tekst": n.body, "oordeel": n.verdict} for n in notes],
        "werkaantekeningen_vernietigd_op": stamp(case.work_notes_destroyed_at),
        "correcties": [{"vastgelegd_op": stamp(c.recorded_at), "verzocht_door": c.requested_by,
                        "verzocht_op": c.requested_on.isoformat(), "betreft": c.about, "tekst": c.body}
                       for c in corrections],
        "bijlagen": [{"bestandsnaam": a.filename, "type": a.content_type, "grootte": a.size_bytes,
                      "sha256": a.sha256, "geupload_op": stamp(a.uploaded_at),
                      "in_zip": f"bijlagen/{case.reference}/{a.id}-{a.filename}"} for a in files],
        "bijlagen_vernietigd_op": stamp(case.attachments_destroyed_at),
    }
    return data, [(f"bijlagen/{case.reference}/{a.id}-{a.filename}", a.content) for a in files]


def _moment(moment: datetime | None) -> str | None:
    return as_school_time(moment).isoformat() if moment else None
