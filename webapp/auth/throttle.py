"""Login throttling kept in the database, so every web process sees the same counts.

Flask-Limiter's storage (the `limits` package) offers memory, Redis, Memcached and MongoDB, none
of them the database Meldroute already shares between processes, and it counts fixed windows
rather than growing delays; so this is a small table of its own.

Two keys are counted: the client's address, and the account as typed (a hash of the normalised
e-mail address, so an unknown address is throttled exactly like a known one and the answer gives
nothing away). After a few free failures each further one makes the next attempt wait twice as
long. The account's delay is capped low (half a minute): an attacker can slow a director down, not
lock her out; the address's delay grows to a quarter of an hour, which is what stops guessing.
A key whose last failure is older than the window starts over.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.db import Base

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class ThrottleRule:
    free_failures: int
    max_delay: timedelta

    def delay_after(self, failures: int) -> timedelta:
        over = failures - self.free_failures
        if over <= 0:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(over - 1, 20)), self.max_delay)


ACCOUNT = ThrottleRule(free_failures=3, max_delay=timedelta(seconds=30))
ADDRESS = ThrottleRule(free_failures=10, max_delay=timedelta(minutes=15))


class LoginThrottle(Base):
    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime]


def account_key(email: str) -> str:
    return "account:" + email_fingerprint(email)


def address_key(remote_addr: str | None) -> str:
    return "address:" + (remote_addr or "onbekend")[:64]


def email_fingerprint(email: str) -> str:
    """A hash of what was typed as e-mail address: enough to count and correlate attempts, without
    keeping the text (people type their password in that field)."""
    normalised = (email or "").strip().lower()
    return hashlib.sha256(("meldroute-login:" + normalised).encode()).hexdigest()[:32]


def wait_needed(db: Session, keys: list[str], now: datetime) -> timedelta:
    """How long the caller must still wait before its next attempt counts (0: go ahead)."""
    rows = db.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    waits = [row.blocked_until - now for row in rows if row.blocked_until > now]
    return max(waits, default=timedelta(0))


def record_failure(db: Session, rules: dict[str, ThrottleRule], now: datetime) -> None:
    """Count one failure on each key (the caller commits). Rows are locked for the update, so two
    processes counting at once each add their failure."""
    for key, rule in sorted(rules.items()):
        row = db.scalar(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=now, blocked_until=now)
            try:
                with db.begin_nested():
                    db.add(row)
            except IntegrityError:  # another process made it first: count on theirs
                row = db.scalar(select(LoginThrottle).where(LoginThrottle.key == key)
                                .with_for_update())
        if now - row.last_failure_at > WINDOW:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        row.blocked_until = now + rule.delay_after(row.failures)


def forget(db: Session, key: str) -> None:
    row = db.get(LoginThrottle, key)
    if row is not None:
        db.delete(row)
