"""Logging in with e-mail address and password: throttling, rehashing and the audit trail.

Shared by the HTML login page and the JSON API's session endpoint, so both are throttled by the
same count of failures (read from the audit log, which every web process shares).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import session
from flask_login import login_user, logout_user
from sqlalchemy import func, select

from webapp.audit.log import record_audit
from webapp.audit.models import AuditEntry
from webapp.auth.models import User
from webapp.auth.passwords import hash_password, needs_rehash, verify_password
from webapp.auth.session import request_actor
from webapp.db import get_session
from webapp.services import get_services

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
WRONG_CREDENTIALS = "E-mailadres of wachtwoord onjuist."
TOO_MANY_FAILURES = "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw."


@dataclass(frozen=True)
class LoginRefused:
    message: str
    throttled: bool = False


def attempt_login(email: str, password: str) -> User | LoginRefused:
    """Log the user in on this request's session, or say (in Dutch) why not."""
    db = get_session()
    now = get_services().now()
    email = (email or "").strip().lower()
    user = db.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if user is not None and _recent_failures(db, user.id, now) >= MAX_FAILED_LOGINS:
        record_audit(db, "auth.login_blocked", actor=request_actor(user.id), at=now)
        db.commit()
        return LoginRefused(TOO_MANY_FAILURES, throttled=True)
    if user is None or not user.active or not verify_password(user.password_hash if user else None, password):
        record_audit(db, "auth.login_failed", actor=request_actor(user.id if user else None), at=now,
                     detail={"email": email[:254]})
        db.commit()
        return LoginRefused(WRONG_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.clear()  # a fresh session on login: no fixation
    login_user(user)
    record_audit(db, "auth.login", actor=request_actor(user.id), at=now)
    db.commit()
    return user


def _recent_failures(db, user_id: int, now) -> int:
    last_success = db.scalar(select(func.max(AuditEntry.at)).where(
        AuditEntry.user_id == user_id, AuditEntry.action == "auth.login"))
    since = max(filter(None, [now - LOCKOUT, last_success]))
    return db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.user_id == user_id, AuditEntry.action == "auth.login_failed", AuditEntry.at > since))


def log_out(user_id: int) -> None:
    db = get_session()
    record_audit(db, "auth.logout", actor=request_actor(user_id), at=get_services().now())
    db.commit()
    logout_user()
    session.clear()
