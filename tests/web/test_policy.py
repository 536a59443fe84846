"""The policy's less obvious rules, checked through the real pages."""
from __future__ import annotations

import pytest

from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.cases.models import CaseTask, TaskStatus
from webapp.roles import Role


@pytest.fixture
def fedra(session, services):
    return setup_school(session, services, "fedra_2019", slug="duinroos")


def test_the_board_sees_only_cases_handed_to_it_and_can_do_its_task(app, session, services, database, fedra):
    ordinary = Scenario.start(session, services, database, fedra)
    staff_offence = Scenario.start(session, services, database, fedra)
    staff_offence.complete("Stap1_Signaleren", {"vermoeden_personeelslid": True}, role=Role.LEERKRACHT)
    board_task = staff_offence.task("Meldplicht_Bestuur")

    board = WebUser(app, "bestuur@duinroos.test")
    assert board.get(f"/zaken/{ordinary.case_id}").status_code == 404
    assert board.get(f"/zaken/{staff_offence.case_id}").status_code == 200
    assert "Meldplicht: overleg met de vertrouwensinspecteur" in board.get("/taken?lijst=rol").text

    response = board.post(f"/taken/{board_task.id}", {"actie": "afronden"}, token_from=f"/taken/{board_task.id}")
    assert response.status_code == 422  # authorised: only the form is incomplete
    teacher = WebUser(app, "leerkracht@duinroos.test")
    refused = teacher.post(f"/taken/{board_task.id}", {"actie": "afronden"}, token_from="/taken")
    assert refused.status_code == 404  # a case about a staff member: no longer the teacher's to see
    session.expire_all()
    assert session.get(CaseTask, board_task.id).status == TaskStatus.OPEN


def test_a_teacher_does_not_see_colleagues_cases(app, session, services, database, fedra):
    from tests.support.scenario import hashed_test_password
    from webapp.auth.models import Membership, User

    colleague = User(email="collega@duinroos.test", display_name="Collega", password_hash=hashed_test_password(),
                     active=True, created_at=services.now())
    session.add(colleague)
    session.flush()
    session.add(Membership(user_id=colleague.id, school_id=fedra.school.id, role=Role.LEERKRACHT))
    session.commit()
    case = Scenario.start(session, services, database, fedra)  # started by the demo teacher
    assert WebUser(app, "collega@duinroos.test").get(f"/zaken/{case.case_id}").status_code == 404
    assert WebUser(app, "leerkracht@duinroos.test").get(f"/zaken/{case.case_id}").status_code == 200
