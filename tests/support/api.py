"""A JSON API client for tests: logs in through /api/v1/sessie, sends the CSRF header, and checks
every answer against the app's own OpenAPI document."""
from __future__ import annotations

import re

from openapi_schema_validator import OAS31Validator, oas31_format_checker

from tests.support.scenario import TEST_PASSWORD

_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


class ApiUser:
    def __init__(self, app, email: str | None = None, *, check_against_openapi: bool = True):
        self.client = app.test_client()
        self.check = check_against_openapi
        self._document = None
        self.csrf_token = self.client.get("/api/v1/sessie").get_json()["csrf_token"]
        if email:
            response = self.login(email)
            assert response.status_code == 200, response.get_json()

    def login(self, email: str, password: str = TEST_PASSWORD):
        response = self.post("/api/v1/sessie", {"email": email, "wachtwoord": password})
        if response.status_code == 200:
            self.csrf_token = response.get_json()["csrf_token"]  # a new session has a new token
        return response

    @property
    def document(self) -> dict:
        if self._document is None:
            self._document = self.client.get("/api/v1/openapi.json").get_json()
        return self._document

    def request(self, method: str, path: str, body=None, *, raw: bytes | str | None = None,
                content_type: str = "application/json", csrf: bool = True, files: dict | None = None, **kwargs):
        headers = {"X-CSRFToken": self.csrf_token} if csrf and method != "GET" else {}
        if files is not None:  # multipart/form-data: {field: (stream, filename, content type)}
            response = self.client.open(path, method=method, data=files, headers=headers, **kwargs)
        elif raw is not None:
            response = self.client.open(path, method=method, data=raw, content_type=content_type,
                                        headers=headers, **kwargs)
        elif body is not None:
            response = self.client.open(path, method=method, json=body, headers=headers, **kwargs)
        else:
            response = self.client.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code < 500, response.text[:2000]
        if self.check:
            assert_matches_openapi(self.document, method, path, response)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


def _template_for(document: dict, path: str) -> str:
    path = path.split("?", 1)[0]
    for template in document["paths"]:
        pattern = "^" + _PATH_PARAMETER.sub(r"[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


def assert_matches_openapi(document: dict, method: str, path: str, response) -> None:
    """The response's status is documented for this operation and its body fits the schema."""
    operation = document["paths"][_template_for(document, path)][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {path}: status {response.status_code} is not documented"
    if "application/octet-stream" in documented["content"]:
        assert response.mimetype != "application/json", f"{method} {path}: a file was documented, JSON came"
        return
    assert response.mimetype == "application/json", f"{method} {path}: {response.mimetype}"
    schema = documented["content"]["application/json"]["schema"]
    # The schema's $refs point into the document's components; give it a root that holds them.
    validator = OAS31Validator({**schema, "components": document["components"]},
                               format_checker=oas31_format_checker)
    errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.path))
    assert not errors, f"{method} {path} → {response.status_code}: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors[:5])
