"""Fixtures of the web tests: the access matrix's world, built once per backend and module."""
from __future__ import annotations

import pytest

from tests.support.databases import restore_database, snapshot_database
from tests.support.world import World


@pytest.fixture(scope="module")
def built_worlds() -> dict:
    """Per backend: the world's ids and a snapshot of its database, made by the first test."""
    return {}


@pytest.fixture
def world(built_worlds, database_url, session, services, database) -> World:
    backend = database_url.split(":", 1)[0]
    if backend not in built_worlds:
        built = World.build(session, services, database)
        built_worlds[backend] = (built, snapshot_database(database_url))
        return built
    built, snapshot = built_worlds[backend]
    restore_database(snapshot, database_url)
    return built
