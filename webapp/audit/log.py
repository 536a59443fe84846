"""Writing the audit trail: who did or saw what, when, on which case, and from where. Append-only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from webapp.audit.actor import Actor, Channel
from webapp.audit.models import AuditEntry


def record_audit(
    session: Session,
    action: str,
    *,
    actor: Actor,
    at: datetime,
    school_id: int | None = None,
    case_id: int | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    if actor.channel is not Channel.WEB:
        # The pages are the ordinary way in; every other channel (API, worker, command line) is named.
        detail = {**(detail or {}), "via": actor.channel.value}
    entry = AuditEntry(
        at=at, user_id=actor.user_id, school_id=school_id, case_id=case_id, action=action,
        detail=detail, remote_addr=actor.remote_addr,
    )
    session.add(entry)
    return entry
