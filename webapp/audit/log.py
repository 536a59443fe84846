"""Writing the audit trail: who did or saw what, when, on which case. Append-only."""
from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy.orm import Session

from webapp.audit.models import AuditEntry

API_BLUEPRINT = "api"


def record_audit(
    session: Session,
    action: str,
    *,
    at: datetime,
    user_id: int | None = None,
    school_id: int | None = None,
    case_id: int | None = None,
    detail: dict | None = None,
    remote_addr: str | None = None,
) -> AuditEntry:
    if _handling_an_api_request():
        # Changes made through the API run the same service code as the HTML pages; marking the
        # entry here, where every entry is written, means none of them can forget it.
        detail = {**(detail or {}), "via": "api"}
    entry = AuditEntry(
        at=at, user_id=user_id, school_id=school_id, case_id=case_id, action=action,
        detail=detail, remote_addr=remote_addr,
    )
    session.add(entry)
    return entry


def _handling_an_api_request() -> bool:
    """True inside a request routed to the JSON API; False for HTML pages, the CLI and the timer worker."""
    return has_request_context() and request.blueprint == API_BLUEPRINT
