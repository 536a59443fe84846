"""Issue 14, a user changes their own password: the current one is required, the policy applies,
and the user's other sessions end while this one stays."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.scenario import TEST_PASSWORD, setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.auth.models import User

TEACHER = "leerkracht@testschool.test"
NEW_PASSWORD = "korenbloem-vijver-zaterdag"


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def _change(user: WebUser, current: str, new: str, repeated: str | None = None):
    return user.post("/wachtwoord-wijzigen", {"huidig": current, "nieuw": new,
                                              "herhaling": new if repeated is None else repeated},
                     token_from="/wachtwoord-wijzigen")


def _hash(session) -> str:
    session.expire_all()
    return session.scalar(select(User.password_hash).where(User.email == TEACHER))


def test_the_menu_links_to_it(app, school):
    page = WebUser(app, TEACHER).get("/taken")
    assert 'href="/wachtwoord-wijzigen"' in page.text


@pytest.mark.parametrize("current, new, repeated, reason", [
    ("fout-wachtwoord", NEW_PASSWORD, None, "huidige wachtwoord klopt niet"),
    (TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "niet gelijk"),
    (TEST_PASSWORD, "kort", None, "minstens 12 tekens"),
    (TEST_PASSWORD, "Wachtwoord2026!", None, "te makkelijk te raden"),
    (TEST_PASSWORD, "LotteLeerkracht1", None, "te makkelijk te raden"),  # the user's own name
])
def test_refused_changes_say_why_and_change_nothing(app, school, session, current, new, repeated, reason):
    user = WebUser(app, TEACHER)
    before = _hash(session)
    response = _change(user, current, new, repeated)
    assert response.status_code == 422 and reason in response.text
    assert _hash(session) == before
    assert user.get("/zaken").status_code == 200  # still logged in


def test_a_change_keeps_this_session_and_ends_the_others(app, school, session):
    here, elsewhere = WebUser(app, TEACHER), WebUser(app, TEACHER)
    response = _change(here, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert here.get("/zaken").status_code == 200
    assert elsewhere.get("/zaken").status_code == 302
    assert WebUser(app).login(TEACHER, TEST_PASSWORD).status_code == 401
    assert WebUser(app).login(TEACHER, NEW_PASSWORD).status_code == 302
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.password_changed"))


def test_guessing_the_current_password_is_throttled(app, school, session):
    user = WebUser(app, TEACHER)
    for _ in range(4):
        _change(user, "fout-wachtwoord", NEW_PASSWORD)
    response = _change(user, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 422 and "Te veel mislukte pogingen" in response.text
