"""A click on a problem opens the panel field that fixes it: the server's real problems (and the
lint rules) mapped by the modeler's own code, run in Node. The browser test clicks one in Chromium."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.engine.test_import_validation import FORM, FORMS, diagram
from tests.modeler.test_flow_rules import flow, lanes
from webapp.engine import DiagramRejected, compile_bpmn

SCRIPT = Path(__file__).with_name("problem_fields.mjs")
DEADLINE = ["meldroute-deadline-raw", "meldroute-deadline-field", "meldroute-deadline-unit"]
TIMER = ["timerEventDefinitionValue", "timerEventDefinitionType"]


def fixes(tmp_path, data: bytes, problems: list[dict]) -> dict[str, dict]:
    (tmp_path / "d.bpmn").write_bytes(data)
    (tmp_path / "p.json").write_text(json.dumps(problems))
    result = subprocess.run(["node", str(SCRIPT), str(tmp_path / "d.bpmn"), str(tmp_path / "p.json")],
                            capture_output=True, text=True, timeout=60, cwd=SCRIPT.parents[2])
    assert result.returncode == 0, result.stderr
    return {fix["element_id"]: fix for fix in json.loads(result.stdout)}


def server_problems(data: bytes) -> list[dict]:
    with pytest.raises(DiagramRejected) as rejected:
        compile_bpmn(data, filename="t.bpmn", forms=FORMS)
    return [{"element_id": p.element_id, "message": p.message} for p in rejected.value.problems if p.element_id]


BROKEN = diagram(
    '<bpmn:startEvent id="Start_1"/>' + flow("F1", "Start_1", "Task_Form")
    + '<bpmn:userTask id="Task_Form" name="Zonder formulier"/>' + flow("F2", "Task_Form", "Task_Due")
    + f'<bpmn:userTask id="Task_Due" name="Termijn" meldroute:formKey="{FORM}" meldroute:dueDate="werkdagen("/>'
    + flow("F3", "Task_Due", "Task_Lane")
    + f'<bpmn:userTask id="Task_Lane" name="Buiten de baan" meldroute:formKey="{FORM}"/>'
    + flow("F4", "Task_Lane", "Timer_1")
    + '<bpmn:intermediateCatchEvent id="Timer_1"><bpmn:timerEventDefinition><bpmn:timeDuration>'
      '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
    + flow("F5", "Timer_1", "GW_Open") + '<bpmn:exclusiveGateway id="GW_Open"/>'
    + flow("F_Unknown", "GW_Open", "GW_Raw", 'onbekend_veld == "ja"') + flow("F_Open", "GW_Open", "GW_Raw")
    + '<bpmn:exclusiveGateway id="GW_Raw" default="F_End"/>'
    + flow("F_Raw", "GW_Raw", "End_1", "uitkomst_fase1 ==") + flow("F_End", "GW_Raw", "End_1")
    + '<bpmn:endEvent id="End_1"/>',
    lanes='<bpmn:laneSet id="LS"><bpmn:lane id="Lane_Odd" name="Conciërge">'
          '<bpmn:flowNodeRef>Task_Form</bpmn:flowNodeRef></bpmn:lane>'
          '<bpmn:lane id="Lane_1" name="Leerkracht"><bpmn:flowNodeRef>Task_Due</bpmn:flowNodeRef></bpmn:lane>'
          '</bpmn:laneSet>')


def test_the_servers_problems_open_the_field_that_fixes_them(tmp_path):
    problems = server_problems(BROKEN)
    found = fixes(tmp_path, BROKEN, problems)
    by_element = {p["element_id"]: found[p["element_id"]] for p in problems}
    assert by_element["Task_Form"]["entries"] == ["meldroute-form"]
    assert by_element["Task_Due"]["entries"] == DEADLINE
    assert by_element["Task_Lane"]["entries"] == ["meldroute-role"]
    assert by_element["Lane_Odd"]["entries"] == ["meldroute-lane-name"]
    assert by_element["Timer_1"]["entries"] == TIMER
    assert by_element["F_Unknown"]["entries"] == ["meldroute-condition-field"]
    assert by_element["F_Raw"] == {"element_id": "F_Raw", "target": "F_Raw",
                                   "entries": ["meldroute-condition-raw"], "advanced": True}


def test_a_gateway_that_cannot_decide_opens_the_condition_of_its_open_flow(tmp_path):
    data = diagram('<bpmn:startEvent id="Start_1"/>' + flow("F1", "Start_1", "Task_1")
                   + f'<bpmn:userTask id="Task_1" name="Besluit" meldroute:formKey="{FORM}"/>'
                   + flow("F2", "Task_1", "GW_1") + '<bpmn:exclusiveGateway id="GW_1"/>'
                   + flow("F3", "GW_1", "End_1", 'uitkomst_fase1 == "ongegrond"') + flow("F4", "GW_1", "End_1")
                   + '<bpmn:endEvent id="End_1"/>', lanes=lanes("Task_1"))
    [problem] = [p for p in server_problems(data) if p["element_id"] == "GW_1"]
    lint = {"element_id": "GW_1", "rule": "meldroute/gateway-undecidable", "message": "Keuze kan niet worden bepaald"}
    for source in (problem, lint):
        fix = fixes(tmp_path, data, [source])["GW_1"]
        assert (fix["target"], fix["entries"]) == ("F4", ["meldroute-condition-field"])


def test_lint_rules_open_their_field(tmp_path):
    data = diagram()
    found = fixes(tmp_path, data, [
        {"element_id": "Task_1", "rule": "meldroute/user-task-form", "message": "Gebruikerstaak zonder formulier"},
        {"element_id": "Flow_4", "rule": "conditional-flows", "message": "Sequence flow is missing condition"},
        {"element_id": "End_1", "rule": "no-disconnected", "message": "Element is not connected"},
    ])
    assert found["Task_1"]["entries"] == ["meldroute-form"]
    assert found["Flow_4"]["entries"] == ["meldroute-condition-field"]
    assert found["End_1"]["entries"] == []  # only the element is selected: the fix is on the canvas
