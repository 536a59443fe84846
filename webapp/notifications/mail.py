"""Delivering the outbox over SMTP (run by the worker).

Each mail is claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers never send the
same one), sent, and marked sent — or its error recorded and the next attempt postponed with a
growing pause, until `MAIL_MAX_ATTEMPTS` is reached and it is marked failed (it stays readable
in the app). A worker dying between sending and committing can send one mail twice: delivery is
at least once, never lost. Without `MAIL_SERVER` (development) nothing is sent and the mail
stays in the outbox.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.backoff import doubling_pause
from webapp.db import Database
from webapp.notifications.models import OutboxMail

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    username: str
    password: str
    use_tls: bool
    sender: str
    max_attempts: int = 8
    first_pause: timedelta = timedelta(minutes=1)
    longest_pause: timedelta = timedelta(hours=2)
    timeout_seconds: float = 30

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(server=config.get("MAIL_SERVER", ""), port=int(config.get("MAIL_PORT", 587)),
                   username=config.get("MAIL_USERNAME", ""), password=config.get("MAIL_PASSWORD", ""),
                   use_tls=bool(config.get("MAIL_USE_TLS", True)), sender=config["MAIL_FROM"],
                   max_attempts=int(config.get("MAIL_MAX_ATTEMPTS", 8)))

    @property
    def delivers(self) -> bool:
        """False in development: mail is kept in the outbox and read in the app."""
        return bool(self.server)

    def pause_after(self, attempts: int) -> timedelta:
        return doubling_pause(attempts, self.first_pause, self.longest_pause)


def unsent(now: datetime):
    return (OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None),
            or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now))


def claim_next_mail(session: Session, now: datetime, skip: list[int]) -> OutboxMail | None:
    return session.scalar(
        select(OutboxMail).where(*unsent(now), *([OutboxMail.id.not_in(skip)] if skip else []))
        .order_by(OutboxMail.id).limit(1).with_for_update(skip_locked=True, key_share=True)
    )


def build_message(mail: OutboxMail, settings: MailSettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}", domain="meldroute")
    message.set_content(mail.body)
    return message


def send_message(message: EmailMessage, settings: MailSettings) -> None:
    with smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout_seconds) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)


def deliver_outbox(database: Database, settings: MailSettings, now_of, max_mails: int = 100) -> tuple[int, int]:
    """Send what is waiting in the outbox; returns (sent, failed attempts)."""
    if not settings.delivers:
        return 0, 0
    sent = failed = 0
    tried: list[int] = []
    while len(tried) < max_mails:
        with database.session() as session:
            now = now_of()
            mail = claim_next_mail(session, now, tried)
            if mail is None:
                session.rollback()
                break
            tried.append(mail.id)
            mail.attempts += 1
            try:
                send_message(build_message(mail, settings), settings)
            except (OSError, smtplib.SMTPException) as exc:
                failed += 1
                mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if mail.attempts >= settings.max_attempts:
                    mail.failed_at, mail.next_attempt_at = now, None
                    log.error("mail %s to %s given up after %d attempts: %s", mail.id, mail.to_address,
                              mail.attempts, mail.last_error)
                else:
                    mail.next_attempt_at = now + settings.pause_after(mail.attempts)
                    log.warning("mail %s not sent (attempt %d): %s", mail.id, mail.attempts, mail.last_error)
            else:
                sent += 1
                mail.sent_at, mail.next_attempt_at = now, None
            session.commit()
    return sent, failed
