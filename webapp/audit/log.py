"""Writing the audit trail: who did or saw what, when, on which case. Append-only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from webapp.audit.models import AuditEntry


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
    entry = AuditEntry(
        at=at, user_id=user_id, school_id=school_id, case_id=case_id, action=action,
        detail=detail, remote_addr=remote_addr,
    )
    session.add(entry)
    return entry
