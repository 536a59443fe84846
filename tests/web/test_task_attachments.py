"""A file field links attachments by id: through the HTML form and the API, only this case's own."""
from __future__ import annotations

import pytest

from tests.support.api import ApiUser
from tests.support.attachments import (
    FILE_FIELD_TASK,
    attach_instrument,
    cases_at_the_signaleringsinstrument,
)
from tests.support.web import WebUser
from webapp.cases.models import CaseTask, TaskStatus

FOREIGN = "Deze bijlage hoort niet bij deze zaak."


@pytest.fixture
def world(session, services, database):
    """Two cases at the IB'er's signaleringsinstrument (its form has a file field), each with a file."""
    return [(scenario.task(FILE_FIELD_TASK).id, attach_instrument(session, services, scenario))
            for scenario in cases_at_the_signaleringsinstrument(session, services, database)]


FORM_POST = {"instrument": "signaleringslijst", "ingevuld_met_leerkracht": "ja",
             "uitkomst_instrument": "Geen zorgen gebleken", "uitkomst_stap1": "geen_zorgen"}
API_VALUES = {**FORM_POST, "ingevuld_met_leerkracht": True}


def _unchanged(session, task_id) -> bool:
    session.expire_all()
    task = session.get(CaseTask, task_id)
    return task.status == TaskStatus.OPEN and task.draft is None


@pytest.mark.parametrize("action", ["afronden", "opslaan"])
def test_html_form_refuses_another_cases_attachment(app, world, session, action):
    (task_id, _), (_, other_file) = world
    page = WebUser(app, "ib@testschool.test")
    response = page.post(f"/taken/{task_id}", {**FORM_POST, "ingevuld_instrument": str(other_file),
                                                "actie": action}, token_from=f"/taken/{task_id}")
    assert response.status_code == 422 and FOREIGN in response.text
    assert _unchanged(session, task_id)


def test_html_form_links_the_cases_own_attachment(app, world, session):
    (task_id, own_file), _ = world
    page = WebUser(app, "ib@testschool.test")
    response = page.post(f"/taken/{task_id}", {**FORM_POST, "ingevuld_instrument": str(own_file),
                                                "actie": "afronden"}, token_from=f"/taken/{task_id}")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(CaseTask, task_id).data["ingevuld_instrument"] == [own_file]


@pytest.mark.parametrize("method, suffix", [("POST", "afronden"), ("PUT", "concept")])
def test_api_refuses_another_cases_attachment(app, world, session, method, suffix):
    (task_id, _), (_, other_file) = world
    api = ApiUser(app, "ib@testschool.test")
    response = api.request(method, f"/api/v1/taken/{task_id}/{suffix}",
                           {"waarden": {**API_VALUES, "ingevuld_instrument": [other_file]}})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"ingevuld_instrument": [FOREIGN]}
    assert _unchanged(session, task_id)


def test_api_links_the_cases_own_attachment(app, world, session):
    (task_id, own_file), _ = world
    api = ApiUser(app, "ib@testschool.test")
    response = api.post(f"/api/v1/taken/{task_id}/afronden",
                        {"waarden": {**API_VALUES, "ingevuld_instrument": [own_file]}})
    assert response.status_code == 200
    session.expire_all()
    assert session.get(CaseTask, task_id).data["ingevuld_instrument"] == [own_file]
