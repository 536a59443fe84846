from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base


class Notification(Base):
    """Shown in the app (notifications page and badge); mailed through the outbox."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),
        # A deadline notice reaches each recipient once per task, kind and due date, however many
        # workers run; a due date that moves (a re-agreed term) earns its own notices.
        UniqueConstraint("case_task_id", "kind", "user_id", "task_due_at"),
        # The same for the answer term of an inzage request (a task outside the workflow).
        UniqueConstraint("inzage_request_id", "kind", "user_id", "task_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    case_task_id: Mapped[int | None] = mapped_column(ForeignKey("case_tasks.id"))
    inzage_request_id: Mapped[int | None] = mapped_column(ForeignKey("inzage_requests.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    # Deadline notices: the task's (or inzage request's) due date the notice was about.
    task_due_at: Mapped[datetime | None]


class OutboxMail(Base):
    """Mail written in the same transaction as its cause, delivered later by the worker."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_unsent", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # After a failed attempt: not before this moment; after the last allowed attempt: given up.
    next_attempt_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
