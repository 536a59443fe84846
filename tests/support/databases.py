"""Which database backends the tests run on, and the mark for tests that need PostgreSQL itself.

Every database test runs on SQLite; with TEST_DATABASE_URL set, on PostgreSQL as well. A test
that only means something on PostgreSQL (row locks with SKIP LOCKED, several processes) is
marked `postgresql_only`: without a server it shows as skipped, with the reason, instead of
silently not existing.
"""
from __future__ import annotations

import os

import pytest

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])

NO_POSTGRESQL = "needs PostgreSQL: set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)"

postgresql_only = pytest.mark.parametrize(
    "database_url",
    [pytest.param("postgresql", marks=() if TEST_DATABASE_URL else pytest.mark.skip(reason=NO_POSTGRESQL))],
    indirect=True,
)
