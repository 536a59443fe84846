"""Which database backends the tests run on, and the mark for tests that need PostgreSQL itself.

Every database test runs on SQLite; with TEST_DATABASE_URL set, on PostgreSQL as well. A test
that only means something on PostgreSQL (row locks with SKIP LOCKED, several processes) is
marked `postgresql_only`: without a server it shows as skipped, with the reason, instead of
silently not existing.
"""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import create_engine, select, text

from webapp.models import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])

NO_POSTGRESQL = "needs PostgreSQL: set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)"

postgresql_only = pytest.mark.parametrize(
    "database_url",
    [pytest.param("postgresql", marks=() if TEST_DATABASE_URL else pytest.mark.skip(reason=NO_POSTGRESQL))],
    indirect=True,
)


# -- snapshots: build an expensive test world once, give each test its own copy ---------------


def snapshot_database(url: str):
    """Everything in the database now, to restore into a fresh database before each test.

    SQLite: a copy of the file made with SQLite's backup API (safe with WAL). PostgreSQL: every
    row of every table, and where each id sequence stands."""
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(":memory:")
        source.backup(copy)
        source.close()
        return copy
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = {table.name: [dict(row._mapping) for row in connection.execute(select(table))]
                for table in Base.metadata.sorted_tables}
    engine.dispose()
    return rows


def restore_database(snapshot, url: str) -> None:
    if url.startswith("sqlite"):
        target = sqlite3.connect(_sqlite_path(url))
        snapshot.backup(target)
        target.close()
        return
    engine = create_engine(url)
    tables = Base.metadata.sorted_tables
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE"))
        # Rows go back as they were, circular references (a route and its published version)
        # included: foreign-key triggers are off for this transaction only.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            if snapshot[table.name]:
                connection.execute(table.insert(), snapshot[table.name])
            if "id" in table.c and snapshot[table.name]:
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                        f"{max(r['id'] for r in snapshot[table.name])})"))
    engine.dispose()


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")
