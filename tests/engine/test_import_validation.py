"""Importing diagrams: valid ones compile; every broken one is refused with element id and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.config import PROJECT_ROOT
from webapp.engine import DiagramRejected, compile_bpmn
from webapp.forms.catalog import FormCatalog

FORMS = FormCatalog.from_directory(PROJECT_ROOT / "forms")
FORM = "basismodel_2019/stap1_besluit"


def diagram(body: str = None, *, lanes: str = None, extra_definitions: str = "",
            executable: str = "true") -> bytes:
    """A small valid diagram; `body` replaces the flow inside the process."""
    body = body if body is not None else f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    <bpmn:userTask id="Task_1" name="Besluit" meldroute:formKey="{FORM}"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="Gateway_1"/>
    <bpmn:exclusiveGateway id="Gateway_1" default="Flow_4"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Gateway_1" targetRef="End_1">
      <bpmn:conditionExpression>uitkomst_fase1 == "ongegrond"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Gateway_1" targetRef="End_2"/>
    <bpmn:endEvent id="End_1"/>
    <bpmn:endEvent id="End_2"/>"""
    lanes = lanes if lanes is not None else """
    <bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_1" name="Leerkracht">
      <bpmn:flowNodeRef>Start_1</bpmn:flowNodeRef><bpmn:flowNodeRef>Task_1</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Task_2</bpmn:flowNodeRef><bpmn:flowNodeRef>Script_1</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Service_1</bpmn:flowNodeRef><bpmn:flowNodeRef>Timer_1</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:meldroute="https://meldroute.nl/schema/bpmn" id="Definitions_1" targetNamespace="https://example.org">
  {extra_definitions}
  <bpmn:process id="Process_1" name="Testroute" isExecutable="{executable}">{lanes}{body}
  </bpmn:process>
</bpmn:definitions>""".encode()


def problems_of(data: bytes) -> list:
    with pytest.raises(DiagramRejected) as rejected:
        compile_bpmn(data, filename="test.bpmn", forms=FORMS)
    assert rejected.value.problems, "a refusal must say why"
    return rejected.value.problems


def line_of(data: bytes, needle: str) -> int:
    for number, line in enumerate(data.decode().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_a_valid_diagram_compiles():
    compiled = compile_bpmn(diagram(), filename="test.bpmn", forms=FORMS)
    assert compiled.process_id == "Process_1"
    task = compiled.element("Task_1")
    assert (task.kind, task.form_key, task.lane.value) == ("userTask", FORM, "leerkracht")


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "workflows").glob("*/*.bpmn")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_diagram_compiles(path: Path):
    compiled = compile_bpmn(path.read_bytes(), filename=str(path), forms=FORMS)
    assert compiled.handles_acute_danger, "every variant must offer the acute-danger route"


def test_broken_xml_names_the_line():
    data = diagram().replace(b'<bpmn:endEvent id="End_2"/>', b'<bpmn:endEvent id="End_2">')
    [problem] = problems_of(data)
    assert "geen geldige XML" in problem.message
    assert problem.line is not None and problem.line >= line_of(data, 'id="End_2"')


def test_xxe_attempt_is_refused_and_never_reads_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM-123")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file://{secret}">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="P" name="&xxe;" isExecutable="true"/>
</bpmn:definitions>""".encode()
    [problem] = problems_of(data)
    assert "DOCTYPE" in problem.message
    assert "GEHEIM-123" not in problem.message


def test_entity_expansion_bomb_is_refused():
    data = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">&lol3;</bpmn:definitions>"""
    [problem] = problems_of(data)
    assert "entiteiten" in problem.message


def test_missing_start_event():
    data = diagram().replace(b'<bpmn:startEvent id="Start_1"/>', b"").replace(
        b'<bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>', b"")
    problems = problems_of(data)
    assert any("geen startgebeurtenis" in p.message and p.element_id == "Process_1" for p in problems)


def test_script_task_with_code_is_refused_at_import():
    body = """
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Script_1"/>
    <bpmn:scriptTask id="Script_1" name="Opruimen" scriptFormat="python">
      <bpmn:script>import os; os.system("rm -rf /")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Script_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""
    data = diagram(body)
    problems = problems_of(data)
    script = [p for p in problems if p.element_id == "Script_1"]
    assert script and "scripttaak" in script[0].message
    assert script[0].line == line_of(data, 'id="Script_1"')


def test_unknown_form_key():
    data = diagram().replace(FORM.encode(), b"basismodel_2019/bestaat_niet")
    [problem] = [p for p in problems_of(data) if "onbekend formulier" in p.message]
    assert problem.element_id == "Task_1"
    assert "bestaat_niet" in problem.message
    assert problem.line == line_of(data, 'id="Task_1"')


def test_user_task_without_form():
    data = diagram().replace(f' meldroute:formKey="{FORM}"'.encode(), b"")
    problems = problems_of(data)
    assert any(p.element_id == "Task_1" and "zonder formulier" in p.message for p in problems)


def test_condition_with_code_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    data = diagram().replace(
        b'uitkomst_fase1 == "ongegrond"',
        f"__import__('os').system('touch {marker}')".encode(),
    )
    problems = problems_of(data)
    assert any(p.element_id == "Flow_3" for p in problems)
    assert not marker.exists()


def test_condition_on_a_field_no_form_asks_for():
    data = diagram().replace(b'uitkomst_fase1 == "ongegrond"', b"ernst > 3")
    [problem] = problems_of(data)
    assert problem.element_id == "Flow_3"
    assert "ernst" in problem.message


def test_lane_that_is_no_known_role():
    data = diagram().replace(b'name="Leerkracht"', 'name="Conciërge"'.encode())
    [problem] = problems_of(data)
    assert problem.element_id == "Lane_1"
    assert "Conciërge" in problem.message


def test_user_task_outside_any_lane():
    data = diagram(lanes="")
    problems = problems_of(data)
    assert any(p.element_id == "Task_1" and "baan" in p.message for p in problems)


def test_non_executable_process_is_explained():
    [problem] = problems_of(diagram(executable="false"))
    assert problem.element_id == "Process_1"
    assert "isExecutable" in problem.message


@pytest.mark.parametrize("element, expected", [
    ('<bpmn:serviceTask id="Service_1"/>', "servicetaak"),
    ('<bpmn:businessRuleTask id="Service_1"/>', "DMN"),
    ('<bpmn:callActivity id="Service_1" calledElement="Elders"/>', "callActivity"),
    ('<bpmn:sendTask id="Service_1"/>', "berichten"),
])
def test_unsupported_tasks_are_named(element, expected):
    body = f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Service_1"/>
    {element}
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Service_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""
    problems = problems_of(diagram(body))
    assert any(p.element_id == "Service_1" and expected in p.message for p in problems)


def test_data_store_from_another_tool_is_kept_with_a_warning():
    data = diagram(extra_definitions='<bpmn:dataStore id="Store_1" name="ESIS"/>')
    compiled = compile_bpmn(data, filename="test.bpmn", forms=FORMS)
    assert [(w.element_id, w.severity) for w in compiled.warnings] == [("Store_1", "warning")]
    assert "ESIS" in compiled.warnings[0].message


def test_data_objects_and_their_associations_only_document():
    body = f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    <bpmn:userTask id="Task_1" name="Besluit" meldroute:formKey="{FORM}">
      <bpmn:dataOutputAssociation id="Assoc_1"><bpmn:targetRef>Ref_1</bpmn:targetRef></bpmn:dataOutputAssociation>
    </bpmn:userTask>
    <bpmn:dataObjectReference id="Ref_1" name="Dossier" dataObjectRef="Object_1"/>
    <bpmn:dataObject id="Object_1"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""
    compiled = compile_bpmn(diagram(body), filename="test.bpmn", forms=FORMS)
    assert {w.element_id for w in compiled.warnings} == {"Assoc_1", "Ref_1", "Object_1"}
    assert all(w.line for w in compiled.warnings)


def test_message_reference_to_a_missing_message_does_not_crash():
    body = """
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Timer_1"/>
    <bpmn:intermediateCatchEvent id="Timer_1"><bpmn:messageEventDefinition messageRef="Nergens"/></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Timer_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""
    problems = problems_of(diagram(body))
    assert any(p.element_id == "Timer_1" and "bericht" in p.message for p in problems)


def test_timer_cycle_is_refused():
    body = """
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Timer_1"/>
    <bpmn:intermediateCatchEvent id="Timer_1"><bpmn:timerEventDefinition><bpmn:timeCycle>R3/P1D</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Timer_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""
    problems = problems_of(diagram(body))
    assert any(p.element_id == "Timer_1" and "timeCycle" in p.message for p in problems)


@pytest.mark.parametrize("timer", ["P14D", '"P14D"', "werkdagen(5)", "termijn(herbeoordeling)"])
def test_timers_accept_iso_literals_and_deadline_functions(timer):
    body = f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    <bpmn:userTask id="Task_1" meldroute:formKey="{FORM}"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="Timer_1"/>
    <bpmn:intermediateCatchEvent id="Timer_1"><bpmn:timerEventDefinition><bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Timer_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""
    compiled = compile_bpmn(diagram(body), filename="t.bpmn", forms=FORMS)
    assert compiled.element("Timer_1").timer_expression == timer


def test_reserved_engine_ids_are_refused():
    data = diagram().replace(b'"End_2"', b'"End"')
    problems = problems_of(data)
    assert any(p.element_id == "End" and "gereserveerd" in p.message for p in problems)


def test_two_outgoing_flows_on_a_task_is_explained():
    data = diagram().replace(
        b'<bpmn:sequenceFlow id="Flow_2"',
        b'<bpmn:sequenceFlow id="Flow_X" sourceRef="Task_1" targetRef="End_1"/>\n<bpmn:sequenceFlow id="Flow_2"')
    [problem] = problems_of(data)
    assert problem.element_id == "Task_1"
    assert "gateway" in problem.message


def test_binary_file():
    [problem] = problems_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    assert "geen geldige XML" in problem.message


def test_xml_that_is_not_bpmn():
    [problem] = problems_of(b"<html><body>hallo</body></html>")
    assert "geen BPMN 2.0" in problem.message


def test_schema_violation_names_the_line():
    data = diagram().replace(b'<bpmn:endEvent id="End_2"/>', b'<bpmn:endEvent id="End_2"><bpmn:bestaatNiet/></bpmn:endEvent>')
    problems = problems_of(data)
    assert problems[0].line == line_of(data, "bestaatNiet")


def test_pool_diagram_from_another_tool_uses_its_executable_process():
    data = diagram().replace(b"<bpmn:process", b"""<bpmn:collaboration id="Collab_1">
    <bpmn:participant id="Part_1" name="School" processRef="Process_1"/>
    <bpmn:participant id="Part_2" name="Veilig Thuis" processRef="Process_2"/>
    <bpmn:messageFlow id="Msg_1" sourceRef="Part_1" targetRef="Part_2"/>
  </bpmn:collaboration>
  <bpmn:process id="Process_2" name="Veilig Thuis" isExecutable="false"/>
  <bpmn:process""", 1)
    assert compile_bpmn(data, filename="t.bpmn", forms=FORMS).process_id == "Process_1"


def test_a_step_that_is_not_connected_is_named():
    body = f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    <bpmn:userTask id="Task_1" name="Besluit" meldroute:formKey="{FORM}"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="End_1"/>
    <bpmn:userTask id="Task_2" name="Los" meldroute:formKey="{FORM}"/>
    <bpmn:endEvent id="End_1"/>"""
    problems = problems_of(diagram(body))
    messages = {p.message.split(":")[0] for p in problems if p.element_id == "Task_2"}
    assert messages == {"niet bereikbaar", "loopt dood"}
    assert all(p.line for p in problems if p.element_id == "Task_2")
