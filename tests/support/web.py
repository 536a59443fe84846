"""A browser-less user: logs in through the real login form and posts with the page's CSRF token."""
from __future__ import annotations

import re

from tests.support.scenario import TEST_PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebUser:
    def __init__(self, app, email: str | None = None):
        self.client = app.test_client()
        self.email = email
        if email:
            self.login(email)

    def csrf_token(self, path: str = "/inloggen") -> str:
        page = self.client.get(path)
        match = _TOKEN.search(page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, email: str, password: str = TEST_PASSWORD):
        response = self.client.post("/inloggen", data={
            "email": email, "wachtwoord": password, "csrf_token": self.csrf_token("/inloggen"),
        })
        return response

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, *, token_from: str = "/taken", **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token(token_from))
        return self.client.post(path, data=payload, **kwargs)
