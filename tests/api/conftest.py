"""Fixtures of the API tests: a basismodel school, and its teacher and coordinator as API clients."""
from __future__ import annotations

import pytest

from tests.support.api import ApiUser
from tests.support.scenario import setup_school


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


@pytest.fixture
def teacher(app, school):
    return ApiUser(app, "leerkracht@testschool.test")


@pytest.fixture
def coordinator(app, school):
    return ApiUser(app, "ib@testschool.test")
