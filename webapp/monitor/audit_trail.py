"""A case's audit trail as the director reads it: who saw or changed what, and when.

Filterable by what was done (the action's first part: `case`, `task`, `attachment` …), by who
and by period; exportable as CSV (UTF-8 with BOM, `;`). The entries are read from `audit_log`
through its (case_id, at) index; reading them is itself recorded.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.audit.models import AuditEntry
from webapp.auth.models import User
from webapp.clock import as_school_time

PAGE_LIMIT = 1000


@dataclass(frozen=True)
class AuditFilters:
    kind: str = ""  # the part of the action before the dot
    user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str
    action: str
    detail: str
    remote_addr: str


@dataclass(frozen=True)
class AuditTrail:
    lines: list[AuditLine]
    total: int
    kinds: list[str]
    users: list[tuple[int, str]]


def read_audit_trail(session: Session, case_id: int, filters: AuditFilters) -> AuditTrail:
    where = [AuditEntry.case_id == case_id]
    if filters.kind:
        where.append(AuditEntry.action.startswith(f"{filters.kind}.", autoescape=True))
    if filters.user_id is not None:
        where.append(AuditEntry.user_id == filters.user_id)
    if filters.since is not None:
        where.append(AuditEntry.at >= filters.since)
    if filters.until is not None:
        where.append(AuditEntry.at < filters.until)
    rows = session.execute(
        select(AuditEntry, User.display_name).outerjoin(User, User.id == AuditEntry.user_id)
        .where(*where).order_by(AuditEntry.at, AuditEntry.id).limit(PAGE_LIMIT))
    lines = [AuditLine(entry.at, name or "systeem (worker)", entry.action,
                       json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else "",
                       entry.remote_addr or "")
             for entry, name in rows]
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id).distinct())
    users = session.execute(
        select(User.id, User.display_name).where(User.id.in_(
            select(AuditEntry.user_id).where(AuditEntry.case_id == case_id))).order_by(User.display_name))
    return AuditTrail(lines, total, sorted({a.split(".")[0] for a in actions}), [tuple(u) for u in users])


def audit_csv(trail: AuditTrail) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Tijdstip", "Wie", "Actie", "Details", "Adres"])
    for line in trail.lines:
        writer.writerow([as_school_time(line.at).strftime("%d-%m-%Y %H:%M:%S"), line.who, line.action,
                         line.detail, line.remote_addr])
    return out.getvalue().encode("utf-8-sig")
