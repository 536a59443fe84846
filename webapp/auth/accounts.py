"""Setting a password, the one way every page and command does it: through the password policy,
and ending the sessions that knew the old one."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth import server_sessions
from webapp.auth.models import Membership, User
from webapp.auth.password_policy import WeakPassword, check_password
from webapp.auth.passwords import verify_password
from webapp.auth.throttle import ACCOUNT, account_key, record_failure, wait_needed
from webapp.schools.models import School

NOT_THE_SAME = "De twee nieuwe wachtwoorden zijn niet gelijk."
WRONG_CURRENT = "Uw huidige wachtwoord klopt niet."
TOO_MANY = "Te veel mislukte pogingen. Probeer het over een paar minuten opnieuw."


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


def new_password_problem(db: Session, user: User, password: str, repeated: str) -> str | None:
    """Why the new password (typed twice) cannot be the user's, in Dutch; None when it can."""
    if password != repeated:
        return NOT_THE_SAME
    try:
        check_password_for(db, user, password)
    except WeakPassword as weak:
        return weak.message
    return None


def change_own_password(db: Session, user: User, current: str, password: str, repeated: str, now: datetime,
                        *, keep_session: int | None) -> str | None:
    """A user changes their own password: the current one proves it is them (a borrowed, still
    open laptop is not enough), and wrong guesses count on the account's login throttle. Ends
    the user's other sessions. Returns the Dutch reason it was refused, or None; the caller commits."""
    key = account_key(user.email)
    if wait_needed(db, [key], now).total_seconds() > 0:
        return TOO_MANY
    if not verify_password(user.password_hash, current):
        record_failure(db, {key: ACCOUNT}, now)
        return WRONG_CURRENT
    problem = new_password_problem(db, user, password, repeated)
    if problem is None:
        set_password(db, user, password, now, keep_session=keep_session)
    return problem
