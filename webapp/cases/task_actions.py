"""Working on a task without completing it: drafts, claiming and releasing.

Each goes through the unit of work, so it is serialised with completions and checked under the
case lock: a draft saved while a colleague completes the task is refused, not lost silently.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.cases.dossier_actions import (
    Upload,
    foreign_attachment_errors,
    store_task_uploads,
)
from webapp.cases.errors import (
    CaseNotFound,
    DraftTooLarge,
    InvalidSubmission,
    NotAllowed,
)
from webapp.cases.models import CaseTask
from webapp.cases.unit_of_work import CaseChange, case_change
from webapp.definitions.version_forms import form_of_task
from webapp.forms.submission import sanitize_draft
from webapp.services import CaseServices


def case_of_task(session: Session, task_id: int) -> int:
    """The case a task belongs to (which case to lock); the task's state is read under the lock."""
    task = session.get(CaseTask, task_id)
    if task is None:
        raise CaseNotFound(task_id)
    return task.case_id


def save_draft(session: Session, services: CaseServices, actor: Actor, *, task_id: int, values: Mapping,
               uploads: Mapping[str, Sequence[Upload]] | None = None) -> dict:
    """Keep what the user typed, valid or not but in the shape of each field's type (unknown fields
    dropped), until they complete the task; files chosen on the
    form are stored with it. Only attachment references are checked now: a draft must not link
    another case's file. Returns the draft as stored (with the new attachments' ids)."""
    with case_change(session, services, actor, case_of_task(session, task_id), "task.save_draft") as change:
        task = change.task_to_work_on(task_id)
        form = form_of_task(session, task)
        draft = sanitize_draft(form, values)
        stored = store_task_uploads(change, task, form, draft, uploads or {})
        foreign = foreign_attachment_errors(session, form, draft, task)
        if foreign:
            raise InvalidSubmission(foreign)
        keep_draft(change, task, draft, stored)
    return draft


def draft_size(draft: Mapping) -> int:
    """The bytes a draft takes as stored (JSON, UTF-8)."""
    return len(json.dumps(draft, ensure_ascii=False, default=str).encode("utf-8"))


def keep_draft(change: CaseChange, task: CaseTask, draft: dict, new_attachment_ids: list[int],
               reason: str | None = None) -> None:
    """Store the draft, unless it is over the size limit: then DraftTooLarge, and the unit of work
    rolls everything back (the draft stored before stays)."""
    size, limit = draft_size(draft), change.services.draft_max_bytes
    if size > limit:
        raise DraftTooLarge(size, limit)
    task.draft = draft
    task.draft_updated_at = change.now
    task.draft_updated_by_id = change.actor.user_id
    detail = {"case_task_id": task.id}
    if new_attachment_ids:
        detail["attachment_ids"] = new_attachment_ids
    if reason:
        detail["reason"] = reason
    change.audit("task.save_draft", detail)


def claim_task(session: Session, services: CaseServices, actor: Actor, *, task_id: int) -> None:
    """Put the task on the actor's name; refused (TaskTaken) when a colleague holds it."""
    with case_change(session, services, actor, case_of_task(session, task_id), "task.claim") as change:
        task = change.task_to_work_on(task_id)
        if task.claimed_by_id == actor.user_id:
            return  # already theirs: nothing changes, nothing to record
        task.claimed_by_id = actor.user_id
        task.claimed_at = change.now
        change.audit("task.claim", {"case_task_id": task.id})


def release_task(session: Session, services: CaseServices, actor: Actor, *, task_id: int) -> bool:
    """Release a claim (one's own; coordinators and directors anyone's). Returns whether anything
    was released: an unclaimed task stays as it is and nothing is recorded."""
    with case_change(session, services, actor, case_of_task(session, task_id), "task.release") as change:
        task = change.open_task(task_id)
        if task.claimed_by_id is None:
            return False
        if change.policy is not None and not change.policy.may_release(task):
            raise NotAllowed("U kunt alleen een taak vrijgeven die u zelf heeft opgepakt; IB en directie "
                             "kunnen elke taak vrijgeven.")
        task.claimed_by_id = None
        task.claimed_at = None
        change.audit("task.release", {"case_task_id": task.id})
    return True
