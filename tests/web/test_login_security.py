"""Issue 14 items 2–4: server-side sessions, no account enumeration, throttling without an
attacker-imposed lockout (shared by every app instance through the database)."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from tests.support.scenario import TEST_PASSWORD, setup_school
from tests.support.web import WebUser
from webapp.app import create_app
from webapp.audit.models import AuditEntry
from webapp.auth import server_sessions
from webapp.auth.models import UserSession
from webapp.auth.throttle import email_fingerprint
from webapp.db import get_database
from webapp.roles import Role

TEACHER = "leerkracht@testschool.test"
DIRECTOR = "directeur@testschool.test"


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def _copy_cookie(source: WebUser, app) -> WebUser:
    thief = WebUser(app)
    cookie = source.client.get_cookie("session")
    thief.client.set_cookie("session", cookie.value)
    return thief


# -- 2: sessions live on the server --------------------------------------------------------------

def test_a_copied_cookie_opens_nothing_after_logout(app, school):
    user = WebUser(app, TEACHER)
    thief = _copy_cookie(user, app)
    assert thief.get("/zaken").status_code == 200  # the copy works while the session is open
    user.post("/uitloggen")
    assert thief.get("/zaken").status_code == 302
    assert "/inloggen" in thief.get("/zaken").headers["Location"]


def test_an_idle_session_ends_after_the_idle_timeout(app, school, clock):
    user = WebUser(app, TEACHER)
    clock.advance(minutes=29)
    assert user.get("/zaken").status_code == 200
    clock.advance(minutes=29)  # active 29 minutes ago: still open
    assert user.get("/zaken").status_code == 200
    clock.advance(minutes=31)
    assert user.get("/zaken").status_code == 302


def test_an_active_session_ends_after_the_absolute_lifetime(app, school, clock):
    user = WebUser(app, TEACHER)
    for _ in range(12 * 3 - 1):  # active every 20 minutes, for 11 h 40
        clock.advance(minutes=20)
        assert user.get("/zaken").status_code == 200
    clock.advance(minutes=21)
    assert user.get("/zaken").status_code == 302


def test_the_timeouts_are_configurable(database_url, clock, school):
    from tests.conftest import TEST_PASSWORD_HASH_PARAMETERS
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "CLOCK": clock, "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH_PARAMETERS,
                      "SESSION_IDLE_TIMEOUT": 5, "SESSION_MAX_AGE": 1})
    try:
        user = WebUser(app, TEACHER)
        clock.advance(minutes=6)
        assert user.get("/zaken").status_code == 302
    finally:
        get_database(app).dispose()


def test_a_user_sees_and_ends_their_other_sessions(app, school, session):
    laptop = WebUser(app, TEACHER)
    phone = WebUser(app, TEACHER)
    page = laptop.get("/sessies")
    assert page.status_code == 200 and "Mijn sessies" in page.text and "deze sessie" in page.text
    assert page.text.count("Beëindigen") == 2
    laptop.post("/sessies/beeindigen", {"alle_andere": "ja"}, token_from="/sessies")
    assert phone.get("/zaken").status_code == 302
    assert laptop.get("/zaken").status_code == 200


def test_a_user_cannot_end_someone_elses_session(app, school, session):
    WebUser(app, DIRECTOR)
    director_session = session.scalar(select(UserSession).where(
        UserSession.user_id == school.users[Role.DIRECTEUR]))
    teacher = WebUser(app, TEACHER)
    response = teacher.post("/sessies/beeindigen", {"sessie": str(director_session.id)},
                            token_from="/sessies")
    assert response.status_code == 404
    session.refresh(director_session)
    assert director_session.ended_at is None


def test_a_beheerder_ends_a_users_sessions(app, school, session):
    teacher = WebUser(app, TEACHER)
    admin = WebUser(app, "beheer@testschool.test")
    response = admin.post(f"/gebruikers/{school.users[Role.LEERKRACHT]}/sessies-beeindigen",
                          token_from="/sessies")
    assert response.status_code == 302
    assert teacher.get("/zaken").status_code == 302
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.sessions_ended"))


def test_a_beheerder_of_another_school_cannot(app, school, session, services):
    setup_school(session, services, "basismodel_2019", slug="andereschool")
    teacher = WebUser(app, TEACHER)
    admin = WebUser(app, "beheer@andereschool.test")
    response = admin.post(f"/gebruikers/{school.users[Role.LEERKRACHT]}/sessies-beeindigen",
                          token_from="/sessies")
    assert response.status_code == 404
    assert teacher.get("/zaken").status_code == 200
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.refused"))


def test_a_password_change_and_a_removed_membership_end_the_sessions(app, school, session, services):
    teacher = WebUser(app, TEACHER)
    director = WebUser(app, DIRECTOR)
    server_sessions.change_password(session, school.users[Role.LEERKRACHT], "een-nieuw-wachtwoord",
                                    services.now())
    session.commit()
    assert teacher.get("/zaken").status_code == 302
    assert teacher.login(TEACHER, "een-nieuw-wachtwoord").status_code == 302
    server_sessions.remove_membership(session, school.users[Role.DIRECTEUR], school.school.id,
                                      Role.DIRECTEUR, services.now())
    session.commit()
    assert director.get("/zaken").status_code == 302


# -- 3: enumeration --------------------------------------------------------------------------------

def _timed_login(user: WebUser, email: str) -> tuple[float, str]:
    token = user.csrf_token("/inloggen")
    started = time.perf_counter()
    response = user.client.post("/inloggen", data={"email": email, "wachtwoord": "fout",
                                                   "csrf_token": token})
    return time.perf_counter() - started, response.text


def test_unknown_and_known_accounts_take_the_same_work_and_answer(app, school, monkeypatch):
    from webapp.auth import login as login_module
    verified = []
    real_verify = login_module.verify_password
    monkeypatch.setattr(login_module, "verify_password",
                        lambda h, p: verified.append(h) or real_verify(h, p))
    user = WebUser(app)
    _, known = _timed_login(user, TEACHER)
    _, unknown = _timed_login(user, "niemand@testschool.test")
    assert len(verified) == 2, "a password hash is verified for an unknown account too"
    def normalised(page: str, email: str) -> str:  # the CSRF token carries a timestamp
        return re.sub(r'name="csrf_token" value="[^"]+"', "", page).replace(email, "…")
    assert normalised(known, TEACHER) == normalised(unknown, "niemand@testschool.test")


def test_the_throttle_message_appears_for_unknown_accounts_too(app, school):
    for email in (TEACHER, "niemand@testschool.test"):
        user = WebUser(app)
        answers = [user.login(email, "fout").text for _ in range(5)]
        assert "Te veel mislukte pogingen" in answers[-1], email


def test_failed_logins_keep_a_hash_of_the_typed_address(app, school, session):
    WebUser(app).login("mijn-wachtwoord-per-ongeluk", "fout")
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.login_failed"))
    assert "mijn-wachtwoord-per-ongeluk" not in str(entry.detail)
    assert entry.detail["email_hash"] == email_fingerprint("mijn-wachtwoord-per-ongeluk")


# -- 4: throttling ---------------------------------------------------------------------------------

def test_failures_slow_an_account_down_with_growing_delays_but_never_lock_it(app, school, clock):
    attacker = WebUser(app)
    attacker.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(4):
        attacker.login(DIRECTOR, "fout")
    assert "over 1 seconde" in attacker.login(DIRECTOR, "fout").text
    clock.advance(seconds=1)
    attacker.login(DIRECTOR, "fout")
    assert "over 2 seconden" in attacker.login(DIRECTOR, "fout").text
    for _ in range(20):  # an attacker keeps trying, waiting out every delay
        clock.advance(seconds=31)
        attacker.login(DIRECTOR, "fout")
    clock.advance(seconds=31)
    # the account's delay is capped: the director gets in after at most half a minute
    assert WebUser(app).login(DIRECTOR, TEST_PASSWORD).status_code == 302


def test_one_address_is_throttled_across_accounts(app, school, clock):
    attacker = WebUser(app)
    for number in range(11):
        attacker.login(f"gok{number}@testschool.test", "fout")
    assert "Te veel mislukte pogingen" in attacker.login("gok-nieuw@testschool.test", "fout").text


def test_throttling_is_shared_by_two_app_instances(app, database_url, clock, school):
    from tests.conftest import TEST_PASSWORD_HASH_PARAMETERS
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                        "CLOCK": clock, "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH_PARAMETERS})
    try:
        for _ in range(2):
            WebUser(app).login(DIRECTOR, "fout")
            WebUser(other).login(DIRECTOR, "fout")
        assert "Te veel mislukte pogingen" in WebUser(app).login(DIRECTOR, "fout").text
        assert "Te veel mislukte pogingen" in WebUser(other).login(DIRECTOR, TEST_PASSWORD).text
    finally:
        get_database(other).dispose()


def test_the_api_answers_429_with_the_same_text(app, school):
    from tests.support.api import ApiUser
    api = ApiUser(app)
    for _ in range(4):
        api.post("/api/v1/sessie", {"email": DIRECTOR, "wachtwoord": "fout"})
    response = api.post("/api/v1/sessie", {"email": DIRECTOR, "wachtwoord": TEST_PASSWORD})
    assert response.status_code == 429
