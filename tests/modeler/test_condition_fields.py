"""A gateway's condition picker offers the fields of the forms filled in before the gateway only,
not every form of the school (run in Node with the modeler's own code)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

from tests.engine.test_import_validation import FORMS, diagram
from tests.modeler.test_flow_rules import flow, lanes
from webapp.modeler.read_models import school_forms

SCRIPT = Path(__file__).with_name("condition_fields.mjs")
BESLUIT = "basismodel_2019/stap1_besluit"        # uitkomst_fase1, herbeoordeling, onderbouwing_fase1
OUDERS = "basismodel_2019/stap1_gesprek_ouders"  # datum_gesprek, aanwezigen, verslag, …
LEERLING = "basismodel_2019/stap1_gesprek_leerling"


def task(task_id: str, form: str) -> str:
    return f'<bpmn:userTask id="{task_id}" name="{task_id}" meldroute:formKey="{form}"/>'


def offered(tmp_path, data: bytes) -> dict[str, set[str]]:
    forms = school_forms(FORMS, SimpleNamespace(variant="basismodel_2019"))
    (tmp_path / "d.bpmn").write_bytes(data)
    (tmp_path / "forms.json").write_text(json.dumps(forms))
    result = subprocess.run(["node", str(SCRIPT), str(tmp_path / "d.bpmn"), str(tmp_path / "forms.json")],
                            capture_output=True, text=True, timeout=60, cwd=SCRIPT.parents[2])
    assert result.returncode == 0, result.stderr
    return {gateway: set(fields) for gateway, fields in json.loads(result.stdout).items()}


def fields_of(form_key: str) -> set[str]:
    return {field.name for field in FORMS.get(form_key).fields}


def test_each_gateway_offers_the_fields_of_the_forms_before_it(tmp_path):
    data = diagram(
        '<bpmn:startEvent id="Start_1"/>' + flow("F1", "Start_1", "Task_A") + task("Task_A", BESLUIT)
        + flow("F2", "Task_A", "GW_1") + '<bpmn:exclusiveGateway id="GW_1" default="F4"/>'
        + flow("F3", "GW_1", "End_1", 'uitkomst_fase1 == "ongegrond"') + flow("F4", "GW_1", "Task_B")
        + '<bpmn:endEvent id="End_1"/>' + task("Task_B", OUDERS) + flow("F5", "Task_B", "GW_2")
        + '<bpmn:exclusiveGateway id="GW_2" default="F6"/>' + flow("F6", "GW_2", "End_2")
        + '<bpmn:endEvent id="End_2"/>', lanes=lanes("Task_A", "Task_B"))
    result = offered(tmp_path, data)
    assert result["GW_1"] == fields_of(BESLUIT)
    assert result["GW_2"] == fields_of(BESLUIT) | fields_of(OUDERS)
    # The school has many more forms; none of theirs is offered.
    assert not result["GW_2"] & fields_of(LEERLING)


def test_subprocesses_and_boundary_events(tmp_path):
    # Task_A, then a subprocess with Task_B and, inside it after Task_B, GW_IN; after the subprocess
    # GW_AFTER. Task_C has a boundary timer; GW_TIMER follows that timer.
    data = diagram(
        '<bpmn:startEvent id="Start_1"/>' + flow("F1", "Start_1", "Task_A") + task("Task_A", BESLUIT)
        + flow("F2", "Task_A", "Sub_1")
        + '<bpmn:subProcess id="Sub_1"><bpmn:startEvent id="SubStart"/>' + flow("S1", "SubStart", "Task_B")
        + task("Task_B", OUDERS) + flow("S2", "Task_B", "GW_IN") + '<bpmn:exclusiveGateway id="GW_IN" default="S3"/>'
        + flow("S3", "GW_IN", "SubEnd") + '<bpmn:endEvent id="SubEnd"/></bpmn:subProcess>'
        + flow("F3", "Sub_1", "GW_AFTER") + '<bpmn:exclusiveGateway id="GW_AFTER" default="F4"/>'
        + flow("F4", "GW_AFTER", "Task_C") + task("Task_C", LEERLING) + flow("F5", "Task_C", "End_1")
        + '<bpmn:endEvent id="End_1"/>'
        + '<bpmn:boundaryEvent id="Timer_1" attachedToRef="Task_C"><bpmn:timerEventDefinition>'
          '<bpmn:timeDuration>"P14D"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
        + flow("F6", "Timer_1", "GW_TIMER") + '<bpmn:exclusiveGateway id="GW_TIMER" default="F7"/>'
        + flow("F7", "GW_TIMER", "End_2") + '<bpmn:endEvent id="End_2"/>',
        lanes=lanes("Task_A", "Task_B", "Task_C"))
    result = offered(tmp_path, data)
    assert result["GW_IN"] == fields_of(BESLUIT) | fields_of(OUDERS)      # through the subprocess's start
    assert result["GW_AFTER"] == fields_of(BESLUIT) | fields_of(OUDERS)   # the subprocess's tasks count
    # The timer interrupted Task_C before its form was sent: only what came before Task_C.
    assert result["GW_TIMER"] == fields_of(BESLUIT) | fields_of(OUDERS)
    assert not result["GW_TIMER"] & fields_of(LEERLING)
