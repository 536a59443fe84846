"""The board as controller: a parent may address an inzage request to the board of a board covering
several schools. Its board member records and answers it and makes the export for a pupil of any of
the board's schools — the whole file, audited — while board members otherwise never see pupil
names: not of the schools' own requests, and never of another board's schools.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.auth.models import Membership, User
from webapp.cases import dossier_actions
from webapp.notifications.deadline_notices import NoticeKind
from webapp.notifications.models import Notification
from webapp.privacy.destruction import destroy_due
from webapp.privacy.models import InzageRequest
from webapp.roles import Role
from webapp.schools.models import Board
from webapp.worker.cycle import WorkerSettings, run_cycle

NOTE = "Noor vertelde over ruzie thuis"


@pytest.fixture
def boards(session, services):
    """Board X (Stichting Kust: Noord and Zuid, one board member for both) and board Y (Stichting
    Heide: one school with its own board member)."""
    north = setup_school(session, services, "basismodel_2019", slug="noord")
    south = setup_school(session, services, "basismodel_2019", slug="zuid", pupil_birthdays={"Noor": date(2016, 5, 1)})
    heath = setup_school(session, services, "basismodel_2019", slug="heide", pupil_birthdays={"Mees": date(2015, 9, 9)})
    kust, heide = Board(name="Stichting Kust"), Board(name="Stichting Heide")
    session.add_all([kust, heide])
    session.flush()
    for setup, board in ((north, kust), (south, kust), (heath, heide)):
        setup.school.board_id = board.id
        session.merge(setup.school)
    member = session.get(User, north.users[Role.BESTUUR])  # bestuur@noord.test: the board member of Kust
    session.add(Membership(user_id=member.id, school_id=south.school.id, role=Role.BESTUUR))
    session.commit()
    return north, south, heath


def _record(user: WebUser, school_id: int, naam: str, geboortedatum: str, **extra):
    return user.post("/inzage", {"school": str(school_id), "naam": naam, "geboortedatum": geboortedatum,
                                 "verzocht_door": "vader", "verzocht_op": "2026-03-02", **extra},
                     token_from="/inzage")


def _request_of(session, school_id: int) -> InzageRequest:
    session.expire_all()
    return session.scalars(select(InzageRequest).where(InzageRequest.school_id == school_id)).one()


def test_the_board_answers_a_request_addressed_to_it_with_the_whole_file(app, boards, session, services, database):
    north, south, _heath = boards
    s = Scenario.start(session, services, database, south, pupil="Noor")
    dossier_actions.add_note(session, services, s.actor(Role.INTERN_BEGELEIDER), case_id=s.case_id, kind="feit",
                             body=NOTE)
    member = WebUser(app, "bestuur@noord.test")
    assert member.get(f"/zaken/{s.case_id}").status_code == 404  # outside inzage the case stays the school's
    page = member.get("/inzage").text
    assert "School zuid" in page and "Als bestuur" in page  # a school of the board to choose; what it sees
    assert _record(member, south.school.id, "Noor", "2016-05-01").status_code == 303
    request = _request_of(session, south.school.id)
    assert request.addressed_to_board is True and request.recorded_by_id == north.users[Role.BESTUUR]

    assert "Inzageverzoek beantwoorden" in member.get("/taken").text  # the board member's own task
    # The school sees the board's request too (the director answers to the board; its IB may prepare it).
    assert "Inzageverzoek beantwoorden" in WebUser(app, "directeur@zuid.test").get("/taken?lijst=rol").text

    data = member.get(f"/inzage/{request.id}/inzage.json").get_json()
    [case] = data["zaken"]
    assert data["niet_opgenomen"] == 0 and [n["tekst"] for n in case["notities"]] == [NOTE]
    assert member.get(f"/inzage/{request.id}/inzage.pdf").data.startswith(b"%PDF")
    exports = session.scalars(select(AuditEntry).where(AuditEntry.action == "inzage.export")).all()
    assert len(exports) == 2 and {e.school_id for e in exports} == {south.school.id}
    assert {e.user_id for e in exports} == {request.recorded_by_id}
    assert member.post(f"/inzage/{request.id}/beantwoord", {"uitkomst": "verstrekt"},
                       token_from="/inzage").status_code == 303
    assert _request_of(session, south.school.id).answer == "verstrekt"
    assert "Inzageverzoek beantwoorden" not in member.get("/taken").text


def test_a_board_member_of_board_x_gets_404_for_board_ys_pupils(app, boards, session, services):
    north, south, heath = boards
    _record(WebUser(app, "ib@heide.test"), heath.school.id, "Mees", "2015-09-09")
    heide_request = _request_of(session, heath.school.id)
    member = WebUser(app, "bestuur@noord.test")
    assert "Mees" not in member.get("/inzage").text + member.get("/taken?lijst=rol").text
    for path in ("inzage.json", "inzage.pdf", "inzage.zip"):
        assert member.get(f"/inzage/{heide_request.id}/{path}").status_code == 404
    assert member.post(f"/inzage/{heide_request.id}/beantwoord", {"uitkomst": "verstrekt"},
                       token_from="/inzage").status_code == 404
    # Recording a request for a pupil of board Y's school: refused, nothing stored, audited refusals above.
    assert _record(member, heath.school.id, "Mees", "2015-09-09").status_code == 403
    assert session.scalars(select(InzageRequest).where(InzageRequest.school_id == heath.school.id)).all() == [
        heide_request]
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "inzage.refused",
                                                      AuditEntry.school_id == heath.school.id)) is not None
    assert _request_of(session, heath.school.id).answered_at is None

    # Board X's request is not board Y's either, nor a school's own request the board's.
    _record(member, south.school.id, "Noor", "2016-05-01")
    kust_request = _request_of(session, south.school.id)
    heide_member = WebUser(app, "bestuur@heide.test")
    assert heide_member.get(f"/inzage/{kust_request.id}/inzage.json").status_code == 404
    assert heide_member.get(f"/inzage/{heide_request.id}/inzage.json").status_code == 404
    assert "Noor" not in heide_member.get("/inzage").text and "Mees" not in heide_member.get("/inzage").text
    assert _record(WebUser(app, "ib@noord.test"), north.school.id, "Sam", "2017-03-14").status_code == 303
    school_request = _request_of(session, north.school.id)
    assert school_request.addressed_to_board is False
    assert member.get(f"/inzage/{school_request.id}/inzage.json").status_code == 404


def test_the_boards_request_reminds_the_board_member_and_escalates_to_the_director(
        app, boards, session, services, database):
    north, south, _heath = boards
    member = WebUser(app, "bestuur@noord.test")
    _record(member, south.school.id, "Noor", "2016-05-01")
    request = _request_of(session, south.school.id)
    settings = WorkerSettings.from_config({**app.config, "REMINDER_LEAD_TIME": "P2D", "ESCALATION_DELAY": "P3D"})
    clock = services.environment.clock
    clock.set(request.due_at - timedelta(days=1))
    assert run_cycle(database, services, settings, until_done=True).inzage_notices == 1
    clock.set(request.due_at + timedelta(days=4))
    assert run_cycle(database, services, settings, until_done=True).inzage_notices == 2  # expiry, escalation
    session.expire_all()
    by_kind = {kind: sorted(session.scalars(select(Notification.user_id).where(Notification.kind == kind.value)))
               for kind in NoticeKind}
    # Whoever may answer it: the board's members at Zuid (the one who recorded it and Zuid's own)
    # and the school's coordinator and director.
    may_answer = sorted([north.users[Role.BESTUUR], south.users[Role.BESTUUR], south.users[Role.INTERN_BEGELEIDER],
                         south.users[Role.DIRECTEUR]])
    assert by_kind[NoticeKind.REMINDER] == may_answer == by_kind[NoticeKind.EXPIRED]
    assert by_kind[NoticeKind.ESCALATION] == [south.users[Role.DIRECTEUR]]


def test_the_board_reads_the_destruction_log_of_its_schools_only(app, boards, session, services, database, clock):
    _north, south, _heath = boards
    s = Scenario.start(session, services, database, south, pupil="Noor")
    s.walk(("Stap1_Signaleren", {"signalen_over_medewerker": False}),
           ("Stap1_ZorgDelen", {"veiligheid_in_geding": True}), "Stap1_GesprekLeerling",
           ("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"}),
           ("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": False}))
    reference = s.case.reference
    clock.set(s.case.dossier_destroy_after + timedelta(minutes=1))
    assert destroy_due(database, services) >= 1
    assert reference in WebUser(app, "bestuur@noord.test").get("/bewaartermijnen").text  # Zuid is Kust's
    assert reference not in WebUser(app, "bestuur@heide.test").get("/bewaartermijnen").text
