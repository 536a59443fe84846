"""Issue 14, second factor: TOTP enrolment, login with a code or a recovery code, no replay."""
from __future__ import annotations

import re

import pyotp
import pytest

from tests.support.scenario import TEST_PASSWORD, setup_school
from tests.support.web import WebUser

IB = "ib@testschool.test"


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def _code(secret: str, clock, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(clock.now().timestamp()) + 30 * offset_steps)


def _enrol(app, clock) -> tuple[WebUser, str, list[str]]:
    user = WebUser(app, IB)
    page = user.get("/tweestapsverificatie")
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text).group(1)
    wrong = user.post("/tweestapsverificatie", {"code": "000000"}, token_from="/tweestapsverificatie")
    assert wrong.status_code == 422 and "klopt niet" in wrong.text
    done = user.post("/tweestapsverificatie", {"code": _code(secret, clock)}, token_from="/tweestapsverificatie")
    assert done.status_code == 200 and "herstelcodes" in done.text
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.text)
    assert len(codes) == 10
    return user, secret, codes


def _login(app, code: str | None):
    user = WebUser(app)
    data = {"email": IB, "wachtwoord": TEST_PASSWORD, "csrf_token": user.csrf_token("/inloggen")}
    if code is not None:
        data["code"] = code
    return user, user.client.post("/inloggen", data=data)


def test_enrolment_then_login_needs_the_code(app, school, clock):
    _, secret, _ = _enrol(app, clock)
    clock.advance(seconds=60)
    _, without = _login(app, None)
    assert without.status_code == 401 and "wachtwoord of code onjuist" in without.text
    _, wrong = _login(app, "123456")
    assert wrong.status_code == 401
    user, right = _login(app, _code(secret, clock))
    assert right.status_code == 302 and user.get("/zaken").status_code == 200


def test_a_code_works_only_once(app, school, clock):
    _, secret, _ = _enrol(app, clock)
    clock.advance(seconds=60)
    code = _code(secret, clock)
    assert _login(app, code)[1].status_code == 302
    assert _login(app, code)[1].status_code == 401  # replayed


def test_a_recovery_code_works_once_when_the_app_is_lost(app, school, clock):
    _, _, codes = _enrol(app, clock)
    assert _login(app, codes[0])[1].status_code == 302
    assert _login(app, codes[0])[1].status_code == 401
    assert _login(app, codes[1])[1].status_code == 302


def test_enrolling_ends_the_other_sessions(app, school, clock):
    other = WebUser(app, IB)
    _enrol(app, clock)
    assert other.get("/zaken").status_code == 302


def test_the_api_login_takes_the_code_too(app, school, clock):
    from tests.support.api import ApiUser
    _, secret, _ = _enrol(app, clock)
    clock.advance(seconds=60)
    api = ApiUser(app)
    assert api.post("/api/v1/sessie", {"email": IB, "wachtwoord": TEST_PASSWORD}).status_code == 401
    assert api.post("/api/v1/sessie", {"email": IB, "wachtwoord": TEST_PASSWORD,
                                       "code": _code(secret, clock)}).status_code == 200


def test_turning_it_off_needs_a_current_code(app, school, clock):
    user, secret, _ = _enrol(app, clock)
    clock.advance(seconds=60)
    refused = user.post("/tweestapsverificatie", {"code": "000000"}, token_from="/tweestapsverificatie")
    assert refused.status_code == 422
    user.post("/tweestapsverificatie", {"code": _code(secret, clock)}, token_from="/tweestapsverificatie")
    assert _login(app, None)[1].status_code == 302
