"""Two workers sending deadline notices at once on PostgreSQL: every task reminded exactly once.

Runs on PostgreSQL only (SQLite runs a single worker); skipped, with the reason, without it.
"""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, insert, select

from tests.support.bulk import copy_waiting_case
from tests.support.databases import postgresql_only
from tests.support.scenario import Scenario, setup_school
from webapp.cases.models import CaseTask
from webapp.notifications.deadline_notices import (
    NoticeKind,
    NoticeSettings,
    send_due_notices,
)
from webapp.notifications.models import Notification, OutboxMail

TASKS = 300

@postgresql_only
def test_two_workers_remind_every_task_exactly_once(app, session, services, database):
    setup = setup_school(session, services, "basismodel_2019")
    s = Scenario.start(session, services, database, setup)
    s.walk(("Stap1_Signaleren", {"signalen_over_medewerker": False}),
           ("Stap1_ZorgDelen", {"veiligheid_in_geding": True,
                                "tijdslimiet_fase1": {"amount": 1, "unit": "weken"}}),
           "Stap1_GesprekLeerling")
    task = s.task("Stap1_Besluit")
    copies = copy_waiting_case(session, s.case_id, TASKS - 1, with_state=False)
    columns = {c.key: getattr(task, c.key) for c in CaseTask.__table__.columns if c.key not in ("id", "case_id")}
    session.execute(insert(CaseTask), [{**columns, "case_id": case_id} for case_id in copies])
    session.commit()
    services.environment.clock.set(task.due_at - timedelta(days=1))
    settings = NoticeSettings.from_config(app.config)

    sent, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            sent.append(send_due_notices(database, services, settings, max_tasks=TASKS))
        except Exception as exc:  # noqa: BLE001 — surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert sum(sent) == TASKS and all(n > 0 for n in sent), sent  # shared, none twice

    session.expire_all()
    per_task = session.execute(
        select(Notification.case_task_id, func.count()).where(Notification.kind == NoticeKind.REMINDER.value)
        .group_by(Notification.case_task_id)).all()
    assert len(per_task) == TASKS and {count for _, count in per_task} == {3}  # 3 recipients each
    assert session.scalar(select(func.count()).select_from(OutboxMail)) == TASKS * 3
    assert session.scalar(select(func.count()).select_from(CaseTask).where(
        CaseTask.reminder_sent_at.is_not(None))) == TASKS
