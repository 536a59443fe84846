"""Adding to a case's dossier: notes and attachments, with their rules and limits.

Each is a command inside the unit of work (`case_change`): the lock, the policy check, the
timeline and the audit trail come from the door. Files chosen on a task form are stored by
`store_task_uploads` in the same transaction as the completion or draft that uses them.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import puremagic
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.auth.policy import Action
from webapp.cases.errors import InvalidSubmission
from webapp.cases.models import Attachment, CaseCorrection, CaseNote, CaseTask
from webapp.cases.unit_of_work import CaseChange, case_change
from webapp.clock import date_not_after_today
from webapp.forms.definition import FormDefinition
from webapp.ids import MAX_ID, parse_id
from webapp.services import CaseServices

NOTE_KINDS = ("feit", "hypothese")
VERDICTS = ("bevestigd", "ontkracht")
MAX_NOTE_LENGTH = 20000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf", "image/jpeg", "image/png", "image/tiff",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword", "application/vnd.oasis.opendocument.text", "text/plain",
}
FOREIGN_ATTACHMENT = "Deze bijlage hoort niet bij deze zaak."


@dataclass(frozen=True)
class Upload:
    """A file as the user sent it, read into memory (at most the request limit)."""

    filename: str
    content_type: str
    content: bytes


# -- notes ------------------------------------------------------------------------------------


def add_note(session: Session, services: CaseServices, actor: Actor, *, case_id: int, kind: str, body: str,
             source: str | None = None, follows_up_id: int | None = None, verdict: str | None = None) -> CaseNote:
    with case_change(session, services, actor, case_id, "case.note_add", requires=Action.ADD_TO_DOSSIER) as change:
        change.require_open()
        errors = _note_errors(session, case_id, kind, body, follows_up_id, verdict)
        if errors:
            raise InvalidSubmission(errors)
        note = CaseNote(case_id=case_id, school_id=change.case.school_id, author_id=actor.user_id,
                        created_at=change.now, kind=kind, source=(source or "").strip()[:300] or None,
                        body=body.strip(), follows_up_id=follows_up_id,
                        verdict=verdict if follows_up_id else None)
        session.add(note)
        session.flush()
        title = ("Vervolgaantekening: hypothese " + verdict) if follows_up_id else f"Notitie ({kind})"
        change.event("note_added", title, detail={"note_id": note.id})
        change.audit("case.note_add", {"note_id": note.id})
    return note


def _note_errors(session: Session, case_id: int, kind: str, body: str, follows_up_id: int | None,
                 verdict: str | None) -> dict[str, list[str]]:
    errors = {}
    if kind not in NOTE_KINDS:
        errors["soort"] = ["Kies feit of hypothese."]
    if not body or not body.strip():
        errors["tekst"] = ["Schrijf de notitie."]
    elif len(body) > MAX_NOTE_LENGTH:
        errors["tekst"] = [f"Maximaal {MAX_NOTE_LENGTH} tekens."]
    if follows_up_id is not None:
        earlier = session.get(CaseNote, follows_up_id)
        if earlier is None or earlier.case_id != case_id or earlier.kind != "hypothese":
            errors["vervolg_op"] = ["Een vervolgaantekening hoort bij een hypothese in deze zaak."]
        if verdict not in VERDICTS:
            errors["oordeel"] = ["Kies bevestigd of ontkracht."]
    return errors


# -- corrections ------------------------------------------------------------------------------

MAX_CORRECTION_LENGTH = 20000


def add_correction(session: Session, services: CaseServices, actor: Actor, *, case_id: int, requested_by: str,
                   requested_on: str, about: str, body: str) -> CaseCorrection:
    """A parent's (or pupil's) correction request, recorded beside the entry it concerns: the
    original stays as it was. Also on a closed case — the right to correction outlives the route."""
    with case_change(session, services, actor, case_id, "case.correction_add",
                     requires=Action.RECORD_CORRECTION) as change:
        errors, on = _correction_errors(requested_by, requested_on, about, body, change.now)
        if errors:
            raise InvalidSubmission(errors)
        correction = CaseCorrection(
            case_id=case_id, school_id=change.case.school_id, requested_by=requested_by.strip()[:200],
            requested_on=on, about=about.strip()[:300], body=body.strip(), recorded_by_id=actor.user_id,
            recorded_at=change.now)
        session.add(correction)
        session.flush()
        change.event("correction_added", f"Correctieverzoek vastgelegd ({correction.requested_by})",
                     detail={"correction_id": correction.id})
        change.audit("case.correction_add", {"correction_id": correction.id})
    return correction


def _correction_errors(requested_by: str, requested_on: str, about: str, body: str, now):
    errors: dict[str, list[str]] = {}
    if not (requested_by or "").strip():
        errors["verzocht_door"] = ["Wie vraagt om de correctie (bijvoorbeeld moeder, vader, de leerling)?"]
    on, problem = date_not_after_today(requested_on, now)
    if problem:
        errors["verzocht_op"] = [problem]
    if not (about or "").strip():
        errors["betreft"] = ["Welk onderdeel van het dossier betreft het?"]
    if not (body or "").strip():
        errors["tekst"] = ["Schrijf de gevraagde correctie op."]
    elif len(body) > MAX_CORRECTION_LENGTH:
        errors["tekst"] = [f"Maximaal {MAX_CORRECTION_LENGTH} tekens."]
    return errors, on


# -- attachments ------------------------------------------------------------------------------


def add_attachment(session: Session, services: CaseServices, actor: Actor, *, case_id: int,
                   upload: Upload) -> Attachment:
    """An attachment added to the dossier itself (not through a task form)."""
    with case_change(session, services, actor, case_id, "case.attachment_add",
                     requires=Action.ADD_TO_DOSSIER) as change:
        change.require_open()
        errors = upload_errors(upload)
        if errors:
            raise InvalidSubmission({"bestand": errors})
        attachment = _store(change, upload, case_task_id=None)
        change.event("attachment_added", f"Bijlage toegevoegd: {attachment.filename}",
                     detail={"attachment_id": attachment.id})
    return attachment


def upload_errors(upload: Upload) -> list[str]:
    if not upload.content:
        return ["Het bestand is leeg."]
    if len(upload.content) > MAX_ATTACHMENT_BYTES:
        return ["Een bijlage is maximaal 10 MB."]
    if upload.content_type not in ALLOWED_ATTACHMENT_TYPES:
        return ["Alleen PDF, afbeeldingen, tekst- of Word-documenten."]
    if not content_matches_type(upload.content, upload.content_type):
        return ["De inhoud van het bestand past niet bij het soort bestand; er is niets opgeslagen."]
    return []


# What puremagic may call a file of each allowed type (an .odt is a zip; an old .doc is an OLE
# container that puremagic may name after any of its siblings).
_CONTENT_TYPES_ACCEPTED = {
    "application/vnd.oasis.opendocument.text": {"application/vnd.oasis.opendocument.text",
                                                "application/zip"},
    "application/msword": {"application/msword", "application/x-ole-storage"},
}


def content_matches_type(content: bytes, declared: str) -> bool:
    """Whether the bytes are what the browser says they are: the type is checked from the content
    (puremagic's signatures), so an executable or HTML page cannot pass as a PDF or a text."""
    try:
        found = {m.mime_type for m in puremagic.magic_string(content[:65536]) if m.mime_type}
    except puremagic.PureError:
        found = set()
    if declared == "text/plain":
        # Text has no signature: refuse what has one, and binary content.
        return not found and b"\x00" not in content[:65536]
    return bool(found & _CONTENT_TYPES_ACCEPTED.get(declared, {declared}))


def _store(change: CaseChange, upload: Upload, case_task_id: int | None) -> Attachment:
    attachment = Attachment(
        case_id=change.case.id, school_id=change.case.school_id, case_task_id=case_task_id,
        filename=safe_filename(upload.filename), content_type=upload.content_type,
        size_bytes=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content, uploaded_by_id=change.actor.user_id, uploaded_at=change.now,
    )
    change.session.add(attachment)
    change.session.flush()
    change.audit("case.attachment_add", {"attachment_id": attachment.id, "case_task_id": case_task_id})
    return attachment


def store_task_uploads(change: CaseChange, task: CaseTask, form: FormDefinition, values: dict,
                       uploads: Mapping[str, Sequence[Upload]]) -> list[int]:
    """Store the files chosen in a task form's file fields, in this change's transaction, and add
    their ids to `values`. A bad file stops the whole change (nothing is stored)."""
    file_fields = {f.name for f in form.fields if f.type == "file"}
    errors = {}
    for name, files in uploads.items():
        if name not in file_fields:
            continue
        problems = [f"{u.filename}: {p}" for u in files for p in upload_errors(u)]
        if problems:
            errors[name] = problems
    if errors:
        raise InvalidSubmission(errors)
    stored = []
    for name, files in uploads.items():
        if name not in file_fields:
            continue
        for upload in files:
            attachment = _store(change, upload, case_task_id=task.id)
            values[name] = [*(values.get(name) or []), attachment.id]
            stored.append(attachment.id)
    return stored


def discard_unused_task_uploads(change: CaseChange, task: CaseTask, form: FormDefinition, data: Mapping) -> None:
    """Files uploaded on this task's form (kept with a draft) that the completed form no longer
    holds never became part of the dossier: they go."""
    kept = {item for f in form.fields if f.type == "file" for item in (data.get(f.name) or [])}
    unused = list(change.session.scalars(select(Attachment.id).where(
        Attachment.case_task_id == task.id, Attachment.id.not_in(kept) if kept else Attachment.id.is_not(None))))
    if unused:
        change.session.execute(delete(Attachment).where(Attachment.id.in_(unused)))
        change.audit("case.attachment_discard", {"attachment_ids": unused, "case_task_id": task.id})


def foreign_attachment_errors(session: Session, form: FormDefinition, values: Mapping,
                              task: CaseTask) -> dict[str, list[str]]:
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
        own = set(session.scalars(select(Attachment.id).where(
            Attachment.id.in_(ids), Attachment.case_id == task.case_id, Attachment.school_id == task.school_id)))
        if own != set(ids):
            errors[definition.name] = [FOREIGN_ATTACHMENT]
    return errors


def _attachment_id(item) -> int | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item if 0 < item <= MAX_ID else None
    return parse_id(item) if isinstance(item, str) else None


def safe_filename(name: str) -> str:
    name = (name or "bijlage").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in name if c.isalnum() or c in " ._-()").strip(" .")
    return (cleaned or "bijlage")[:255]
