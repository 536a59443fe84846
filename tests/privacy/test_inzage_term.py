"""The one-month answer term of an inzage request, tracked as a task: in the task list of whoever may
answer it, with the worker's reminder, expiry notice and escalation (each once), closed by the answer.

The request is recorded on Monday 2 March 2026 (the tests' start): due on 2 April, its term ends at
midnight that night (school time). Moved-clock tests through the real worker cycle.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.auth.models import User
from webapp.cases.models import CaseStatus
from webapp.clock import SCHOOL_TIMEZONE
from webapp.notifications.deadline_notices import NoticeKind
from webapp.notifications.models import Notification, OutboxMail
from webapp.privacy.destruction import destroy_due
from webapp.privacy.inzage_notices import recipients
from webapp.privacy.models import InzageRequest
from webapp.roles import Role
from webapp.worker.cycle import WorkerSettings, run_cycle

DUE_AT = datetime(2026, 4, 3, 0, 0, tzinfo=SCHOOL_TIMEZONE)


@pytest.fixture
def worker_settings(app):
    return WorkerSettings.from_config({**app.config, "REMINDER_LEAD_TIME": "P2D", "ESCALATION_DELAY": "P3D"})


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def _record(user: WebUser, **extra):
    form = {"naam": "Sam", "geboortedatum": "2017-03-14", "verzocht_door": "moeder", "verzocht_op": "2026-03-02",
            **extra}
    return user.post("/inzage", form, token_from="/inzage")


def _only_request(session) -> InzageRequest:
    session.expire_all()
    [request] = session.scalars(select(InzageRequest)).all()
    return request


def _notices(session, kind: NoticeKind) -> list[tuple[int, int]]:
    session.expire_all()
    return sorted(session.execute(select(Notification.inzage_request_id, Notification.user_id)
                                  .where(Notification.kind == kind.value)).all())


def _cycle_at(services, database, settings, moment):
    services.environment.clock.set(moment)
    return run_cycle(database, services, settings, until_done=True)


def test_reminder_expiry_and_escalation_each_once(app, school, session, services, database, worker_settings):
    assert _record(WebUser(app, "ib@testschool.test")).status_code == 303
    request = _only_request(session)
    assert request.due_on.isoformat() == "2026-04-02" and request.due_at == DUE_AT
    may_answer = sorted([school.users[Role.INTERN_BEGELEIDER], school.users[Role.DIRECTEUR]])

    assert _cycle_at(services, database, worker_settings, DUE_AT - timedelta(days=2, hours=1)).inzage_notices == 0
    assert _cycle_at(services, database, worker_settings, DUE_AT - timedelta(days=1, hours=23)).inzage_notices == 1
    # Whoever may answer it: the school's coordinator and director; not the teacher, not the board.
    assert _notices(session, NoticeKind.REMINDER) == [(request.id, user) for user in may_answer]
    assert _cycle_at(services, database, worker_settings, DUE_AT - timedelta(hours=1)).inzage_notices == 0
    assert _notices(session, NoticeKind.EXPIRED) == []

    assert _cycle_at(services, database, worker_settings, DUE_AT + timedelta(minutes=1)).inzage_notices == 1
    assert _notices(session, NoticeKind.EXPIRED) == [(request.id, user) for user in may_answer]
    assert _cycle_at(services, database, worker_settings, DUE_AT + timedelta(days=2, hours=23)).inzage_notices == 0
    assert _notices(session, NoticeKind.ESCALATION) == []
    assert _cycle_at(services, database, worker_settings, DUE_AT + timedelta(days=3)).inzage_notices == 1
    assert _notices(session, NoticeKind.ESCALATION) == [(request.id, school.users[Role.DIRECTEUR])]
    assert _cycle_at(services, database, worker_settings, DUE_AT + timedelta(weeks=3)).inzage_notices == 0

    stamped = _only_request(session)
    assert stamped.reminder_sent_at and stamped.expiry_notified_at and stamped.escalated_at
    assert all(n.school_id == school.school.id and n.task_due_at == DUE_AT
               for n in session.scalars(select(Notification)))
    mails = session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert len(mails) == 2 + 2 + 1
    assert mails[-1].to_address == "directeur@testschool.test" and "Escalatie" in mails[-1].subject
    for mail in mails:
        assert "Sam" not in mail.subject + mail.body  # no pupil names in mail
        assert f"/inzage#verzoek-{request.id}" in mail.body
    audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "inzage.deadline_notice")
                              .order_by(AuditEntry.id)).all()
    assert [a.detail["kind"] for a in audited] == ["herinnering", "termijn_verlopen", "escalatie"]
    assert all(a.school_id == school.school.id for a in audited)
    # The in-app notice links to the request.
    page = WebUser(app, "directeur@testschool.test").get("/meldingen").text
    assert f"/inzage#verzoek-{request.id}" in page and "Inzageverzoek beantwoorden" in page


def test_an_answered_request_gets_no_notices_and_leaves_the_task_list(
        app, school, session, services, database, worker_settings):
    ib = WebUser(app, "ib@testschool.test")
    _record(ib)
    request_id = _only_request(session).id
    assert "Inzageverzoek beantwoorden" in ib.get("/taken").text  # recorded by her: her own task
    director = WebUser(app, "directeur@testschool.test")
    assert "Inzageverzoek beantwoorden" in director.get("/taken?lijst=rol").text
    assert "Inzageverzoek beantwoorden" not in director.get("/taken").text
    assert "Inzageverzoek beantwoorden" not in director.get("/taken?lijst=rol&route=meldcode").text

    # Refusing needs a reason; without one nothing changes and the page says why.
    refused = ib.post(f"/inzage/{request_id}/beantwoord", {"uitkomst": "geweigerd", "reden": " "},
                      token_from="/inzage")
    assert refused.status_code == 422 and "Geef de reden van de weigering" in refused.text
    assert ib.post(f"/inzage/{request_id}/beantwoord", {"uitkomst": "misschien"},
                   token_from="/inzage").status_code == 422
    assert _only_request(session).answered_at is None

    assert ib.get(f"/inzage/{request_id}/inzage.pdf").status_code == 200
    answered = ib.post(f"/inzage/{request_id}/beantwoord", {"uitkomst": "verstrekt"}, token_from="/inzage")
    assert answered.status_code == 303
    request = _only_request(session)
    assert request.answer == "verstrekt" and request.answered_by_id == school.users[Role.INTERN_BEGELEIDER]
    # Answering again changes nothing (a second click, a colleague at the same time).
    ib.post(f"/inzage/{request_id}/beantwoord", {"uitkomst": "geweigerd", "reden": "x"}, token_from="/inzage")
    assert _only_request(session).answer == "verstrekt"
    [audit] = session.scalars(select(AuditEntry).where(AuditEntry.action == "inzage.answered")).all()
    assert audit.detail == {"inzage_request_id": request_id, "answer": "verstrekt", "exports": 1, "on_time": True}

    assert "Inzageverzoek beantwoorden" not in ib.get("/taken").text
    assert "Inzageverzoek beantwoorden" not in director.get("/taken?lijst=rol").text
    assert _cycle_at(services, database, worker_settings, DUE_AT + timedelta(weeks=2)).inzage_notices == 0
    assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_refusal_with_its_reason_closes_the_task(app, school, session, services, database, worker_settings):
    ib = WebUser(app, "ib@testschool.test")
    _record(ib)
    request_id = _only_request(session).id
    _cycle_at(services, database, worker_settings, DUE_AT - timedelta(days=1))  # the reminder went out
    ib = WebUser(app, "ib@testschool.test")  # a month later: a new session
    reason = "Verzoek niet van een gezaghebbende ouder"
    assert ib.post(f"/inzage/{request_id}/beantwoord", {"uitkomst": "geweigerd", "reden": reason},
                   token_from="/inzage").status_code == 303
    request = _only_request(session)
    assert request.answer == "geweigerd" and request.refusal_reason == reason
    assert reason in ib.get("/inzage").text
    assert _cycle_at(services, database, worker_settings, DUE_AT + timedelta(weeks=2)).inzage_notices == 0
    assert len(_notices(session, NoticeKind.REMINDER)) == 2
    assert _notices(session, NoticeKind.EXPIRED) == [] and _notices(session, NoticeKind.ESCALATION) == []


def test_another_schools_user_never_sees_it(app, school, session, services, database, worker_settings):
    setup_school(session, services, "basismodel_2019", slug="andere")
    _record(WebUser(app, "ib@testschool.test"))
    request_id = _only_request(session).id
    for email in ("ib@andere.test", "directeur@andere.test"):
        other = WebUser(app, email)
        assert "Inzageverzoek" not in other.get("/taken").text + other.get("/taken?lijst=rol").text
        assert "Sam" not in other.get("/inzage").text
        assert other.get(f"/inzage/{request_id}/inzage.json").status_code == 404
        assert other.post(f"/inzage/{request_id}/beantwoord", {"uitkomst": "verstrekt"},
                          token_from="/inzage").status_code == 404
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "inzage.refused")) == 4
    # The school's board member neither: the request was made to the school, and names stay there.
    board = WebUser(app, "bestuur@testschool.test")
    assert "Sam" not in board.get("/inzage").text + board.get("/taken?lijst=rol").text
    assert board.get(f"/inzage/{request_id}/inzage.json").status_code == 404
    _cycle_at(services, database, worker_settings, DUE_AT + timedelta(weeks=1))
    told = {user for _, user in _notices(session, NoticeKind.REMINDER) + _notices(session, NoticeKind.EXPIRED)
            + _notices(session, NoticeKind.ESCALATION)}
    assert told == {school.users[Role.INTERN_BEGELEIDER], school.users[Role.DIRECTEUR]}
    assert _only_request(session).answered_at is None


def test_the_database_refuses_a_second_notice_of_a_kind_for_a_recipient(app, school, session, services):
    _record(WebUser(app, "ib@testschool.test"))
    request = _only_request(session)
    for _ in range(2):
        session.add(Notification(user_id=school.users[Role.DIRECTEUR], inzage_request_id=request.id,
                                 school_id=request.school_id, kind=NoticeKind.ESCALATION.value, title="x",
                                 body="x", created_at=services.now(), task_due_at=request.due_at))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_without_an_active_director_an_escalation_reaches_nobody_and_says_so(
        app, school, session, services, database, worker_settings):
    _record(WebUser(app, "ib@testschool.test"))
    session.get(User, school.users[Role.DIRECTEUR]).active = False
    session.commit()
    request = _only_request(session)
    assert recipients(session, request, NoticeKind.ESCALATION) == []
    _cycle_at(services, database, worker_settings, DUE_AT + timedelta(days=4))
    [escalation] = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "inzage.deadline_notice", AuditEntry.detail["kind"].as_string() == "escalatie")).all()
    assert escalation.detail["recipients"] == [] and "niemand" in escalation.detail["reached"]
    assert _only_request(session).escalated_at is not None  # stamped all the same: not retried every cycle


def test_destroying_the_pupil_takes_the_request_and_its_notices(
        app, school, session, services, database, worker_settings):
    s = Scenario.start(session, services, database, school)
    s.walk(("Stap1_Signaleren", {"signalen_over_medewerker": False}),
           ("Stap1_ZorgDelen", {"veiligheid_in_geding": True}), "Stap1_GesprekLeerling",
           ("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"}),
           ("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": False}))
    _record(WebUser(app, "ib@testschool.test"))
    _cycle_at(services, database, worker_settings, DUE_AT + timedelta(days=1))
    assert session.scalar(select(func.count()).select_from(Notification)) == 2  # expiry (no late reminder)
    session.expire_all()
    services.environment.clock.set(s.case.dossier_destroy_after + timedelta(minutes=1))
    assert destroy_due(database, services) >= 1
    session.expire_all()
    assert s.case.status == CaseStatus.DESTROYED
    assert session.scalar(select(func.count()).select_from(InzageRequest)) == 0
    assert session.scalar(select(func.count()).select_from(Notification)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMail)) == 0
