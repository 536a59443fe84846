"""The timer worker: finds due timers by index and fires them through the case layer.

Each case is handled in its own transaction (lock, fire, save, commit); a crash loses at most
the case in hand, which stays due and is picked up by the next run.
"""
from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from webapp.cases.models import CaseTimer
from webapp.cases.service import CaseServices, fire_due_timers
from webapp.db import Database

log = logging.getLogger(__name__)

# The literal condition (not a bound parameter) lets SQLite use the partial index on waiting timers.
_WAITING = text("case_timers.status = 'waiting'")


def find_due_timers(session: Session, now: datetime, limit: int) -> list[CaseTimer]:
    """The one indexed query: waiting timers whose moment has passed, oldest first."""
    return list(session.scalars(
        select(CaseTimer).where(_WAITING, CaseTimer.fires_at <= now).order_by(CaseTimer.fires_at).limit(limit)
    ))


def run_once(database: Database, services: CaseServices, batch_size: int = 100) -> int:
    """Fire every due timer once; returns how many timers fired."""
    fired_total = 0
    while True:
        with database.session() as session:
            due = find_due_timers(session, services.now(), batch_size)
            case_ids = list(dict.fromkeys(timer.case_id for timer in due))
            session.rollback()
        if not case_ids:
            return fired_total
        progressed = False
        for case_id in case_ids:
            with database.session() as session:
                try:
                    fired = fire_due_timers(session, services, case_id)
                except Exception:
                    log.exception("timers of case %s could not be fired; will retry", case_id)
                    session.rollback()
                    continue
            fired_total += len(fired)
            progressed = progressed or bool(fired)
        if not progressed or len(due) < batch_size:
            return fired_total


def run_forever(database: Database, services: CaseServices, poll_seconds: float, batch_size: int) -> None:
    stop = threading.Event()

    def request_stop(signum, _frame):
        log.info("worker stopping (signal %s)", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("timer worker started (poll every %.1fs)", poll_seconds)
    while not stop.is_set():
        try:
            fired = run_once(database, services, batch_size)
            if fired:
                log.info("fired %d timer(s)", fired)
        except Exception:
            log.exception("worker run failed; retrying after the poll interval")
        stop.wait(poll_seconds)
