"""Firing due BPMN timers: finds them by index and fires them through the case layer.

Any number of workers may run side by side. A worker claims one case at a time: on PostgreSQL it
locks the case row of the oldest due timer with `FOR NO KEY UPDATE ... SKIP LOCKED`, so two workers never
hold the same case and neither waits for the other; on SQLite (one worker) the case lock of the
case layer does the same job. The claim, the firing, the saved workflow state and the timer rows
are one transaction: a worker killed mid-batch loses at most the case in hand, which stays due
and is picked up by the next run. A timer is marked fired only in the transaction that fired it,
under the case lock, so it can never fire twice.

A case whose timers fail to fire is retried with growing pauses (`retry_at`), so it never blocks
the cases behind it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from webapp.backoff import doubling_pause
from webapp.cases.lifecycle import fire_due_timers
from webapp.cases.locking import lock_case
from webapp.cases.models import Case, CaseTimer
from webapp.db import Database
from webapp.services import CaseServices

log = logging.getLogger(__name__)

# The literal condition (not a bound parameter) lets SQLite use the partial index on waiting timers.
_WAITING = text("case_timers.status = 'waiting'")


@dataclass(frozen=True)
class RetryPolicy:
    """Pauses after failed attempts: base, 2×base, 4×base … up to `longest`; never given up."""

    base: timedelta = timedelta(minutes=1)
    longest: timedelta = timedelta(hours=1)

    def pause_after(self, attempts: int) -> timedelta:
        return doubling_pause(attempts, self.base, self.longest)


def _due(now: datetime):
    return (_WAITING, CaseTimer.fires_at <= now, or_(CaseTimer.retry_at.is_(None), CaseTimer.retry_at <= now))


def due_timers_query(now: datetime, limit: int):
    """The one indexed query: waiting timers whose moment has passed, oldest first."""
    return select(CaseTimer).where(*_due(now)).order_by(CaseTimer.fires_at).limit(limit)


def find_due_timers(session: Session, now: datetime, limit: int) -> list[CaseTimer]:
    return list(session.scalars(due_timers_query(now, limit)))


def claim_next_case(session: Session, now: datetime) -> tuple[int, int] | None:
    """Lock the case of the oldest due timer that no other worker (or user) holds right now.

    Returns (case id, timer id), or None when nothing claimable is due.

    PostgreSQL skips cases locked by others instead of waiting for them; SQLite ignores the
    locking clause (a single worker; the case lock that follows serialises it with the web).
    FOR NO KEY UPDATE (not FOR UPDATE): rows that merely reference the case (a notification, an
    audit entry written by another worker) need not wait for it, so the two cannot deadlock.
    """
    row = session.execute(
        select(CaseTimer.case_id, CaseTimer.id)
        .join(Case, Case.id == CaseTimer.case_id)
        .where(*_due(now))
        .order_by(CaseTimer.fires_at)
        .limit(1)
        .with_for_update(of=Case, skip_locked=True, key_share=True)
    ).first()
    return (row.case_id, row.id) if row else None


class TimerStuck(RuntimeError):
    """A due timer that its case's workflow did not fire: held back like any failure."""


def run_once(database: Database, services: CaseServices, batch_size: int = 100,
             retry: RetryPolicy = RetryPolicy()) -> int:
    """Fire every timer that is due now and not held by another worker; returns how many fired."""
    fired_total = 0
    while True:
        fired, backlog_left = run_batch(database, services, batch_size, retry)
        fired_total += fired
        if not backlog_left:
            return fired_total


def run_batch(database: Database, services: CaseServices, max_cases: int,
              retry: RetryPolicy = RetryPolicy()) -> tuple[int, bool]:
    """Handle up to `max_cases` cases; returns (timers fired, whether due cases may remain)."""
    fired_total = 0
    seen_timers: set[int] = set()
    for _ in range(max_cases):
        with database.session() as session:
            now = services.now()
            claimed = claim_next_case(session, now)
            if claimed is None:
                session.rollback()
                return fired_total, False
            case_id, timer_id = claimed
            # The firing runs in a savepoint: when it fails, only its work is undone and the
            # claim stays held while the failure is recorded, so no other worker takes up the
            # failing case in between (running it twice within one pause) or makes this one wait.
            firing = session.begin_nested()
            try:
                if timer_id in seen_timers:
                    # The same timer is still due after its case was fired: it did not fire.
                    raise TimerStuck(f"termijn {timer_id} van zaak {case_id} is verlopen maar vuurde niet af")
                seen_timers.add(timer_id)
                fired = fire_due_timers(session, services, case_id)
            except Exception as exc:
                log.exception("timers of case %s could not be fired; will retry", case_id)
                if firing.is_active:
                    firing.rollback()
                root = session.get_transaction()
                if root is None or not root.is_active:  # failed while committing: the claim went with it
                    session.rollback()
                _postpone(session, case_id, now, exc, retry)
                continue
        fired_total += len(fired)
    return fired_total, True


def _postpone(session: Session, case_id: int, now: datetime, error: Exception, retry: RetryPolicy) -> None:
    """Record the failure on the case's due timers and hold them back for a while.

    Normally in the claiming transaction, whose lock the case lock only strengthens (no wait);
    the due condition makes it count once even if another worker got to the case meanwhile."""
    lock_case(session, case_id)
    timers = session.scalars(select(CaseTimer).where(CaseTimer.case_id == case_id, *_due(now))).all()
    for timer in timers:
        timer.attempts += 1
        timer.last_error = f"{type(error).__name__}: {error}"[:2000]
        timer.retry_at = now + retry.pause_after(timer.attempts)
    session.commit()
