"""Diagrams become immutable versions; a refused upload stores nothing; cases keep their version."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.engine.test_import_validation import diagram
from tests.support.scenario import Scenario, setup_school
from webapp.definitions.models import ProcessVersion
from webapp.definitions.service import import_version
from webapp.engine import DiagramRejected


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def version_count(session) -> int:
    return session.scalar(select(func.count()).select_from(ProcessVersion))


def test_refused_upload_leaves_nothing_behind(session, services, school):
    before = version_count(session)
    definition = school.definitions["meldcode"]
    with pytest.raises(DiagramRejected):
        import_version(session, definition, b"<bpmn:definitions", filename="kapot.bpmn",
                       forms=services.forms, now=services.now())
    session.commit()
    assert version_count(session) == before
    assert definition.published_version.number == 1


def test_new_version_is_published_and_numbered(session, services, school):
    definition = school.definitions["meldcode"]
    version = import_version(session, definition, diagram(), filename="nieuw.bpmn",
                             forms=services.forms, now=services.now(), actor_id=school.users[next(iter(school.users))])
    session.commit()
    assert (version.number, version.bpmn_process_id) == (2, "Process_1")
    assert definition.published_version_id == version.id
    assert version.created_at == services.now() and version.created_by_id is not None


def test_running_cases_keep_the_version_they_started_on(session, services, database, school):
    old_case = Scenario.start(session, services, database, school)
    import_version(session, school.definitions["meldcode"], diagram(), filename="nieuw.bpmn",
                   forms=services.forms, now=services.now())
    session.commit()
    new_case = Scenario.start(session, services, database, school)

    assert old_case.case.process_version.number == 1
    assert new_case.case.process_version.number == 2
    assert old_case.open_elements() == ["Stap1_Signaleren"]
    assert new_case.open_elements() == ["Task_1"]
    old_case.complete("Stap1_Signaleren", {"signalen_over_medewerker": False})
    assert old_case.open_elements() == ["Stap1_ZorgDelen"]
