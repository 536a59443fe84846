"""The three graph rules in both tiers, on the same small diagrams: the modeler's bpmnlint plugin
(in Node, with the browser's configuration) and the server's import check flag the same elements.

- gateway with undecidable flows (meldroute/gateway-undecidable),
- element not reachable from the start (meldroute/unreachable),
- element from which no end event is reachable (meldroute/path-without-end).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.test_import_validation import FORM, FORMS, diagram
from tests.modeler.test_lint_rules import lint
from webapp.config import PROJECT_ROOT
from webapp.engine import DiagramRejected, compile_bpmn

RULES = ("gateway-undecidable", "unreachable", "path-without-end")
SERVER_MESSAGES = {
    "gateway-undecidable": ("keuze kan niet worden bepaald",),
    "unreachable": ("niet bereikbaar",),
    "path-without-end": ("loopt dood", "geen weg naar een einde"),
}


def task(task_id: str) -> str:
    return f'<bpmn:userTask id="{task_id}" name="{task_id}" meldroute:formKey="{FORM}"/>'


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
            f'<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>')


def lanes(*ids: str) -> str:
    refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)
    return f'<bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_1" name="Leerkracht">{refs}</bpmn:lane></bpmn:laneSet>'


ONGEGROND = 'uitkomst_fase1 == "ongegrond"'
START = '<bpmn:startEvent id="Start_1"/>' + flow("Flow_S", "Start_1", "Task_1") + task("Task_1")

FIXTURES = {
    "decidable gateway (condition and default)": (
        diagram(), {}),
    "exclusive gateway with a flow that has no condition and is not the default": (
        diagram(START + flow("Flow_1", "Task_1", "Gateway_1") + '<bpmn:exclusiveGateway id="Gateway_1"/>'
                + flow("Flow_2", "Gateway_1", "End_1", ONGEGROND) + flow("Flow_3", "Gateway_1", "End_2")
                + '<bpmn:endEvent id="End_1"/><bpmn:endEvent id="End_2"/>', lanes=lanes("Task_1")),
        {"gateway-undecidable": {"Gateway_1"}}),
    "inclusive gateway with two unconditioned flows": (
        diagram(START + flow("Flow_1", "Task_1", "Gateway_1") + '<bpmn:inclusiveGateway id="Gateway_1"/>'
                + flow("Flow_2", "Gateway_1", "End_1") + flow("Flow_3", "Gateway_1", "End_2")
                + '<bpmn:endEvent id="End_1"/><bpmn:endEvent id="End_2"/>', lanes=lanes("Task_1")),
        {"gateway-undecidable": {"Gateway_1"}}),
    "a joining gateway with one unconditioned outgoing flow decides nothing": (
        diagram(START + flow("Flow_1", "Task_1", "Gateway_1") + '<bpmn:exclusiveGateway id="Gateway_1" default="Flow_3"/>'
                + flow("Flow_2", "Gateway_1", "Gateway_2", ONGEGROND) + flow("Flow_3", "Gateway_1", "Gateway_2")
                + '<bpmn:exclusiveGateway id="Gateway_2"/>' + flow("Flow_4", "Gateway_2", "End_1")
                + '<bpmn:endEvent id="End_1"/>', lanes=lanes("Task_1")),
        {}),
    "an island of steps no flow from the start leads to": (
        diagram(START + flow("Flow_1", "Task_1", "End_1") + '<bpmn:endEvent id="End_1"/>'
                + task("Task_2") + flow("Flow_2", "Task_2", "Task_3") + task("Task_3")
                + flow("Flow_3", "Task_3", "End_2") + '<bpmn:endEvent id="End_2"/>',
                lanes=lanes("Task_1", "Task_2", "Task_3")),
        {"unreachable": {"Task_2", "Task_3", "End_2"}}),
    "a loop without a way out": (
        diagram(START + flow("Flow_1", "Task_1", "Gateway_1") + '<bpmn:exclusiveGateway id="Gateway_1" default="Flow_3"/>'
                + flow("Flow_2", "Gateway_1", "End_1", ONGEGROND) + flow("Flow_3", "Gateway_1", "Task_2")
                + '<bpmn:endEvent id="End_1"/>' + task("Task_2") + flow("Flow_4", "Task_2", "Task_3")
                + task("Task_3") + flow("Flow_5", "Task_3", "Task_2"),
                lanes=lanes("Task_1", "Task_2", "Task_3")),
        {"path-without-end": {"Task_2", "Task_3"}}),
    "a loop inside a subprocess: its steps never reach its end, the subprocess itself leads on": (
        diagram(START + flow("Flow_1", "Task_1", "Sub_1")
                + '<bpmn:subProcess id="Sub_1"><bpmn:startEvent id="SubStart"/>'
                + flow("Flow_2", "SubStart", "Task_2") + task("Task_2") + flow("Flow_3", "Task_2", "Task_3")
                + task("Task_3") + flow("Flow_4", "Task_3", "Task_2") + '</bpmn:subProcess>'
                + flow("Flow_5", "Sub_1", "End_1") + '<bpmn:endEvent id="End_1"/>',
                lanes=lanes("Task_1", "Task_2", "Task_3")),
        {"path-without-end": {"SubStart", "Task_2", "Task_3"}}),
    "a boundary timer's path and a subprocess are reached and end": (
        diagram(START + flow("Flow_1", "Task_1", "Sub_1")
                + '<bpmn:subProcess id="Sub_1"><bpmn:startEvent id="SubStart"/>'
                + flow("Flow_2", "SubStart", "Task_2") + task("Task_2") + flow("Flow_3", "Task_2", "SubEnd")
                + '<bpmn:endEvent id="SubEnd"/></bpmn:subProcess>'
                + flow("Flow_5", "Sub_1", "End_1") + '<bpmn:endEvent id="End_1"/>'
                + '<bpmn:boundaryEvent id="Timer_1" attachedToRef="Task_1" cancelActivity="false">'
                  '<bpmn:timerEventDefinition><bpmn:timeDuration>"P14D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
                  '</bpmn:boundaryEvent>'
                + flow("Flow_6", "Timer_1", "Task_3") + task("Task_3") + flow("Flow_7", "Task_3", "End_2")
                + '<bpmn:endEvent id="End_2"/>',
                lanes=lanes("Task_1", "Task_2", "Task_3")),
        {}),
}


def server_flags(data: bytes) -> dict[str, set[str]]:
    try:
        compile_bpmn(data, filename="t.bpmn", forms=FORMS)
    except DiagramRejected as rejected:
        problems = rejected.problems
    else:
        problems = []
    return {rule: ids for rule in RULES
            if (ids := {p.element_id for p in problems if p.message.startswith(SERVER_MESSAGES[rule])})}


def browser_flags(tmp_path, data: bytes) -> dict[str, set[str]]:
    issues = lint(tmp_path, data)
    return {rule: ids for rule in RULES if (ids := {i for r, i in issues if r == f"meldroute/{rule}"})}


@pytest.mark.parametrize("name", FIXTURES)
def test_both_tiers_flag_the_same_elements(tmp_path, name):
    data, expected = FIXTURES[name]
    assert server_flags(data) == expected
    assert browser_flags(tmp_path, data) == expected


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "workflows").glob("*/*.bpmn")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_shipped_diagram_trips_the_graph_rules_in_the_browser(tmp_path, path: Path):
    # The server compiles every shipped diagram (tests/engine/test_import_validation.py).
    assert browser_flags(tmp_path, path.read_bytes()) == {}


def test_the_server_says_which_flow_lacks_a_condition():
    data, _ = FIXTURES["exclusive gateway with a flow that has no condition and is not the default"]
    with pytest.raises(DiagramRejected) as rejected:
        compile_bpmn(data, filename="t.bpmn", forms=FORMS)
    [problem] = [p for p in rejected.value.problems if p.element_id == "Gateway_1"]
    assert "Flow_3" in problem.message and "standaardstroom" in problem.message and problem.line
