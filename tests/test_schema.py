"""The Alembic migrations build exactly the schema the models describe; the audit log is append-only."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from webapp.audit.actor import Actor
from webapp.audit.log import record_audit
from webapp.clock import SystemClock
from webapp.models import Base


def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_audit_log_refuses_update_and_delete(session):
    record_audit(session, "test.action", actor=Actor.worker(), at=SystemClock().now(), detail={"x": 1})
    session.commit()
    for statement in ("UPDATE audit_log SET action = 'vervalst'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.execute(text("SELECT action FROM audit_log")).scalar_one() == "test.action"
