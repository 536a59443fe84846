"""The worker's cycle: fire due timers, send deadline notices, deliver mail — and again.

`meldroute worker` runs `run_forever`; `--once` runs one `run_cycle` until nothing is due.
"""
from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass

from webapp.db import Database
from webapp.notifications.deadline_notices import NoticeSettings, send_due_notices
from webapp.notifications.mail import MailSettings, deliver_outbox
from webapp.privacy.destruction import destroy_due
from webapp.privacy.inzage_notices import send_due_inzage_notices
from webapp.services import CaseServices
from webapp.worker.timer_firing import run_batch, run_once

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerSettings:
    """What the worker does besides firing timers: deadline notices and mail delivery."""

    notices: NoticeSettings
    mail: MailSettings
    batch_size: int = 100
    poll_seconds: float = 5.0

    @classmethod
    def from_config(cls, config) -> WorkerSettings:
        return cls(NoticeSettings.from_config(config), MailSettings.from_config(config),
                   int(config.get("WORKER_BATCH_SIZE", 100)), float(config.get("WORKER_POLL_SECONDS", 5)))


@dataclass(frozen=True)
class CycleResult:
    timers_fired: int
    notices_sent: int
    mails_sent: int
    mails_failed: int
    backlog_left: bool
    destroyed: int = 0
    inzage_notices: int = 0  # notices on the answer term of inzage requests (tasks outside the workflow)


def run_cycle(database: Database, services: CaseServices, settings: WorkerSettings,
              until_done: bool = False) -> CycleResult:
    """Timers first (they open tasks with due dates), then deadline notices (workflow tasks, then
    inzage requests' answer terms), then the outbox, then what a retention term says is due for
    destruction."""
    if until_done:
        fired, backlog_left = run_once(database, services, settings.batch_size), False
    else:
        fired, backlog_left = run_batch(database, services, settings.batch_size)
    notices = send_due_notices(database, services, settings.notices, settings.batch_size)
    inzage_notices = send_due_inzage_notices(database, services, settings.notices, settings.batch_size)
    sent, failed = deliver_outbox(database, settings.mail, services.now, settings.batch_size)
    destroyed = destroy_due(database, services, settings.batch_size)
    return CycleResult(fired, notices, sent, failed, backlog_left, destroyed, inzage_notices)


def run_forever(database: Database, services: CaseServices, settings: WorkerSettings) -> None:
    """Poll until SIGTERM/SIGINT; a full batch means a backlog, so the next cycle starts at once."""
    stop = threading.Event()

    def request_stop(signum, _frame):
        log.info("worker stopping (signal %s)", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if not settings.mail.delivers:
        log.info("no MAIL_SERVER set: mail stays in the outbox (readable in the app)")
    log.info("timer worker started (poll every %.1fs)", settings.poll_seconds)
    while not stop.is_set():
        backlog_left = False
        try:
            result = run_cycle(database, services, settings)
            backlog_left = result.backlog_left
            if (result.timers_fired or result.notices_sent or result.inzage_notices or result.mails_sent
                    or result.mails_failed or result.destroyed):
                log.info("fired %d timer(s), %d deadline notice(s), %d inzage notice(s), %d mail(s) sent, "
                         "%d failed, %d destruction(s)", result.timers_fired, result.notices_sent,
                         result.inzage_notices, result.mails_sent, result.mails_failed, result.destroyed)
        except Exception:
            log.exception("worker run failed; retrying after the poll interval")
        if not backlog_left:
            stop.wait(settings.poll_seconds)
