"""The JSON API (/api/v1): the same operations as the HTML pages, for other software.

Authentication is the web session: log in with POST /api/v1/sessie, then send the session
cookie, and for every request that changes something the CSRF token (GET /api/v1/sessie) in
the X-CSRFToken header. The same policy, services, validation and audit trail serve both the
HTML pages and this API; the OpenAPI document is at /api/v1/openapi.json. The blueprint is
`webapp.api.views.blueprint`.
"""
