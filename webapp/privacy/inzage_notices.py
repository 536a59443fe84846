"""Deadline notices on an inzage request's answer term, as on a workflow task's due date.

An inzage request is no BPMN task (nothing in a diagram waits for it), so it is its own row, shown
in the task list beside the workflow's tasks (`inzage.inzage_tasks`). Its term gets the same three
notices from the worker, with the same settings: a reminder before the due moment, a notice when it
passes, an escalation to the school's director(s) when it stays unanswered. Each once: under a row
lock the request is stamped (`reminder_sent_at`, `expiry_notified_at`, `escalated_at`) only while it
is still unanswered, due and unstamped — so a request answered meanwhile gets nothing — and the
notifications, their mails and the audit entry are written in the same transaction. A unique key on
(request, kind, recipient, due moment) backs this up in the database.

Recipients follow the policy, as in the task list: whoever may answer the request (the school's
coordinators and director; for a request addressed to the board, its board members too);
escalation goes to the director(s). When nobody qualifies the director(s) get it; a school without
an active director is told to nobody, and the audit trail says so.
"""
from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.audit.log import record_audit
from webapp.auth.models import User
from webapp.auth.policy import Policy
from webapp.db import Database
from webapp.notifications.deadline_notices import (
    NoticeKind,
    NoticeSettings,
    active_members,
    notice_window,
)
from webapp.notifications.service import notify
from webapp.privacy.inzage import INZAGE_TASK_NAME
from webapp.privacy.models import InzageRequest
from webapp.roles import Role
from webapp.services import CaseServices

log = logging.getLogger(__name__)

STAMPS = {
    NoticeKind.REMINDER: InzageRequest.reminder_sent_at,
    NoticeKind.EXPIRED: InzageRequest.expiry_notified_at,
    NoticeKind.ESCALATION: InzageRequest.escalated_at,
}
MAY_ANSWER = {Role.INTERN_BEGELEIDER, Role.DIRECTEUR, Role.BESTUUR}  # narrowed by the policy per request


def needs_notice(kind: NoticeKind, now, settings: NoticeSettings) -> list:
    """SQL conditions on `InzageRequest`: unanswered, due in this kind's window, not yet stamped."""
    return [InzageRequest.answered_at.is_(None), *notice_window(kind, InzageRequest.due_at, STAMPS[kind], now, settings)]


def next_request_needing(session: Session, kind: NoticeKind, now, settings: NoticeSettings,
                         skip: set[int]) -> int | None:
    skipped = [InzageRequest.id.not_in(sorted(skip))] if skip else []
    return session.scalar(select(InzageRequest.id).where(*needs_notice(kind, now, settings), *skipped)
                          .order_by(InzageRequest.due_at, InzageRequest.id).limit(1))


def recipients(session: Session, request: InzageRequest, kind: NoticeKind) -> list[User]:
    if kind is not NoticeKind.ESCALATION:
        may_answer = [user for user in active_members(session, request.school_id, MAY_ANSWER)
                      if Policy.for_user(session, user.id).visible_inzage_request(session, request.id) is not None]
        if may_answer:
            return may_answer
    return active_members(session, request.school_id, {Role.DIRECTEUR})


def send_inzage_notice(session: Session, services: CaseServices, request_id: int, kind: NoticeKind,
                       settings: NoticeSettings) -> int | None:
    """Remind, report expiry or escalate one unanswered request. Returns the number of recipients,
    or None when it no longer needs this notice or another process holds it right now. Commits."""
    now = services.now()
    # Not waiting for a web process answering it right now: the next cycle looks again.
    held = session.scalar(select(InzageRequest.id).where(InzageRequest.id == request_id)
                          .with_for_update(skip_locked=True))
    stamped = held is not None and session.execute(
        update(InzageRequest).where(InzageRequest.id == request_id, *needs_notice(kind, now, settings))
        .values({STAMPS[kind]: now}).execution_options(synchronize_session=False)
    ).rowcount == 1
    if not stamped:
        session.rollback()
        return None
    request = session.get(InzageRequest, request_id, populate_existing=True)
    users = recipients(session, request, kind)
    if not users:
        log.error("%s for inzage request %s: school %s has nobody to tell, not even an active director",
                  kind.value, request.id, request.school_id)
    title, body, mail_subject, mail_text = notice_texts(kind, request)
    notify(session, users, kind=kind.value, title=title, body=body, at=now, school_id=request.school_id,
           mail_subject=mail_subject, mail_text=mail_text, inzage_request_id=request.id,
           link=settings.inzage_link(request.id), task_due_at=request.due_at)
    record_audit(session, "inzage.deadline_notice", actor=Actor.worker(), at=now, school_id=request.school_id,
                 detail={"inzage_request_id": request.id, "kind": kind.value, "recipients": [u.id for u in users],
                         **({} if users else {"reached": "niemand: de school heeft geen actieve directeur"})})
    session.commit()
    return len(users)


def notice_texts(kind: NoticeKind, request: InzageRequest) -> tuple[str, str, str, str]:
    """Title and text in the app, subject and text of the mail — no pupil names in either (the
    app's list says whom it is about once the reader logged in and the policy let them)."""
    due = request.due_on.strftime("%d-%m-%Y")
    asked = f"inzageverzoek {request.id} (verzocht op {request.requested_on:%d-%m-%Y})"
    if kind is NoticeKind.REMINDER:
        return (f"Herinnering: ‘{INZAGE_TASK_NAME}’ uiterlijk {due}",
                f"Het {asked} moet uiterlijk {due} beantwoord zijn.",
                "Meldroute: er wacht een inzageverzoek op antwoord",
                f"In Meldroute wacht een inzageverzoek op antwoord; de termijn loopt af op {due}.")
    if kind is NoticeKind.EXPIRED:
        return (f"Termijn verlopen: ‘{INZAGE_TASK_NAME}’",
                f"Het {asked} had uiterlijk {due} beantwoord moeten zijn. Beantwoord het zo snel mogelijk.",
                "Meldroute: de termijn van een inzageverzoek is verlopen",
                f"In Meldroute staat een inzageverzoek open waarvan de termijn op {due} is verlopen.")
    return (f"Escalatie: ‘{INZAGE_TASK_NAME}’ staat over de termijn open",
            f"Het {asked} is sinds {due} over de termijn en nog niet beantwoord. "
            "U ontvangt dit als directeur van de school.",
            "Meldroute: Escalatie, een inzageverzoek staat over de termijn open",
            f"In Meldroute staat een inzageverzoek sinds {due} over de termijn open. "
            "U ontvangt dit als directeur van de school.")


def send_due_inzage_notices(database: Database, services: CaseServices, settings: NoticeSettings,
                            max_requests: int = 100) -> int:
    """Send every inzage notice that is due now; returns how many requests got one."""
    sent = 0
    for kind in NoticeKind:
        seen: set[int] = set()
        while len(seen) < max_requests:
            with database.session() as session:
                request_id = next_request_needing(session, kind, services.now(), settings, seen)
                if request_id is None:
                    session.rollback()
                    break
                seen.add(request_id)
                try:
                    if send_inzage_notice(session, services, request_id, kind, settings) is not None:
                        sent += 1
                except Exception:
                    session.rollback()
                    log.exception("%s for inzage request %s could not be sent; will retry", kind.value, request_id)
    return sent
