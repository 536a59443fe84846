"""The per-case lock that serialises every change to one case, on SQLite and PostgreSQL.

Taking the lock is an UPDATE of the case row, issued as the first statement of the transaction:
PostgreSQL holds the row lock until commit, and SQLite grants its single write lock to one
transaction at a time (the driver only opens a transaction at the first write, so that UPDATE
also fixes the read snapshot *after* the lock is held). Whatever the second transaction then
reads already contains the first one's committed result — e.g. that a task is done.

Workers ask not to wait (`skip_locked`): on PostgreSQL a case someone else is changing is
skipped (`FOR NO KEY UPDATE SKIP LOCKED`) and tried later; SQLite has one writer, so it waits.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.cases.errors import CaseBusy, CaseNotFound
from webapp.cases.models import Case


def lock_case(session: Session, case_id: int, *, skip_locked: bool = False) -> Case:
    if skip_locked and session.get_bind().dialect.name == "postgresql":
        held = session.scalar(select(Case.id).where(Case.id == case_id)
                              .with_for_update(skip_locked=True, key_share=True))
        if held is None:
            if session.scalar(select(Case.id).where(Case.id == case_id)) is None:
                raise CaseNotFound(case_id)
            raise CaseBusy(case_id)
    # RETURNING hands back the locked row in the same round trip (SQLite ≥ 3.35, PostgreSQL).
    case = session.scalars(
        update(Case)
        .where(Case.id == case_id)
        .values(lock_version=Case.lock_version + 1)
        .returning(Case)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).one_or_none()
    if case is None:
        raise CaseNotFound(case_id)
    return case
