"""Issue 14, transport and headers: Secure cookies and HSTS when the public address is https,
trusted proxies for the audit trail's addresses, Permissions-Policy and COOP on every answer."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD_HASH_PARAMETERS
from tests.support.scenario import TEST_PASSWORD, setup_school
from webapp.app import create_app
from webapp.audit.models import AuditEntry
from webapp.db import get_database


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def _app(database_url, clock, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                       "CLOCK": clock, "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH_PARAMETERS, **config})


def _login(client, **kwargs):
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inloggen", **kwargs).text).group(1)
    return client.post("/inloggen", data={"email": "leerkracht@testschool.test", "wachtwoord": TEST_PASSWORD,
                                          "csrf_token": token}, **kwargs)


def test_https_public_url_gives_secure_cookies_and_hsts(database_url, clock, school):
    app = _app(database_url, clock, PUBLIC_URL="https://meldroute.example.nl")
    try:
        client = app.test_client()
        response = _login(client, base_url="https://meldroute.example.nl")
        [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
        assert "Secure" in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        get_database(app).dispose()


def test_plain_http_development_has_neither(app, school):
    response = _login(app.test_client())
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Secure" not in cookie
    assert "Strict-Transport-Security" not in response.headers


def test_every_answer_has_permissions_policy_and_coop(app):
    response = app.test_client().get("/inloggen")
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_behind_a_trusted_proxy_the_audit_trail_has_the_clients_address(database_url, clock, school, session):
    app = _app(database_url, clock, TRUSTED_PROXIES=1)
    try:
        _login(app.test_client(), headers={"X-Forwarded-For": "198.51.100.7"},
               environ_base={"REMOTE_ADDR": "10.0.0.2"})
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.login"))
        assert entry.remote_addr == "198.51.100.7"
    finally:
        get_database(app).dispose()


def test_without_trusted_proxies_a_forwarded_header_is_ignored(app, school, session):
    _login(app.test_client(), headers={"X-Forwarded-For": "198.51.100.7"})
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.login"))
    assert entry.remote_addr == "127.0.0.1"
