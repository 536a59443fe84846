"""Issue 14, "Wachtwoord vergeten": a one-time, expiring mailed link; the same answer for known
and unknown addresses; only the token's hash kept; throttled like logins."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from tests.support.databases import postgresql_only
from tests.support.scenario import TEST_PASSWORD, setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.auth.models import PasswordLink, User
from webapp.auth.password_links import LINK_GONE, redeem
from webapp.auth.throttle import email_fingerprint
from webapp.notifications.models import OutboxMail

TEACHER = "leerkracht@testschool.test"
UNKNOWN = "niemand@testschool.test"
NEW_PASSWORD = "korenbloem-vijver-zaterdag"
PUBLIC_URL = "https://meldroute.voorbeeld.nl"


@pytest.fixture
def school(session, services, app):
    app.config["PUBLIC_URL"] = PUBLIC_URL
    return setup_school(session, services, "basismodel_2019")


def _ask(app, email: str):
    user = WebUser(app)
    return user.post("/wachtwoord-vergeten", {"email": email}, token_from="/wachtwoord-vergeten")


def _mails(session, to: str) -> list[OutboxMail]:
    session.expire_all()
    return session.scalars(select(OutboxMail).where(OutboxMail.to_address == to).order_by(OutboxMail.id)).all()


def _link_path(mail: OutboxMail) -> str:
    match = re.search(re.escape(PUBLIC_URL) + r"(/wachtwoord-instellen/[A-Za-z0-9_-]+)", mail.body)
    assert match, mail.body
    return match.group(1)


def _set(app, path: str, password: str = NEW_PASSWORD, repeated: str | None = None):
    user = WebUser(app)
    return user.post(path, {"nieuw": password, "herhaling": password if repeated is None else repeated},
                     token_from="/wachtwoord-vergeten")


def test_the_login_page_links_to_it(app, school):
    assert 'href="/wachtwoord-vergeten"' in WebUser(app).get("/inloggen").text


def test_known_and_unknown_addresses_get_the_same_answer(app, school, session):
    known, unknown = _ask(app, TEACHER), _ask(app, UNKNOWN)
    assert known.status_code == unknown.status_code == 200
    def normalised(page: str) -> str:  # the CSRF token carries a timestamp
        return re.sub(r'name="csrf_token" value="[^"]+"', "", page)
    assert normalised(known.text) == normalised(unknown.text)
    assert "Als dit e-mailadres bij Meldroute bekend is" in known.text
    assert len(_mails(session, TEACHER)) == 1 and _mails(session, UNKNOWN) == []
    audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.reset_requested")).all()
    assert sorted(entry.detail["email_hash"] for entry in audited) == sorted(
        [email_fingerprint(TEACHER), email_fingerprint(UNKNOWN)])
    assert UNKNOWN not in str([entry.detail for entry in audited])


def test_the_mail_links_to_the_public_url_and_only_a_hash_is_kept(app, school, session):
    _ask(app, TEACHER)
    mail = _mails(session, TEACHER)[0]
    token = _link_path(mail).rsplit("/", 1)[1]
    assert mail.body.startswith("Beste Lotte Leerkracht")
    stored = session.scalar(select(PasswordLink))
    assert stored.token_hash != token and token not in stored.token_hash
    assert "Leerling" not in mail.subject and "Sam" not in mail.body


def test_a_link_works_once_and_ends_every_session(app, school, session):
    logged_in = WebUser(app, TEACHER)
    _ask(app, TEACHER)
    path = _link_path(_mails(session, TEACHER)[0])
    assert WebUser(app).get(path).status_code == 200
    done = _set(app, path)
    assert done.status_code == 302 and "/inloggen" in done.headers["Location"]
    assert logged_in.get("/zaken").status_code == 302  # the session that knew the old password ended
    assert WebUser(app).login(TEACHER, TEST_PASSWORD).status_code == 401
    assert WebUser(app).login(TEACHER, NEW_PASSWORD).status_code == 302
    again = _set(app, path, "een-ander-sterk-wachtwoord-9")
    assert again.status_code == 410 and "werkt niet (meer)" in again.text
    assert WebUser(app).login(TEACHER, NEW_PASSWORD).status_code == 302
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.password_set_by_link"))


def test_a_link_expires(app, school, session, clock):
    _ask(app, TEACHER)
    path = _link_path(_mails(session, TEACHER)[0])
    clock.advance(minutes=59)
    assert WebUser(app).get(path).status_code == 200
    clock.advance(minutes=2)
    assert WebUser(app).get(path).status_code == 410
    assert _set(app, path).status_code == 410
    assert WebUser(app).login(TEACHER, TEST_PASSWORD).status_code == 302


def test_the_lifetime_is_configurable(app, school, session, clock):
    app.config["PASSWORD_RESET_MINUTES"] = 10
    _ask(app, TEACHER)
    path = _link_path(_mails(session, TEACHER)[0])
    assert "10 minuten" in _mails(session, TEACHER)[0].body
    clock.advance(minutes=11)
    assert WebUser(app).get(path).status_code == 410


def test_a_newer_link_replaces_the_older(app, school, session, clock):
    _ask(app, TEACHER)
    _ask(app, TEACHER)
    first, second = (_link_path(mail) for mail in _mails(session, TEACHER))
    assert WebUser(app).get(first).status_code == 410
    assert WebUser(app).get(second).status_code == 200


def test_the_policy_applies_and_a_refused_password_leaves_the_link_usable(app, school, session):
    _ask(app, TEACHER)
    path = _link_path(_mails(session, TEACHER)[0])
    weak = _set(app, path, "Wachtwoord2026!")
    assert weak.status_code == 422 and "te makkelijk te raden" in weak.text
    mismatch = _set(app, path, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.status_code == 422 and "niet gelijk" in mismatch.text
    assert _set(app, path).status_code == 302


def test_an_inactive_account_gets_no_link(app, school, session):
    session.scalar(select(User).where(User.email == TEACHER)).active = False
    session.commit()
    assert _ask(app, TEACHER).status_code == 200
    assert _mails(session, TEACHER) == []


@pytest.mark.parametrize("email", [TEACHER, UNKNOWN])
def test_requests_are_throttled_for_known_and_unknown_addresses_alike(app, school, session, email):
    answers = [_ask(app, email) for _ in range(5)]
    assert answers[-1].status_code == 429 and "Te veel aanvragen" in answers[-1].text
    assert len(_mails(session, email)) == (4 if email == TEACHER else 0)
    # the login is not slowed down by someone asking for links
    if email == TEACHER:
        assert WebUser(app).login(TEACHER, TEST_PASSWORD).status_code == 302


def test_odd_tokens_are_refused_calmly(app, school):
    for token in ("x" * 500, "%00", "..", "ongeldig"):
        assert WebUser(app).get(f"/wachtwoord-instellen/{token}").status_code in (404, 410)


@postgresql_only
def test_two_requests_using_one_link_at_once_set_one_password(app, school, session, database):
    _ask(app, TEACHER)
    token = _link_path(_mails(session, TEACHER)[0]).rsplit("/", 1)[1]
    now = app.extensions["meldroute.services"].now()
    outcome = {}
    with database.session() as first, database.session() as second, app.app_context():
        user, problem = redeem(first, token, NEW_PASSWORD, NEW_PASSWORD, now)
        assert user is not None and problem is None
        racer = threading.Thread(target=lambda: outcome.update(
            answer=_redeem_in_context(app, second, token, "een-ander-sterk-wachtwoord-9", now)))
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive(), "the second request waits for the first one's lock"
        first.commit()
        racer.join(timeout=10)
        second.rollback()
    assert outcome["answer"] == (None, LINK_GONE)
    assert WebUser(app).login(TEACHER, NEW_PASSWORD).status_code == 302


def _redeem_in_context(app, db, token, password, now):
    with app.app_context():
        return redeem(db, token, password, password, now)
