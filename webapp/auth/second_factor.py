"""The second factor: TOTP codes from an authenticator app (pyotp, RFC 6238) and one-time
recovery codes.

Enrolment keeps the new secret in the (signed) session until the user proves with a code that
their app has it; only then is it stored. A code is accepted once: the time step it belongs to is
remembered, so a code read over someone's shoulder is worthless a second later. Recovery codes
are random, shown once, and kept only as hashes.

A beheerder may require the second factor at a school (`School.second_factor_required`) for its
coordinators and directors, who see every case of the school. Such a user without one is led to
enrolment right after the password login and can do nothing else until enrolled (the gate is in
`webapp.auth.session`), nor turn it off afterwards.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.auth.models import Membership, RecoveryCode, User
from webapp.roles import Role
from webapp.schools.models import School

ISSUER = "Meldroute"
RECOVERY_CODE_COUNT = 10
STEP_SECONDS = 30
# Whom a school's requirement binds: the roles that see every case of the school.
REQUIRED_FOR_ROLES = frozenset({Role.INTERN_BEGELEIDER, Role.DIRECTEUR})


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _step(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (now, or one either side for a clock that is a little off) the code is for."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        step = _step(now) + offset
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(("meldroute-recovery:" + code.strip().lower()).encode()).hexdigest()


def enable(db: Session, user: User, secret: str, code: str, now: datetime) -> list[str] | None:
    """Store the secret when the code proves the app has it; returns the new recovery codes
    (shown once), or None when the code is wrong. The caller commits."""
    step = matching_step(secret, code, now)
    if step is None:
        return None
    user.totp_secret, user.totp_last_step = secret, step
    db.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
               .values(used_at=now))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    db.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return codes


def disable(db: Session, user: User, now: datetime) -> None:
    user.totp_secret, user.totp_last_step = None, None
    db.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
               .values(used_at=now))


def accept(db: Session, user: User, code: str, now: datetime) -> bool:
    """Whether `code` is a fresh TOTP code or an unused recovery code of the user (which is then
    used up). The caller commits."""
    if not user.totp_secret:
        return True
    step = matching_step(user.totp_secret, code, now)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # replayed
        user.totp_last_step = step
        return True
    recovery = db.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code or ""),
        RecoveryCode.used_at.is_(None)).with_for_update())
    if recovery is None:
        return False
    recovery.used_at = now
    return True


def recovery_codes_left(db: Session, user_id: int) -> int:
    return len(db.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).all())


def required_for(db: Session, user_id: int) -> bool:
    """Whether a school of this user requires the second factor of someone in their role."""
    return db.scalar(select(Membership.id).join(School, School.id == Membership.school_id).where(
        Membership.user_id == user_id, Membership.role.in_(REQUIRED_FOR_ROLES),
        School.second_factor_required.is_(True)).limit(1)) is not None


def must_enrol(db: Session, user: User) -> bool:
    """Required of the user, and not set up yet: they may do nothing but enrol (or log out)."""
    return not user.totp_secret and required_for(db, user.id)
