"""Deadline notices on open tasks: a reminder before the due date, a notice on expiry, and an
escalation to the school's director(s) when a task stays overdue.

Each is sent once per task and kind. The worker picks a task that needs one and changes its case
through the unit of work like any other change (`case_change`, not waiting for a case another
process holds: it is tried again next cycle). Under the case lock it stamps the task
(`reminder_sent_at`, `expiry_notified_at`, `escalated_at`) — only while the task is still open,
due and unstamped, so a task completed meanwhile gets nothing — and writes the notifications,
their mails, the timeline and the audit trail in the same transaction. A unique constraint on
(task, kind, recipient, due date) backs this up in the database; a due date moved to a later
moment clears the stamps (`cases/unit_of_work.py`), so the new date gets its own notices.
"""
from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.auth.models import Membership, User
from webapp.auth.policy import Policy
from webapp.cases.errors import CaseBusy
from webapp.cases.models import Case, CaseTask, TaskStatus
from webapp.cases.unit_of_work import case_change
from webapp.clock import as_school_time
from webapp.db import Database
from webapp.engine.due_dates import DeadlineError, parse_iso_duration
from webapp.notifications.service import notify
from webapp.roles import Role, roles_for_task_lanes
from webapp.schools.models import School
from webapp.services import CaseServices

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

    def inzage_link(self, request_id: int) -> str:
        return f"{self.public_url}/inzage#verzoek-{request_id}"


def _duration(value: str, setting: str) -> relativedelta:
    try:
        return parse_iso_duration(value)
    except DeadlineError:
        raise ValueError(f"{setting}={value!r} is geen geldige ISO-8601-duur (bijvoorbeeld P2D, PT4H, P1W)") from None


def needs_notice(kind: NoticeKind, now: datetime, settings: NoticeSettings):
    """SQL condition on `CaseTask`: open, with a due date in this kind's window, not yet stamped."""
    return [CaseTask.status == TaskStatus.OPEN, *notice_window(kind, CaseTask.due_at, STAMPS[kind], now, settings)]


def notice_window(kind: NoticeKind, due_at, stamp, now: datetime, settings: NoticeSettings) -> list:
    """SQL conditions: a due moment (`due_at` column) in this kind's window, its `stamp` not set —
    for workflow tasks and for the other tasks with a term (an inzage request's answer)."""
    conditions = [due_at.is_not(None), stamp.is_(None)]
    if kind is NoticeKind.REMINDER:
        # Only while still ahead: a task found past due gets the expiry notice instead.
        conditions += [due_at > now, due_at <= now + settings.reminder_lead]
    elif kind is NoticeKind.EXPIRED:
        conditions.append(due_at <= now)
    else:
        conditions.append(due_at <= now - settings.escalation_delay)
    return conditions


def next_task_needing(session: Session, kind: NoticeKind, now: datetime, settings: NoticeSettings,
                      skip: Iterable[int] = ()) -> CaseTask | None:
    """The next task needing this notice (`skip`: tried in this run already, or whose case was busy)."""
    skip = sorted(skip)
    return session.scalar(
        select(CaseTask).where(*needs_notice(kind, now, settings), *([CaseTask.id.not_in(skip)] if skip else []))
        .order_by(CaseTask.due_at, CaseTask.id).limit(1)
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
        # Its own lane's roles and those of its also-lanes: the acute meeting reaches teacher,
        # IB'er and director alike.
        lane_roles = set(roles_for_task_lanes(task.lane, task.also_lanes))
        may_pick_up = [user for user in active_members(session, task.school_id, lane_roles)
                       if _policy_allows(session, user, task, claimed=False)]
        if may_pick_up:
            return may_pick_up
    return active_members(session, task.school_id, {Role.DIRECTEUR})


def active_members(session: Session, school_id: int, roles: set[Role]) -> list[User]:
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


def send_deadline_notice(session: Session, services: CaseServices, task_id: int, kind: NoticeKind,
                         settings: NoticeSettings) -> int | None:
    """Remind, report expiry or escalate one open task, through the unit of work (the worker).

    Returns the number of recipients, or None when the task no longer needs this notice (done,
    cancelled, moved or stamped since it was selected). Raises CaseBusy when another process is
    changing the case right now."""
    task = session.get(CaseTask, task_id)
    with case_change(session, services, Actor.worker(), task.case_id, "case.deadline_notice",
                     skip_locked=True) as change:
        # Under the case lock: the stamp re-checks, in the database, that the notice is still due.
        stamped = session.execute(
            update(CaseTask).where(CaseTask.id == task_id, *needs_notice(kind, change.now, settings))
            .values({STAMPS[kind]: change.now}).execution_options(synchronize_session=False)
        )
        if stamped.rowcount != 1:
            return None
        task = session.get(CaseTask, task_id, populate_existing=True)
        users = recipients(session, task, kind)
        title, body, event = notice_text(kind, change.case, task,
                                         change.services.lane_term(session.get(School, task.school_id), task.lane))
        reached = f"{len(users)} ontvanger(s)"
        if not users:
            # Stamped all the same (retrying every few seconds would tell no one either), but never
            # silently: the case timeline and audit trail say nobody was reached, and why.
            log.error("%s for task %s: school %s has nobody to tell, not even an active director",
                      kind.value, task.id, task.school_id)
            reached = "niemand bereikt: de school heeft geen actieve behandelaar of directeur"
        mail_subject, mail_text = notice_mail_text(kind, change.case, task)
        notify(session, users, kind=kind.value, title=title, body=body, at=change.now, school_id=task.school_id,
               mail_subject=mail_subject, mail_text=mail_text,
               case_id=task.case_id, case_task_id=task.id, link=settings.task_link(task.id), task_due_at=task.due_at)
        detail = {"case_task_id": task.id, "kind": kind.value, "recipients": [u.id for u in users]}
        change.event("deadline_notice", f"{event}: {task.name} ({reached})", element_id=task.element_id,
                     detail=detail)
        change.audit("case.deadline_notice", detail)
    return len(users)


def notice_mail_text(kind: NoticeKind, case: Case, task: CaseTask) -> tuple[str, str]:
    """The mail says only that a task waits and links to it: a step's wording ("Noodsituatie: …")
    would tell whoever glances at a phone's lock screen what the matter is."""
    due = as_school_time(task.due_at).strftime("%d-%m-%Y %H:%M")
    if kind is NoticeKind.REMINDER:
        return ("Meldroute: er wacht een taak op u",
                f"In Meldroute wacht een taak op u (zaak {case.reference}); de termijn loopt af op {due}.")
    if kind is NoticeKind.EXPIRED:
        return ("Meldroute: de termijn van een taak is verlopen",
                f"In Meldroute staat een taak open waarvan de termijn op {due} is verlopen "
                f"(zaak {case.reference}).")
    return ("Meldroute: Escalatie, een taak staat over de termijn open",
            f"In Meldroute staat een taak sinds {due} over de termijn open (zaak {case.reference}). "
            "U ontvangt dit als directeur van de school.")


def notice_text(kind: NoticeKind, case: Case, task: CaseTask, lane: str) -> tuple[str, str, str]:
    """Title and text of the notice (the mail says the same), and the timeline's words for it;
    `lane` is the school's own word for the task's role."""
    due = as_school_time(task.due_at).strftime("%d-%m-%Y %H:%M")
    if kind is NoticeKind.REMINDER:
        title = f"Herinnering: ‘{task.name}’ moet af vóór {due}"
        body = (f"In zaak {case.reference} staat de taak ‘{task.name}’ ({lane}) nog open. "
                f"De termijn loopt af op {due}.")
        return title, body, "Herinnering verstuurd"
    if kind is NoticeKind.EXPIRED:
        title = f"Termijn verlopen: ‘{task.name}’"
        body = (f"In zaak {case.reference} had de taak ‘{task.name}’ uiterlijk {due} af moeten zijn. "
                "De termijn is verstreken; rond de taak zo snel mogelijk af.")
        return title, body, "Melding termijn verlopen verstuurd"
    title = f"Escalatie: ‘{task.name}’ staat over de termijn open"
    body = (f"In zaak {case.reference} is de taak ‘{task.name}’ ({lane}) sinds {due} over de termijn "
            "en nog niet afgerond. U ontvangt dit als directeur van de school.")
    return title, body, "Escalatie naar de directie"


def send_due_notices(database: Database, services: CaseServices, settings: NoticeSettings,
                     max_tasks: int = 100) -> int:
    """Send every notice that is due now; returns how many tasks got one."""
    sent = 0
    for kind in NoticeKind:
        seen: set[int] = set()
        while len(seen) < max_tasks:
            with database.session() as session:
                task = next_task_needing(session, kind, services.now(), settings, skip=seen)
                if task is None:
                    session.rollback()
                    break
                seen.add(task.id)
                try:
                    recipient_count = send_deadline_notice(session, services, task.id, kind, settings)
                except CaseBusy:
                    continue  # another process is changing the case; the next cycle tries again
                except Exception:
                    log.exception("%s for task %s could not be sent; will retry", kind.value, task.id)
                    continue
                if recipient_count is not None:
                    sent += 1
    return sent
