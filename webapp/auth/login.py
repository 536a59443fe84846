"""Logging in with e-mail address and password: throttling, rehashing and the audit trail.

Shared by the HTML login page and the JSON API's session endpoint, so both are throttled by the
same counts (`webapp/auth/throttle.py`, in the database every web process shares).

Unknown, inactive and known accounts take the same path: a password hash is always verified (a
dummy one without an account), a failure always counts on the typed address's throttle key, and
the answers are the same text. The audit trail keeps a hash of what was typed as e-mail address,
never the text itself: people type their password in that field.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask import request
from sqlalchemy import func, select

from webapp.audit.log import record_audit
from webapp.auth import second_factor, server_sessions
from webapp.auth.models import User
from webapp.auth.passwords import hash_password, needs_rehash, verify_password
from webapp.auth.session import request_actor
from webapp.auth.throttle import (
    ACCOUNT,
    ADDRESS,
    account_key,
    address_key,
    email_fingerprint,
    forget,
    record_failure,
    wait_needed,
)
from webapp.db import get_session
from webapp.services import get_services

WRONG_CREDENTIALS = "E-mailadres, wachtwoord of code onjuist."


def too_many_failures(seconds: int) -> str:
    return (f"Te veel mislukte pogingen. Probeer het over {seconds} "
            f"{'seconde' if seconds == 1 else 'seconden'} opnieuw.")


@dataclass(frozen=True)
class LoginRefused:
    message: str
    throttled: bool = False
    retry_after: int | None = None


def attempt_login(email: str, password: str, code: str | None = None) -> User | LoginRefused:
    """Log the user in on this request's session, or say (in Dutch) why not. A user with a second
    factor also gives a code from their app (or a recovery code); a wrong or missing one is a
    failure like a wrong password, with the same answer."""
    db = get_session()
    now = get_services().now()
    email = (email or "").strip().lower()
    keys = {account_key(email): ACCOUNT, address_key(request.remote_addr): ADDRESS}
    user = db.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    wait = wait_needed(db, list(keys), now)
    if wait.total_seconds() > 0:
        seconds = max(1, math.ceil(wait.total_seconds()))
        record_audit(db, "auth.login_blocked", actor=request_actor(None), at=now,
                     detail={"email_hash": email_fingerprint(email), "wacht_seconden": seconds})
        db.commit()
        return LoginRefused(too_many_failures(seconds), throttled=True, retry_after=seconds)
    # Verify in every case (a dummy hash without an account) so the time taken tells nothing.
    password_ok = verify_password(user.password_hash if user is not None else None, password)
    if password_ok and user is not None and user.active and user.totp_secret:
        password_ok = second_factor.accept(db, user, code or "", now)
    if user is None or not user.active or not password_ok:
        record_failure(db, keys, now)
        record_audit(db, "auth.login_failed", actor=request_actor(user.id if user else None), at=now,
                     detail={"email_hash": email_fingerprint(email)})
        db.commit()
        return LoginRefused(WRONG_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    forget(db, account_key(email))
    server_sessions.begin(db, user, now)
    record_audit(db, "auth.login", actor=request_actor(user.id), at=now)
    db.commit()
    return user


def log_out(user_id: int) -> None:
    db = get_session()
    now = get_services().now()
    server_sessions.end_current(db, now)
    record_audit(db, "auth.logout", actor=request_actor(user_id), at=now)
    db.commit()
    server_sessions.forget_in_browser()
