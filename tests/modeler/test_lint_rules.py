"""The modeler's instant lint (bpmnlint + Meldroute's rules), run by Node on small diagrams."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.engine.test_import_validation import FORM, diagram

SCRIPT = Path(__file__).with_name("lint_rules.mjs")


def lint(tmp_path, data: bytes) -> set[tuple[str, str]]:
    if shutil.which("node") is None:
        pytest.fail("Node.js ontbreekt: de lintregels van de modeler draaien in Node (npm ci && npm run build)")
    path = tmp_path / "diagram.bpmn"
    path.write_bytes(data)
    result = subprocess.run(["node", str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60,
                            cwd=SCRIPT.parents[2])
    assert result.returncode == 0, result.stderr
    return {(issue["rule"], issue["id"]) for issue in json.loads(result.stdout)}


FLOW = """
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    {task}
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="Timer_1"/>
    <bpmn:intermediateCatchEvent id="Timer_1"><bpmn:timerEventDefinition>{timer}</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Timer_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""
GOOD_TASK = f'<bpmn:userTask id="Task_1" name="Besluit" meldroute:formKey="{FORM}"/>'
GOOD_TIMER = '<bpmn:timeDuration>"P14D"</bpmn:timeDuration>'


def meldroute_issues(issues):
    return {issue for issue in issues if issue[0].startswith("meldroute/")}


def test_a_good_small_diagram_has_no_meldroute_issues(tmp_path):
    assert meldroute_issues(lint(tmp_path, diagram(FLOW.format(task=GOOD_TASK, timer=GOOD_TIMER)))) == set()


def test_user_task_without_form(tmp_path):
    task = '<bpmn:userTask id="Task_1" name="Besluit"/>'
    issues = lint(tmp_path, diagram(FLOW.format(task=task, timer=GOOD_TIMER)))
    assert meldroute_issues(issues) == {("meldroute/user-task-form", "Task_1")}


def test_user_task_outside_every_lane(tmp_path):
    issues = lint(tmp_path, diagram(FLOW.format(task=GOOD_TASK, timer=GOOD_TIMER), lanes=""))
    assert meldroute_issues(issues) == {("meldroute/user-task-lane", "Task_1")}


@pytest.mark.parametrize("timer", ["<bpmn:timeDuration></bpmn:timeDuration>", "<bpmn:timeCycle>R3/P1D</bpmn:timeCycle>"])
def test_timer_without_a_valid_term(tmp_path, timer):
    issues = lint(tmp_path, diagram(FLOW.format(task=GOOD_TASK, timer=timer)))
    assert meldroute_issues(issues) == {("meldroute/timer-term", "Timer_1")}


def test_unconnected_task_from_the_recommended_rules(tmp_path):
    body = FLOW.format(task=GOOD_TASK, timer=GOOD_TIMER) + \
        f'<bpmn:userTask id="Task_2" name="Los" meldroute:formKey="{FORM}"/>'
    assert ("no-disconnected", "Task_2") in lint(tmp_path, diagram(body))
