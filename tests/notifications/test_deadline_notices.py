"""Reminders before a due date, a notice on expiry, escalation to the director — each once.

Moved-clock tests through the real worker cycle: the basismodel's "Stap 1: besluit" (Leerkracht
lane) is due when the agreed term of phase 1 ends (a non-interrupting boundary timer).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from tests.support import scenario as scenario_support
from tests.support.scenario import Scenario, setup_school
from webapp.audit.actor import Actor
from webapp.audit.models import AuditEntry
from webapp.auth.models import Membership, User
from webapp.cases import lifecycle, task_actions
from webapp.cases.models import CaseEvent, CaseTask
from webapp.notifications.deadline_notices import (
    NoticeKind,
    NoticeSettings,
    next_task_needing,
    recipients,
    send_deadline_notice,
)
from webapp.notifications.models import Notification, OutboxMail
from webapp.roles import Role
from webapp.worker.cycle import WorkerSettings, run_cycle


@pytest.fixture
def worker_settings(app):
    return WorkerSettings.from_config({**app.config, "REMINDER_LEAD_TIME": "P2D", "ESCALATION_DELAY": "P3D"})


@pytest.fixture
def school(session, services):
    setup = setup_school(session, services, "basismodel_2019")
    other = User(email="leerkracht2@testschool.test", display_name="Andere Leerkracht",
                 password_hash=scenario_support.hashed_test_password(), active=True, created_at=services.now())
    session.add(other)
    session.flush()
    session.add(Membership(user_id=other.id, school_id=setup.school.id, role=Role.LEERKRACHT))
    session.commit()
    setup.users["andere_leerkracht"] = other.id
    return setup


@pytest.fixture
def decision_due(session, services, database, school):
    """A case whose 'Stap 1: besluit' is due one week from now (Monday 9 March 2026, 09:00)."""
    s = Scenario.start(session, services, database, school)
    s.walk(
        ("Stap1_Signaleren", {"signalen_over_medewerker": False}),
        ("Stap1_ZorgDelen", {"veiligheid_in_geding": True, "tijdslimiet_fase1": {"amount": 1, "unit": "weken"}}),
        "Stap1_GesprekLeerling",
    )
    return s


def notices(session, kind: NoticeKind) -> list[tuple[int, int]]:
    session.expire_all()
    return sorted(session.execute(select(Notification.case_task_id, Notification.user_id)
                                  .where(Notification.kind == kind.value)).all())


def cycle(s: Scenario, settings, **delta):
    s.services.environment.clock.advance(**delta)
    return run_cycle(s.database, s.services, settings, until_done=True)


def cycle_at(s: Scenario, settings, moment):
    s.services.environment.clock.set(moment)
    return run_cycle(s.database, s.services, settings, until_done=True)


def test_reminder_before_due_then_expiry_then_escalation_each_once(
        decision_due, session, school, worker_settings):
    s = decision_due
    task = s.task("Stap1_Besluit")
    assert task.due_at == s.services.now() + timedelta(weeks=1)
    staff = sorted([school.users[Role.LEERKRACHT], school.users[Role.INTERN_BEGELEIDER],
                    school.users[Role.DIRECTEUR]])

    due = task.due_at
    assert cycle_at(s, worker_settings, due - timedelta(days=2, hours=1)).notices_sent == 0
    assert notices(session, NoticeKind.REMINDER) == []

    assert cycle_at(s, worker_settings, due - timedelta(days=1, hours=23)).notices_sent == 1  # within 2 days
    # The teacher who reported, and those who may take over her task — not the other teacher.
    assert notices(session, NoticeKind.REMINDER) == [(task.id, user) for user in staff]
    assert cycle_at(s, worker_settings, due - timedelta(hours=1)).notices_sent == 0  # once, however often
    assert notices(session, NoticeKind.EXPIRED) == []

    result = cycle_at(s, worker_settings, due + timedelta(minutes=1))
    assert result.timers_fired == 1 and result.notices_sent == 1  # boundary timer and expiry notice
    assert notices(session, NoticeKind.EXPIRED) == [(task.id, user) for user in staff]
    assert s.task("Stap1_Besluit").id == task.id  # non-interrupting: the task stays open
    assert notices(session, NoticeKind.ESCALATION) == []

    assert cycle_at(s, worker_settings, due + timedelta(days=2, hours=23)).notices_sent == 0  # not 3 days yet
    assert cycle_at(s, worker_settings, due + timedelta(days=3)).notices_sent == 1
    assert notices(session, NoticeKind.ESCALATION) == [(task.id, school.users[Role.DIRECTEUR])]
    assert cycle(s, worker_settings, weeks=2).notices_sent == 0

    stamped = session.get(CaseTask, task.id)
    assert stamped.reminder_sent_at and stamped.expiry_notified_at and stamped.escalated_at
    mails = session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert len(mails) == 3 + 3 + 1 and all(m.sent_at is None for m in mails)  # no MAIL_SERVER: kept
    escalation = mails[-1]
    assert escalation.to_address == "directeur@testschool.test"
    assert "Escalatie" in escalation.subject and s.case.reference in escalation.body
    assert "Sam" not in escalation.body  # no pupil names in mail
    for mail in mails:  # nor the step's wording: a lock screen shows the subject (issue 14)
        assert task.name not in mail.subject and task.name not in mail.body, mail.subject
        assert mail.body.count("http://127.0.0.1:5000/taken/") == 1
    assert f"/taken/{task.id}" in escalation.body
    timeline = session.scalars(select(CaseEvent.title).where(
        CaseEvent.case_id == s.case_id, CaseEvent.kind == "deadline_notice").order_by(CaseEvent.id)).all()
    assert [t.split(":")[0] for t in timeline] == [
        "Herinnering verstuurd", "Melding termijn verlopen verstuurd", "Escalatie naar de directie"]
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.deadline_notice", AuditEntry.case_id == s.case_id)) == 3


def test_a_claimed_task_reminds_only_its_claimant(decision_due, session, services, school, worker_settings):
    s = decision_due
    task = s.task("Stap1_Besluit")
    ib = school.users[Role.INTERN_BEGELEIDER]
    task_actions.claim_task(session, services, Actor(ib), task_id=task.id)
    cycle(s, worker_settings, days=6)
    assert notices(session, NoticeKind.REMINDER) == [(task.id, ib)]


def test_a_completed_task_gets_no_more_notices(decision_due, session, worker_settings):
    s = decision_due
    cycle(s, worker_settings, days=6)
    s.complete("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"})
    assert cycle(s, worker_settings, weeks=3).notices_sent == 0
    assert notices(session, NoticeKind.EXPIRED) == [] and notices(session, NoticeKind.ESCALATION) == []


def test_a_task_found_past_due_gets_no_late_reminder(decision_due, session, worker_settings):
    s = decision_due
    cycle(s, worker_settings, days=8)  # the worker was down over the whole lead time
    assert notices(session, NoticeKind.REMINDER) == []
    assert len(notices(session, NoticeKind.EXPIRED)) == 3


def test_the_database_refuses_a_second_notice_of_a_kind_for_a_recipient(decision_due, session, services):
    task = decision_due.task("Stap1_Besluit")
    director = session.get(User, decision_due.setup.users[Role.DIRECTEUR])
    for _ in range(2):
        session.add(Notification(user_id=director.id, case_task_id=task.id, kind=NoticeKind.ESCALATION.value,
                                 title="x", body="x", created_at=services.now(), task_due_at=task.due_at))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_recipients_follow_the_policy(decision_due, session, school):
    task = decision_due.task("Stap1_Besluit")
    ids = [u.id for u in recipients(session, task, NoticeKind.REMINDER)]
    assert school.users["andere_leerkracht"] not in ids
    assert school.users[Role.BESTUUR] not in ids and school.users[Role.BEHEERDER] not in ids
    assert [u.id for u in recipients(session, task, NoticeKind.ESCALATION)] == [school.users[Role.DIRECTEUR]]


def test_lead_time_and_delay_must_be_iso_durations(app):
    with pytest.raises(ValueError, match="geen geldige ISO-8601-duur"):
        NoticeSettings.from_config({**app.config, "REMINDER_LEAD_TIME": "twee dagen"})


def test_a_task_completed_between_selection_and_notice_gets_none(
        decision_due, session, services, database, database_url, worker_settings):
    """The worker selected the task as needing an expiry notice; the web completes it before the
    worker writes: the notice is dropped, not sent after "afgerond"."""
    s = decision_due
    task_id = s.task("Stap1_Besluit").id
    services.environment.clock.set(s.task("Stap1_Besluit").due_at + timedelta(minutes=1))
    settings = worker_settings.notices
    with database.session() as worker_session:
        # The worker's selection takes no lock: the web is not held up by it.
        candidate = next_task_needing(worker_session, NoticeKind.EXPIRED, services.now(), settings)
        assert candidate is not None and candidate.id == task_id

        s.complete("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"})

        assert send_deadline_notice(worker_session, services, candidate.id, NoticeKind.EXPIRED, settings) is None

    assert notices(session, NoticeKind.EXPIRED) == []
    assert session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    assert session.get(CaseTask, task_id).expiry_notified_at is None
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.deadline_notice")) == 0
    assert session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.kind == "deadline_notice")) == 0


def reminder_recipients_after_cycle(s: Scenario, session, worker_settings, task_id: int) -> list[int]:
    cycle(s, worker_settings, days=6)  # within the two-day lead time of the one-week term
    return [user for task, user in notices(session, NoticeKind.REMINDER) if task == task_id]


def test_a_claimant_who_lost_their_role_gets_no_notice_and_the_others_do(
        decision_due, session, services, school, worker_settings):
    s = decision_due
    task = s.task("Stap1_Besluit")
    ib = school.users[Role.INTERN_BEGELEIDER]
    task_actions.claim_task(session, services, Actor(ib), task_id=task.id)
    session.execute(delete(Membership).where(Membership.user_id == ib))  # left the school
    session.commit()

    got_it = reminder_recipients_after_cycle(s, session, worker_settings, task.id)
    # Those who may pick the task up once the stale claim is released; the other teacher is
    # not involved in this case, so she hears nothing of it.
    assert got_it == sorted([school.users[Role.LEERKRACHT], school.users[Role.DIRECTEUR]])
    addresses = session.scalars(select(OutboxMail.to_address)).all()
    assert session.get(User, ib).email not in addresses and len(addresses) == 2


def test_an_inactive_claimant_does_not_silence_the_notice(decision_due, session, services, school, worker_settings):
    s = decision_due
    task = s.task("Stap1_Besluit")
    ib = school.users[Role.INTERN_BEGELEIDER]
    task_actions.claim_task(session, services, Actor(ib), task_id=task.id)
    session.get(User, ib).active = False
    session.commit()

    got_it = reminder_recipients_after_cycle(s, session, worker_settings, task.id)
    assert got_it == sorted([school.users[Role.LEERKRACHT], school.users[Role.DIRECTEUR]])


def test_a_task_nobody_in_its_lane_may_do_goes_to_the_director(decision_due, session, school, worker_settings):
    s = decision_due
    task = s.task("Stap1_Besluit")
    for role in (Role.LEERKRACHT, Role.INTERN_BEGELEIDER):
        session.get(User, school.users[role]).active = False
    session.commit()
    assert [u.id for u in recipients(session, task, NoticeKind.REMINDER)] == [school.users[Role.DIRECTEUR]]

    session.execute(update(CaseTask).where(CaseTask.id == task.id).values(lane="conciërge"))  # no such lane
    session.commit()
    session.expire_all()
    assert [u.id for u in recipients(session, session.get(CaseTask, task.id), NoticeKind.EXPIRED)] == [
        school.users[Role.DIRECTEUR]]


def test_a_notice_that_reaches_nobody_is_recorded_on_the_case(decision_due, session, school, worker_settings):
    s = decision_due
    task = s.task("Stap1_Besluit")
    for role in (Role.LEERKRACHT, Role.INTERN_BEGELEIDER, Role.DIRECTEUR):
        session.get(User, school.users[role]).active = False
    session.commit()

    assert reminder_recipients_after_cycle(s, session, worker_settings, task.id) == []
    [event] = session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == s.case_id, CaseEvent.kind == "deadline_notice")).all()
    assert "niemand bereikt" in event.title and event.detail["recipients"] == []
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.deadline_notice")).all()
    assert entry.detail["recipients"] == [] and entry.case_id == s.case_id
    assert session.get(CaseTask, task.id).reminder_sent_at is not None


def test_a_moved_due_date_gets_its_own_reminder_and_expiry(decision_due, session, services, school,
                                                          worker_settings):
    """The task row first carries an earlier date (as if the term had been agreed shorter); its
    reminder and expiry go out; then the case layer syncs the workflow's later date (a
    re-agreed term) and the notices come again for that date."""
    s = decision_due
    task = s.task("Stap1_Besluit")
    new_due = task.due_at
    old_due = new_due - timedelta(days=5)
    session.execute(update(CaseTask).where(CaseTask.id == task.id).values(due_at=old_due))
    session.commit()

    assert cycle_at(s, worker_settings, old_due - timedelta(days=1)).notices_sent == 1
    assert cycle_at(s, worker_settings, old_due + timedelta(minutes=1)).notices_sent == 1
    assert len(notices(session, NoticeKind.REMINDER)) == 3 and len(notices(session, NoticeKind.EXPIRED)) == 3

    # Any change to the case syncs its task rows with the workflow; firing its (not yet due)
    # timers is the smallest one.
    lifecycle.fire_due_timers(session, services, s.case_id)
    session.expire_all()
    moved = session.get(CaseTask, task.id)
    assert moved.due_at == new_due
    assert moved.reminder_sent_at is None and moved.expiry_notified_at is None and moved.escalated_at is None

    assert cycle_at(s, worker_settings, new_due - timedelta(days=1)).notices_sent == 1
    assert len(notices(session, NoticeKind.REMINDER)) == 6  # once per recipient and date
    assert cycle_at(s, worker_settings, new_due + timedelta(minutes=1)).notices_sent == 1
    assert len(notices(session, NoticeKind.EXPIRED)) == 6
    assert cycle_at(s, worker_settings, new_due + timedelta(hours=1)).notices_sent == 0  # still once per date
    dates = session.scalars(select(Notification.task_due_at).where(
        Notification.kind == NoticeKind.REMINDER.value).order_by(Notification.id)).all()
    assert dates == [old_due] * 3 + [new_due] * 3


def test_a_due_date_moved_into_the_past_keeps_its_stamps(decision_due, session, services, worker_settings):
    s = decision_due
    task = s.task("Stap1_Besluit")
    new_due = task.due_at
    session.execute(update(CaseTask).where(CaseTask.id == task.id).values(due_at=new_due - timedelta(days=1)))
    session.commit()
    assert cycle_at(s, worker_settings, new_due - timedelta(hours=23)).notices_sent == 1  # expiry, old date
    session.expire_all()
    expired_at = session.get(CaseTask, task.id).expiry_notified_at
    assert expired_at is not None
    # The term's timer fires: the case syncs the workflow's date, which has passed by now too.
    result = cycle_at(s, worker_settings, new_due + timedelta(hours=1))
    assert result.timers_fired == 1 and result.notices_sent == 0
    session.expire_all()
    stamped = session.get(CaseTask, task.id)
    assert stamped.due_at == new_due and stamped.expiry_notified_at == expired_at
    assert len(notices(session, NoticeKind.EXPIRED)) == 3


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # rebuilds tables: own database file
def test_migration_0003_keeps_sent_notices_and_dates_them(decision_due, session, database, database_url,
                                                        worker_settings):
    from alembic import command
    from sqlalchemy import create_engine, text

    from webapp.migrations import alembic_config, upgrade_database

    s = decision_due
    task = s.task("Stap1_Besluit")
    task_id, due_at = task.id, task.due_at
    cycle(s, worker_settings, days=6)
    assert len(notices(session, NoticeKind.REMINDER)) == 3
    session.close()
    database.engine.dispose()

    command.downgrade(alembic_config(database_url), "0002")
    upgrade_database(database_url)

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT case_task_id, task_due_at FROM notifications")).all()
    engine.dispose()
    assert len(rows) == 3 and {row.case_task_id for row in rows} == {task_id}
    assert {row.task_due_at for row in rows} == {due_at.strftime("%Y-%m-%d %H:%M:%S.%f")}
