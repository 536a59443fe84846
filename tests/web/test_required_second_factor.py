"""Issue 14: a beheerder can require TOTP of a school's coordinators and directors. Such a user
without it is led to enrolment after the password login and can do nothing else until enrolled;
teachers are not bound; another school's beheerder cannot set it."""
from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from tests.support.api import ApiUser
from tests.support.scenario import TEST_PASSWORD, setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.schools.models import School

ADMIN = "beheer@testschool.test"
IB = "ib@testschool.test"
DIRECTOR = "directeur@testschool.test"
TEACHER = "leerkracht@testschool.test"


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def _require(app, school_id: int, required: bool = True, admin_email: str = ADMIN):
    return WebUser(app, admin_email).post("/gebruikers/tweestapsverificatie",
                                          {"school": str(school_id), "verplicht": "ja" if required else "nee"},
                                          token_from="/gebruikers" if admin_email == ADMIN else "/taken")


def test_a_coordinator_without_totp_can_only_enrol(app, school, session, clock):
    assert _require(app, school.school.id).status_code == 303
    ib = WebUser(app)
    login = ib.login(IB)
    assert login.status_code == 302  # the password login itself succeeds ...
    for path in ("/taken", "/zaken", "/zaken/nieuw", "/meldingen", "/sessies", "/wachtwoord-wijzigen"):
        response = ib.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/tweestapsverificatie"), path
    refused_post = ib.client.post("/zaken/nieuw", data={"csrf_token": ib.csrf_token("/tweestapsverificatie"),
                                                        "naam": "Sam"})
    assert refused_post.status_code == 302 and "/tweestapsverificatie" in refused_post.headers["Location"]
    page = ib.get("/tweestapsverificatie")
    assert page.status_code == 200 and "vereist tweestapsverificatie" in page.text
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text).group(1)
    enrolled = ib.post("/tweestapsverificatie", {"code": pyotp.TOTP(secret).at(int(clock.now().timestamp()))},
                       token_from="/tweestapsverificatie")
    assert enrolled.status_code == 200 and "herstelcodes" in enrolled.text
    assert ib.get("/zaken").status_code == 200  # enrolled: free to work
    # and it cannot be turned off while the school requires it
    clock.advance(seconds=60)
    off = ib.post("/tweestapsverificatie", {"code": pyotp.TOTP(secret).at(int(clock.now().timestamp()))},
                  token_from="/tweestapsverificatie")
    assert off.status_code == 422 and "niet uitschakelen" in off.text
    assert WebUser(app).login(IB, TEST_PASSWORD).status_code == 401  # a code is needed now


def test_the_api_refuses_until_enrolled(app, school):
    _require(app, school.school.id)
    api = ApiUser(app)
    assert api.post("/api/v1/sessie", {"email": DIRECTOR, "wachtwoord": TEST_PASSWORD}).status_code == 200
    response = api.get("/api/v1/zaken")
    assert response.status_code == 403 and "tweestapsverificatie" in response.get_json()["fout"]


def test_teachers_are_not_bound_and_lifting_it_frees_the_coordinator(app, school):
    _require(app, school.school.id)
    assert WebUser(app, TEACHER).get("/zaken").status_code == 200
    ib = WebUser(app, IB)
    assert ib.get("/zaken").status_code == 302
    _require(app, school.school.id, required=False)
    assert ib.get("/zaken").status_code == 200


def test_only_the_schools_own_beheerder_sets_it(app, school, session, services):
    setup_school(session, services, "basismodel_2019", slug="andereschool")
    other_admin = WebUser(app, "beheer@andereschool.test")
    response = other_admin.post("/gebruikers/tweestapsverificatie",
                                {"school": str(school.school.id), "verplicht": "ja"}, token_from="/gebruikers")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(School, school.school.id).second_factor_required is False
    assert WebUser(app, IB).get("/zaken").status_code == 200
    assert _require(app, school.school.id, admin_email=DIRECTOR).status_code == 403
    _require(app, school.school.id)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "accounts.second_factor_required",
                                                   AuditEntry.school_id == school.school.id))
