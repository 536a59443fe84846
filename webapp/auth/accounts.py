"""Setting a password, the one way every page and command does it: through the password policy,
and ending the sessions that knew the old one."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth import server_sessions
from webapp.auth.models import Membership, User
from webapp.auth.password_policy import check_password
from webapp.schools.models import School


def school_words(db: Session, user_id: int | None, *extra_school_ids: int) -> list[str]:
    """The names of the user's schools (and of `extra_school_ids`): words a password there must not lean on."""
    school_ids = set(extra_school_ids)
    if user_id is not None:
        school_ids |= set(db.scalars(select(Membership.school_id).where(Membership.user_id == user_id)))
    if not school_ids:
        return []
    rows = db.execute(select(School.name, School.slug).where(School.id.in_(school_ids))).all()
    return [word for row in rows for word in row]


def check_password_for(db: Session, user: User, password: str) -> None:
    """Raise WeakPassword when `password` may not be the user's."""
    check_password(password, name=user.display_name, email=user.email, school_names=school_words(db, user.id))


def set_password(db: Session, user: User, password: str, now: datetime, *, keep_session: int | None = None) -> None:
    """Check, hash and store a new password, and end the user's sessions (but `keep_session`, the
    one the user changed it in). Raises WeakPassword; the caller commits."""
    check_password_for(db, user, password)
    server_sessions.change_password(db, user.id, password, now, keep=keep_session)
