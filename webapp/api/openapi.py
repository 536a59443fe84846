"""The OpenAPI 3.1 document of the JSON API, generated from the app's routes and their schemas.

Every route of the `api` blueprint is described by the `documented(...)` metadata on its view
and the marshmallow schemas it loads and dumps, so the document cannot drift from the code.
"""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from webapp.api.schemas import ErrorSchema

# A response that is a file (an attachment download), not JSON.
BINARY = "binary"

_PATH_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
STATE_CHANGING = frozenset({"post", "put", "patch", "delete"})
STATUS_TEXTS = {200: "OK", 201: "Aangemaakt", 400: "Ongeldig verzoek (geen JSON, of CSRF-token ontbreekt)",
                401: "Niet ingelogd", 403: "Geen toestemming", 404: "Niet gevonden (of geen toegang)",
                409: "Al gebeurd", 413: "Bestand te groot", 422: "Ongeldige invoer", 429: "Te veel mislukte pogingen"}


def openapi_document(app: Flask) -> dict:
    """Built on each request (a few milliseconds): nothing kept between requests."""
    spec = APISpec(
        title="Meldroute API", version="1", openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": (
            "De meldcode als JSON-API: taken, formulieren, zaken. Inloggen met POST /api/v1/sessie; "
            "daarna het sessiecookie meesturen, en bij elk verzoek dat iets verandert het CSRF-token "
            "(GET /api/v1/sessie) in de kop X-CSRFToken. Foutmeldingen zijn Nederlands: "
            "`{\"fout\": ...}`, bij ongeldige invoer met `errors` per veld.")},
    )
    spec.components.security_scheme("sessie", {"type": "apiKey", "in": "cookie", "name": "session"})
    spec.components.security_scheme("csrf", {"type": "apiKey", "in": "header", "name": "X-CSRFToken"})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        meta = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if meta is None:
            raise LookupError(f"{rule.endpoint} has no OpenAPI description (use @documented)")
        parameters = [name for _converter, name in _PATH_PARAMETER.findall(rule.rule)]
        operations = {method.lower(): _operation(method.lower(), parameters, meta)
                      for method in sorted(rule.methods - {"HEAD", "OPTIONS"})}
        spec.path(path=_PATH_PARAMETER.sub(r"{\2}", rule.rule), operations=operations)
    return spec.to_dict()


def _operation(method: str, parameters: list[str], meta: dict) -> dict:
    operation: dict = {"summary": meta["summary"], "description": meta["description"], "responses": {}}
    path_parameters = [{"name": name, "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
                       for name in parameters]
    if path_parameters:
        operation["parameters"] = path_parameters
    if meta["query"] is not None:
        operation.setdefault("parameters", []).append({"in": "query", "schema": meta["query"]})
    if meta["body"] is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": meta["body"]}}}
    if meta.get("upload"):
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": [meta["upload"]],
            "properties": {meta["upload"]: {"type": "string", "format": "binary"}}}}}}
    responses = dict(meta["responses"])
    if not meta["public"]:
        responses.setdefault(401, ErrorSchema)
        operation["security"] = [{"sessie": [], "csrf": []} if method in STATE_CHANGING else {"sessie": []}]
    if method in STATE_CHANGING:
        responses.setdefault(400, ErrorSchema)
    for status, schema in sorted(responses.items()):
        if schema == BINARY:
            content = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
        else:
            content = {"application/json": {"schema": schema if schema is not None else {"type": "object"}}}
        operation["responses"][str(status)] = {"description": STATUS_TEXTS.get(status, ""), "content": content}
    return operation
