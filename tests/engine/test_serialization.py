"""A case's stored workflow state: instance only, compressed, and still readable when written plain."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import START_OF_TESTS
from webapp.clock import MovableClock
from webapp.engine import CaseWorkflow, EngineEnvironment, compile_bpmn
from webapp.engine.serialization import COMPRESSED_PREFIX, _serializer, state_json

DIAGRAM = Path(__file__).resolve().parents[2] / "workflows" / "basismodel_2019" / "meldcode.bpmn"


@pytest.fixture(scope="module")
def compiled():
    return compile_bpmn(DIAGRAM.read_bytes(), filename=DIAGRAM.name, forms=None)


@pytest.fixture
def environment():
    return EngineEnvironment(clock=MovableClock(START_OF_TESTS))


def started(compiled, environment) -> CaseWorkflow:
    return CaseWorkflow.start(compiled, environment, {"leerling_geboortedatum": "2017-03-14"})


def test_state_is_compressed_instance_only_and_loads_back(compiled, environment):
    case = started(compiled, environment)
    first = case.ready_user_tasks()[0]
    case.complete_user_task(first.task_id, {
        "signalen_over_medewerker": False, "beschrijving": "Blauwe plek op de arm " * 50,
    })
    stored = case.dump()
    plain = state_json(stored)

    assert stored.startswith(COMPRESSED_PREFIX)
    assert len(stored) < len(plain) / 3  # the repeated task data compresses well
    state = json.loads(plain)
    assert "spec" not in state and "subprocess_specs" not in state  # the spec lives per version
    assert ", " not in plain[:200] and '": ' not in plain[:200]  # compact JSON

    loaded = CaseWorkflow.load(stored, compiled, environment)
    assert [t.task_id for t in loaded.ready_user_tasks()] == [t.task_id for t in case.ready_user_tasks()]
    assert loaded.completed_elements() == case.completed_elements()
    assert loaded.dump() == stored  # loading and saving again changes nothing


def test_a_state_stored_as_plain_json_still_loads(compiled, environment):
    case = started(compiled, environment)
    plain = _serializer.serialize_json(case.workflow)  # how states were stored before compression
    assert plain.startswith("{")

    loaded = CaseWorkflow.load(plain, compiled, environment)

    assert [t.element_id for t in loaded.ready_user_tasks()] == ["Stap1_Signaleren"]
    assert loaded.dump().startswith(COMPRESSED_PREFIX)
