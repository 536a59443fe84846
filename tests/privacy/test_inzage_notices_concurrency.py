"""Two workers sending the inzage term's notices at once on PostgreSQL: every request once; a
request the web holds (an answer being written) is skipped, not waited for, and sent next time.

Runs on PostgreSQL only (SQLite runs a single worker); skipped, with the reason, without it.
"""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, insert, select

from tests.support.databases import postgresql_only
from tests.support.scenario import setup_school
from webapp.audit.actor import Actor
from webapp.auth.policy import Policy
from webapp.notifications.deadline_notices import NoticeKind, NoticeSettings
from webapp.notifications.models import Notification
from webapp.privacy.inzage import record_request
from webapp.privacy.inzage_notices import send_due_inzage_notices, send_inzage_notice
from webapp.privacy.models import InzageRequest
from webapp.roles import Role

REQUESTS = 60


def _request(session, services, setup) -> InzageRequest:
    ib = setup.users[Role.INTERN_BEGELEIDER]
    return record_request(session, services, Actor(ib), Policy.for_user(session, ib), school_id=setup.school.id,
                          pupil_name="Sam", date_of_birth="2017-03-14", requested_by="moeder",
                          requested_on="2026-03-02")


@postgresql_only
def test_two_workers_remind_every_request_exactly_once(app, session, services, database):
    setup = setup_school(session, services, "basismodel_2019")
    first = _request(session, services, setup)
    columns = {c.key: getattr(first, c.key) for c in InzageRequest.__table__.columns if c.key != "id"}
    session.execute(insert(InzageRequest), [columns] * (REQUESTS - 1))
    session.commit()
    services.environment.clock.set(first.due_at - timedelta(days=1))
    settings = NoticeSettings.from_config(app.config)
    sent, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            sent.append(send_due_inzage_notices(database, services, settings, max_requests=REQUESTS))
        except Exception as exc:  # noqa: BLE001 — surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == [] and sum(sent) == REQUESTS, sent
    session.expire_all()
    per_request = session.execute(
        select(Notification.inzage_request_id, func.count()).where(Notification.kind == NoticeKind.REMINDER.value)
        .group_by(Notification.inzage_request_id)).all()
    assert len(per_request) == REQUESTS and {count for _, count in per_request} == {2}  # IB and director


@postgresql_only
def test_a_request_held_by_the_web_is_skipped_and_sent_later(app, session, services, database):
    setup = setup_school(session, services, "basismodel_2019")
    request_id = _request(session, services, setup).id
    services.environment.clock.set(session.get(InzageRequest, request_id).due_at + timedelta(minutes=1))
    settings = NoticeSettings.from_config(app.config)
    with database.session() as web:
        web.execute(select(InzageRequest.id).where(InzageRequest.id == request_id).with_for_update())
        with database.session() as worker:
            assert send_inzage_notice(worker, services, request_id, NoticeKind.EXPIRED, settings) is None
        web.rollback()
    with database.session() as worker:
        assert send_inzage_notice(worker, services, request_id, NoticeKind.EXPIRED, settings) == 2
    with database.session() as worker:
        assert send_inzage_notice(worker, services, request_id, NoticeKind.EXPIRED, settings) is None
    assert session.scalar(select(func.count()).select_from(Notification)) == 2
