"""Issue 14, Gebruikersbeheer: a beheerder lists, creates, changes and deactivates the accounts of
their schools (a board's beheerder: the board's schools), never another school's (404), never by
typing a password; every change is audited and taking access away ends the user's sessions."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.support.scenario import TEST_PASSWORD, setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.auth.models import Membership, User
from webapp.notifications.models import OutboxMail
from webapp.roles import Role
from webapp.schools.models import Board

ADMIN = "beheer@testschool.test"
TEACHER = "leerkracht@testschool.test"
NEW_PASSWORD = "korenbloem-vijver-zaterdag"


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


@pytest.fixture
def other(session, services, school):
    return setup_school(session, services, "basismodel_2019", slug="andereschool")


def _user_id(session, email: str) -> int:
    return session.scalar(select(User.id).where(User.email == email))


def _audited(session, action: str) -> list[AuditEntry]:
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_the_beheerder_lists_the_users_of_their_school_only(app, school, other):
    page = WebUser(app, ADMIN).get("/gebruikers")
    assert page.status_code == 200
    assert TEACHER in page.text and "leerkracht@andereschool.test" not in page.text


def test_only_the_beheerder_sees_gebruikersbeheer_in_the_menu(app, school):
    for prefix in ("leerkracht", "ib", "directeur", "bestuur", "beleid", "beheer"):
        user = WebUser(app, f"{prefix}@testschool.test")
        menu = user.get("/taken").text
        assert ('href="/gebruikers"' in menu) == (prefix == "beheer"), prefix
        assert user.get("/gebruikers").status_code == (200 if prefix == "beheer" else 403), prefix


def test_a_new_user_gets_a_link_and_chooses_their_own_password(app, school, session):
    admin = WebUser(app, ADMIN)
    made = admin.post("/gebruikers/nieuw", {"naam": "Nina Nieuw", "email": "Nina@TestSchool.test",
                                            "school": str(school.school.id), "rol": "leerkracht"},
                      token_from="/gebruikers/nieuw")
    assert made.status_code == 303
    user = session.scalar(select(User).where(User.email == "nina@testschool.test"))
    assert [(m.school_id, m.role) for m in user.memberships] == [(school.school.id, Role.LEERKRACHT)]
    mail = session.scalar(select(OutboxMail).where(OutboxMail.to_address == "nina@testschool.test"))
    assert "account in Meldroute voor u gemaakt" in mail.body and "72 uur" in mail.body
    path = re.search(r"(/wachtwoord-instellen/[A-Za-z0-9_-]+)", mail.body).group(1)
    newcomer = WebUser(app)
    weak = newcomer.post(path, {"nieuw": "NinaNieuw2026", "herhaling": "NinaNieuw2026"},
                         token_from="/wachtwoord-vergeten")
    assert weak.status_code == 422  # the policy knows her name
    assert newcomer.post(path, {"nieuw": NEW_PASSWORD, "herhaling": NEW_PASSWORD},
                         token_from="/wachtwoord-vergeten").status_code == 302
    assert WebUser(app).login("nina@testschool.test", NEW_PASSWORD).status_code == 302
    assert _audited(session, "accounts.user_created")[0].school_id == school.school.id


def test_the_new_user_form_explains_mistakes_and_stores_nothing(app, school, other, session):
    admin = WebUser(app, ADMIN)
    before = session.scalar(select(User.id).order_by(User.id.desc()))
    for data, message in [
        ({"naam": "", "email": "x@testschool.test", "school": str(school.school.id), "rol": "leerkracht"},
         "Vul de naam in"),
        ({"naam": "X", "email": "geen-adres", "school": str(school.school.id), "rol": "leerkracht"},
         "geldig e-mailadres"),
        ({"naam": "X", "email": TEACHER, "school": str(school.school.id), "rol": "leerkracht"}, "al in gebruik"),
        ({"naam": "X", "email": "x@testschool.test", "school": str(other.school.id), "rol": "leerkracht"},
         "Kies een van uw scholen"),
        ({"naam": "X", "email": "x@testschool.test", "school": "99999999999999999999", "rol": "leerkracht"},
         "Kies een van uw scholen"),
        ({"naam": "x" * 300, "email": "x@testschool.test", "school": str(school.school.id), "rol": "koning"},
         "Kies een rol"),
    ]:
        response = admin.post("/gebruikers/nieuw", data, token_from="/gebruikers/nieuw")
        assert response.status_code == 422 and message in response.text, data
    assert session.scalar(select(User.id).order_by(User.id.desc())) == before


def test_changing_name_address_and_roles(app, school, session):
    admin = WebUser(app, ADMIN)
    teacher_id = school.users[Role.LEERKRACHT]
    changed = admin.post(f"/gebruikers/{teacher_id}", {"naam": "Lotte de Leerkracht", "email": "lotte@testschool.test"},
                         token_from="/gebruikers")
    assert changed.status_code == 303
    session.expire_all()
    assert session.get(User, teacher_id).email == "lotte@testschool.test"
    assert admin.post(f"/gebruikers/{teacher_id}/rollen", {"school": str(school.school.id), "rol": "intern_begeleider"},
                      token_from="/gebruikers").status_code == 303
    again = admin.post(f"/gebruikers/{teacher_id}/rollen", {"school": str(school.school.id), "rol": "intern_begeleider"},
                       token_from="/gebruikers")
    assert again.status_code == 422 and "al" in again.text
    roles = set(session.scalars(select(Membership.role).where(Membership.user_id == teacher_id)))
    assert roles == {Role.LEERKRACHT, Role.INTERN_BEGELEIDER}
    assert [e.detail["velden"] for e in _audited(session, "accounts.user_changed")] == [["naam", "email"]]
    assert _audited(session, "accounts.role_added")


def test_a_removed_role_and_a_deactivated_account_end_the_sessions(app, school, session):
    admin = WebUser(app, ADMIN)
    director, teacher = WebUser(app, "directeur@testschool.test"), WebUser(app, TEACHER)
    removed = admin.post(f"/gebruikers/{school.users[Role.DIRECTEUR]}/rollen/intrekken",
                         {"school": str(school.school.id), "rol": "directeur"}, token_from="/gebruikers")
    assert removed.status_code == 303
    assert director.get("/zaken").status_code == 302
    deactivated = admin.post(f"/gebruikers/{school.users[Role.LEERKRACHT]}/actief", {"actief": "nee"},
                             token_from="/gebruikers")
    assert deactivated.status_code == 303
    assert teacher.get("/zaken").status_code == 302
    assert WebUser(app).login(TEACHER, TEST_PASSWORD).status_code == 401
    admin.post(f"/gebruikers/{school.users[Role.LEERKRACHT]}/actief", {"actief": "ja"}, token_from="/gebruikers")
    assert WebUser(app).login(TEACHER, TEST_PASSWORD).status_code == 302
    assert _audited(session, "accounts.role_removed") and _audited(session, "accounts.user_deactivated")


def test_a_beheerder_cannot_lock_themselves_out(app, school, session):
    admin = WebUser(app, ADMIN)
    own = school.users[Role.BEHEERDER]
    assert admin.post(f"/gebruikers/{own}/actief", {"actief": "nee"}, token_from="/gebruikers").status_code == 422
    assert admin.post(f"/gebruikers/{own}/rollen/intrekken", {"school": str(school.school.id), "rol": "beheerder"},
                      token_from="/gebruikers").status_code == 422
    assert admin.get("/gebruikers").status_code == 200


def test_a_new_link_goes_to_the_user_not_the_beheerder(app, school, session):
    admin = WebUser(app, ADMIN)
    response = admin.post(f"/gebruikers/{school.users[Role.LEERKRACHT]}/wachtwoordlink", token_from="/gebruikers")
    assert response.status_code == 303
    mail = session.scalar(select(OutboxMail).where(OutboxMail.to_address == TEACHER))
    assert "/wachtwoord-instellen/" in mail.body
    token = re.search(r"/wachtwoord-instellen/([A-Za-z0-9_-]+)", mail.body).group(1)
    assert token not in admin.get(f"/gebruikers/{school.users[Role.LEERKRACHT]}").text


@pytest.mark.parametrize("method, path, data", [
    ("GET", "/gebruikers/{id}", None),
    ("POST", "/gebruikers/{id}", {"naam": "Overgenomen", "email": "x@andereschool.test"}),
    ("POST", "/gebruikers/{id}/rollen", {"school": "{school}", "rol": "beheerder"}),
    ("POST", "/gebruikers/{id}/rollen/intrekken", {"school": "{school}", "rol": "leerkracht"}),
    ("POST", "/gebruikers/{id}/actief", {"actief": "nee"}),
    ("POST", "/gebruikers/{id}/wachtwoordlink", {}),
    ("POST", "/gebruikers/{id}/sessies-beeindigen", {}),
])
def test_another_schools_users_are_not_found(app, school, other, session, method, path, data):
    victim = other.users[Role.LEERKRACHT]
    admin = WebUser(app, ADMIN)
    url = path.format(id=victim)
    if method == "GET":
        response = admin.get(url)
    else:
        response = admin.post(url, {k: v.format(school=other.school.id) for k, v in data.items()},
                              token_from="/gebruikers")
    assert response.status_code == 404
    session.expire_all()
    assert session.get(User, victim).active and session.get(User, victim).display_name != "Overgenomen"
    assert _audited(session, "auth.refused")
    assert WebUser(app, "leerkracht@andereschool.test").get("/zaken").status_code == 200


def test_a_board_beheerder_manages_the_boards_schools(app, school, other, session, services):
    outside = setup_school(session, services, "basismodel_2019", slug="buitenschool")
    board = Board(name="Stichting Samen")
    session.add(board)
    school.school.board, other.school.board = board, board
    session.add(Membership(user_id=school.users[Role.BEHEERDER], school_id=other.school.id, role=Role.BEHEERDER))
    session.commit()
    page = WebUser(app, ADMIN).get("/gebruikers")
    assert TEACHER in page.text and "leerkracht@andereschool.test" in page.text
    assert "leerkracht@buitenschool.test" not in page.text
    assert WebUser(app, ADMIN).get(f"/gebruikers/{outside.users[Role.LEERKRACHT]}").status_code == 404


def test_a_user_who_also_works_elsewhere_keeps_name_and_activation_there(app, school, other, session):
    teacher_id = school.users[Role.LEERKRACHT]
    session.add(Membership(user_id=teacher_id, school_id=other.school.id, role=Role.LEERKRACHT))
    session.commit()
    admin = WebUser(app, ADMIN)
    page = admin.get(f"/gebruikers/{teacher_id}")
    assert "School andereschool" not in page.text  # the other school is not named
    refused = admin.post(f"/gebruikers/{teacher_id}/actief", {"actief": "nee"}, token_from="/gebruikers")
    assert refused.status_code == 422 and "niet beheert" in refused.text
    session.expire_all()
    assert session.get(User, teacher_id).active
    # the roles at the beheerder's own school they do change
    assert admin.post(f"/gebruikers/{teacher_id}/rollen/intrekken", {"school": str(school.school.id),
                                                                     "rol": "leerkracht"},
                      token_from="/gebruikers").status_code == 303
