"""Telling people something: an in-app notification and its mail, written in one transaction.

The mail goes to the outbox in the same transaction as its cause; the worker delivers it later
(see `webapp.notifications.mail`). Mails carry no pupil names: only the case reference, the step
and a link into the app, where the policy decides what the reader may see.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from webapp.auth.models import User
from webapp.notifications.models import Notification, OutboxMail


def notify(
    session: Session, users: Iterable[User], *, kind: str, title: str, body: str, at: datetime,
    school_id: int | None = None, case_id: int | None = None, case_task_id: int | None = None,
    link: str | None = None, task_due_at: datetime | None = None, inzage_request_id: int | None = None,
    mail_subject: str | None = None, mail_text: str | None = None,
) -> list[Notification]:
    """An in-app notification per user and its mail. The mail may be worded apart (`mail_subject`,
    `mail_text`): a mail is read on lock screens and shared devices, the app only after login."""
    notifications = []
    subject, text = mail_subject or title, mail_text or body
    for user in users:
        notification = Notification(
            user_id=user.id, school_id=school_id, case_id=case_id, case_task_id=case_task_id,
            inzage_request_id=inzage_request_id, kind=kind, title=title[:300], body=body, created_at=at, task_due_at=task_due_at,
        )
        session.add(notification)
        session.flush()
        mail_body = f"Beste {user.display_name},\n\n{text}\n" + (f"\nOpenen in Meldroute: {link}\n" if link else "")
        session.add(OutboxMail(notification_id=notification.id, to_address=user.email, subject=subject[:300],
                               body=mail_body, created_at=at, attempts=0))
        notifications.append(notification)
    return notifications


def mark_read(session: Session, user_id: int, at: datetime, notification_id: int | None = None) -> int:
    """Mark one (or every) unread notification of this user read; returns how many changed."""
    statement = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    result = session.execute(statement.values(read_at=at).execution_options(synchronize_session=False))
    return result.rowcount
