"""Issue 14: a draft over the configured size is refused with a clear Dutch error, on the page and
through the API, and nothing of what was stored before is lost."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from tests.support.web import WebUser
from tests.support.world import EMAILS, IB
from webapp.cases.models import CaseTask
from webapp.services import EXTENSION_KEY, build_services

LIMIT_KB = 4


@pytest.fixture
def small_limit(app, services):
    app.extensions[EXTENSION_KEY] = dataclasses.replace(services, draft_max_bytes=LIMIT_KB * 1024)


def _stored_draft(session, task_id: int):
    session.expire_all()
    return session.scalar(select(CaseTask.draft).where(CaseTask.id == task_id))


def test_the_limit_is_a_setting(app):
    assert build_services({**app.config, "DRAFT_MAX_KB": 7}).draft_max_bytes == 7 * 1024
    assert build_services(app.config).draft_max_bytes == 256 * 1024  # the default


def test_the_page_refuses_a_too_large_draft_and_keeps_the_stored_one(app, world, session, small_limit):
    user = WebUser(app, EMAILS[IB])
    path = f"/taken/{world.task_id}"
    saved = user.post(path, {"actie": "opslaan", "afspraken_fase1": "Eerste afspraken"}, token_from=path)
    assert saved.status_code == 303
    assert _stored_draft(session, world.task_id)["afspraken_fase1"] == "Eerste afspraken"
    long_text = "Lange notitie over de afspraken. " * 200  # ≈ 6.6 kB
    refused = user.post(path, {"actie": "opslaan", "afspraken_fase1": long_text}, token_from=path)
    assert refused.status_code == 413
    assert "Het concept is te groot om op te slaan" in refused.text and "maximaal 4 kB" in refused.text
    assert "Lange notitie over de afspraken." in refused.text  # what was typed is still on the page
    assert _stored_draft(session, world.task_id)["afspraken_fase1"] == "Eerste afspraken"


def test_the_api_refuses_a_too_large_draft_with_413(app, world, session, small_limit):
    from tests.support.api import ApiUser
    api = ApiUser(app, EMAILS[IB])
    path = f"/api/v1/taken/{world.task_id}/concept"
    assert api.put(path, {"waarden": {"afspraken_fase1": "Eerste afspraken"}}).status_code == 200
    refused = api.put(path, {"waarden": {"afspraken_fase1": "日本語の報告" * 400}})  # 7.2 kB in UTF-8
    assert refused.status_code == 413 and "te groot" in refused.get_json()["fout"]
    assert _stored_draft(session, world.task_id) == {"afspraken_fase1": "Eerste afspraken"}
    within = api.put(path, {"waarden": {"afspraken_fase1": "kort" * 100}})
    assert within.status_code == 200
