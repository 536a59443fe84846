"""Sessions kept on the server (`user_sessions`), so that ending one really ends it.

The browser's signed cookie holds Flask-Login's user id and a random token; only the token's hash
is stored. A request is logged in only while its token's row is open, not idle longer than
`SESSION_IDLE_TIMEOUT` minutes and not older than `SESSION_MAX_AGE` hours. Logging out, a
beheerder, a password change or a removed membership close the rows: a copied cookie then opens
nothing, in any process.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from webapp.auth.models import Membership, User, UserSession
from webapp.auth.passwords import hash_password

TOKEN_KEY = "sid"
# Writing last_seen_at on every request would make each page view a write; a minute is precise
# enough for a 30-minute idle timeout.
TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_timeout() -> timedelta:
    return timedelta(minutes=current_app.config.get("SESSION_IDLE_TIMEOUT", 30))


def max_age() -> timedelta:
    return timedelta(hours=current_app.config.get("SESSION_MAX_AGE", 12))


def begin(db: Session, user: User, now: datetime) -> UserSession:
    session.clear()  # a fresh session on login: no fixation
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
        remote_addr=(request.remote_addr or "")[:64] or None,
        user_agent=(request.user_agent.string or "")[:200] or None,
    )
    db.add(row)
    db.flush()
    login_user(user)
    session[TOKEN_KEY] = token
    return row


def expiry_reason(row: UserSession, now: datetime) -> str | None:
    if row.ended_at is not None:
        return row.ended_reason or "beëindigd"
    if now - row.last_seen_at > idle_timeout():
        return "inactief"
    if now - row.created_at > max_age():
        return "verlopen"
    return None


def current_row(db: Session) -> UserSession | None:
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str) or not token:
        return None
    return db.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))


def validate(db: Session, user_id: int, now: datetime) -> bool:
    """Whether this request's cookie still belongs to an open session of this user; closes a
    session that has just expired, and notes that it was used."""
    row = current_row(db)
    if row is None or row.user_id != user_id:
        return False
    reason = expiry_reason(row, now)
    if reason is not None:
        if row.ended_at is None:
            row.ended_at, row.ended_reason = now, reason
            db.commit()
        return False
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        db.commit()
    g.user_session_id = row.id
    return True


def end_current(db: Session, now: datetime) -> None:
    row = current_row(db)
    if row is not None and row.ended_at is None:
        row.ended_at, row.ended_reason = now, "uitgelogd"


def end_all(db: Session, user_id: int, now: datetime, reason: str, *, keep: int | None = None,
            only: int | None = None) -> int:
    """Close a user's open sessions (the caller commits); `keep` spares one (the current),
    `only` closes just that one."""
    statement = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    if only is not None:
        statement = statement.where(UserSession.id == only)
    return db.execute(statement.values(ended_at=now, ended_reason=reason)).rowcount


def change_password(db: Session, user_id: int, new_password: str, now: datetime, *,
                    keep: int | None = None) -> None:
    """A new password ends every session (but `keep`, the one it was changed in): whoever used
    the old one is out. The password policy is the caller's (`webapp.auth.accounts`); the caller commits."""
    user = db.get(User, user_id)
    user.password_hash = hash_password(new_password)
    end_all(db, user_id, now, "wachtwoord gewijzigd", keep=keep)


def remove_membership(db: Session, user_id: int, school_id: int, role, now: datetime) -> None:
    """Taking a role away ends the user's sessions, so no open page keeps what the role showed."""
    db.execute(delete(Membership).where(Membership.user_id == user_id,
                                        Membership.school_id == school_id, Membership.role == role))
    end_all(db, user_id, now, "rol ingetrokken")


def open_sessions(db: Session, user_id: int, now: datetime) -> list[UserSession]:
    rows = db.scalars(select(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())).all()
    return [row for row in rows if expiry_reason(row, now) is None]


def forget_in_browser() -> None:
    logout_user()
    session.clear()
