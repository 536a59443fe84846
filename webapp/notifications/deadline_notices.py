"""Deadline notices on open tasks: a reminder before the due date, a notice on expiry, and an
escalation to the school's director(s) when a task stays overdue.

Each is sent once per task and kind. The worker claims one task at a time with `FOR UPDATE SKIP
LOCKED` (PostgreSQL; SQLite runs one worker), and stamps the task (`reminder_sent_at`,
`expiry_notified_at`, `escalated_at`) in the same transaction as the notifications and their
mails. The stamp is written first, only while the task is still open, due and unstamped, so a
task completed after the worker selected it gets nothing. A unique constraint on (task, kind,
recipient, due date) backs this up in the database; a due date moved to a later moment clears
the stamps (cases/service.py), so the new date gets its own notices.
"""
from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.models import Membership, User
from webapp.auth.policy import Policy
from webapp.cases.models import CaseTask, TaskStatus
from webapp.db import Database
from webapp.engine.due_dates import DeadlineError, parse_iso_duration
from webapp.roles import LANE_ROLES, Lane, Role

log = logging.getLogger(__name__)


class NoticeKind(str, enum.Enum):
    REMINDER = "herinnering"
    EXPIRED = "termijn_verlopen"
    ESCALATION = "escalatie"


# The task column that records a notice of this kind was sent.
STAMPS = {
    NoticeKind.REMINDER: CaseTask.reminder_sent_at,
    NoticeKind.EXPIRED: CaseTask.expiry_notified_at,
    NoticeKind.ESCALATION: CaseTask.escalated_at,
}


@dataclass(frozen=True)
class NoticeSettings:
    reminder_lead: relativedelta
    escalation_delay: relativedelta
    public_url: str

    @classmethod
    def from_config(cls, config) -> NoticeSettings:
        return cls(
            reminder_lead=_duration(config["REMINDER_LEAD_TIME"], "MELDROUTE_REMINDER_LEAD_TIME"),
            escalation_delay=_duration(config["ESCALATION_DELAY"], "MELDROUTE_ESCALATION_DELAY"),
            public_url=config.get("PUBLIC_URL", "").rstrip("/"),
        )

    def task_link(self, task_id: int) -> str:
        return f"{self.public_url}/taken/{task_id}"


def _duration(value: str, setting: str) -> relativedelta:
    try:
        return parse_iso_duration(value)
    except DeadlineError:
        raise ValueError(f"{setting}={value!r} is geen geldige ISO-8601-duur (bijvoorbeeld P2D, PT4H, P1W)") from None


def needs_notice(kind: NoticeKind, now: datetime, settings: NoticeSettings):
    """SQL condition on `CaseTask`: open, with a due date in this kind's window, not yet stamped."""
    conditions = [CaseTask.status == TaskStatus.OPEN, CaseTask.due_at.is_not(None), STAMPS[kind].is_(None)]
    if kind is NoticeKind.REMINDER:
        # Only while still ahead: a task found past due gets the expiry notice instead.
        conditions += [CaseTask.due_at > now, CaseTask.due_at <= now + settings.reminder_lead]
    elif kind is NoticeKind.EXPIRED:
        conditions.append(CaseTask.due_at <= now)
    else:
        conditions.append(CaseTask.due_at <= now - settings.escalation_delay)
    return conditions


def claim_task_needing(session: Session, kind: NoticeKind, now: datetime, settings: NoticeSettings,
                       skip: Iterable[int] = ()) -> CaseTask | None:
    """Lock the next task needing this notice that no other worker holds (`skip`: failed this run)."""
    skip = sorted(skip)
    return session.scalar(
        select(CaseTask).where(*needs_notice(kind, now, settings), *([CaseTask.id.not_in(skip)] if skip else []))
        .order_by(CaseTask.due_at, CaseTask.id)
        .limit(1).with_for_update(of=CaseTask, skip_locked=True, key_share=True)
    )


def recipients(session: Session, task: CaseTask, kind: NoticeKind) -> list[User]:
    """Who hears about it; the policy decides, as in the task list, so nobody learns of a case
    they may not see.

    Reminder and expiry: the claimant while they may still do the task; otherwise (nobody holds
    it, or the claimant lost their role at the school or was deactivated) whoever may pick it
    up. Escalation: the director(s). When nobody qualifies, the director(s) get it after all: a
    deadline in a child-protection case must reach someone responsible for the school's cases,
    and a director may see every one of them. Empty only when the school has no active director
    either; the caller records that on the case.
    """
    if kind is not NoticeKind.ESCALATION:
        claimant = session.get(User, task.claimed_by_id) if task.claimed_by_id is not None else None
        if claimant is not None and claimant.active and _policy_allows(session, claimant, task, claimed=True):
            return [claimant]
        try:
            lane_roles = set(LANE_ROLES[Lane(task.lane)])
        except ValueError:
            lane_roles = set()
        may_pick_up = [user for user in _active_members(session, task.school_id, lane_roles)
                       if _policy_allows(session, user, task, claimed=False)]
        if may_pick_up:
            return may_pick_up
    return _active_members(session, task.school_id, {Role.DIRECTEUR})


def _active_members(session: Session, school_id: int, roles: set[Role]) -> list[User]:
    if not roles:
        return []
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.school_id == school_id, Membership.role.in_(sorted(roles)), User.active.is_(True))
        .distinct().order_by(User.id)
    ))


def _policy_allows(session: Session, user: User, task: CaseTask, *, claimed: bool) -> bool:
    """Whether the user may do this task now (`claimed`: as it stands) or once its claim is released."""
    policy = Policy.for_user(session, user.id)
    condition = policy.task_filter() if claimed else policy.task_filter_if_unclaimed()
    return session.scalar(select(CaseTask.id).where(CaseTask.id == task.id, condition)) is not None


def send_due_notices(database: Database, services, settings: NoticeSettings, max_tasks: int = 100) -> int:
    """Send every notice that is due now; returns how many tasks got one."""
    from webapp.cases.service import send_deadline_notice

    sent = 0
    for kind in NoticeKind:
        seen: set[int] = set()
        while len(seen) < max_tasks:
            with database.session() as session:
                now = services.now()
                task = claim_task_needing(session, kind, now, settings, skip=seen)
                if task is None:
                    session.rollback()
                    break
                seen.add(task.id)
                try:
                    recipient_count = send_deadline_notice(session, services, task, kind, settings)
                except Exception:
                    log.exception("%s for task %s could not be sent; will retry", kind.value, task.id)
                    session.rollback()
                    continue
                if recipient_count is not None:
                    sent += 1
    return sent
