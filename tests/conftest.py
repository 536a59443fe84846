"""A fresh app and database for every test, on SQLite and — when reachable — PostgreSQL.

Set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run every database
test a second time on PostgreSQL. Each test run migrates its own PostgreSQL schema once (with
Alembic, like production) and empties it between tests; SQLite tests copy a migrated template.
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.databases import BACKENDS, TEST_DATABASE_URL
from webapp.app import create_app
from webapp.clock import SCHOOL_TIMEZONE, MovableClock
from webapp.db import get_database
from webapp.migrations import upgrade_database
from webapp.models import Base
from webapp.services import get_services

# A Monday during school term, far from holidays: tests that need others move the clock.
START_OF_TESTS = datetime(2026, 3, 2, 9, 0, tzinfo=SCHOOL_TIMEZONE)

# Real Argon2id, at a cost fit for hundreds of logins per test run (production keeps the defaults).
TEST_PASSWORD_HASH_PARAMETERS = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}


def psycopg_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    template = tmp_path_factory.mktemp("db") / "template.db"
    upgrade_database(f"sqlite:///{template}")
    return template


@pytest.fixture(scope="session")
def postgres_schema_url():
    if not TEST_DATABASE_URL:
        yield None
        return
    base_url = psycopg_url(TEST_DATABASE_URL)
    schema = f"meldroute_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}options=-csearch_path%3D{schema}"
    upgrade_database(url)
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, sqlite_template, postgres_schema_url) -> str:
    if request.param == "sqlite":
        target = tmp_path / "meldroute.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    _empty_postgres(postgres_schema_url)
    return postgres_schema_url


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(START_OF_TESTS)


@pytest.fixture
def app(database_url, clock, tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "CLOCK": clock,
        "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH_PARAMETERS,
    })
    yield app
    get_database(app).dispose()


@pytest.fixture
def services(app):
    return get_services(app)


@pytest.fixture
def database(app):
    return get_database(app)


@pytest.fixture
def session(database):
    with database.session() as session:
        yield session
