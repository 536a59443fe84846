"""Layout of hand-written BPMN: clean DI, untouched semantics, stable output."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from webapp.diagrams import LayoutError, check_di, layout_bpmn
from webapp.diagrams.di_check import BPMN_NS, BPMNDI_NS, DC_NS, DI_NS, Bounds

FIXTURES = Path(__file__).parent / "fixtures"

NS = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}
REPO_ROOT = Path(__file__).resolve().parents[2]


def _without_diagram(text: bytes) -> bytes:
    return re.sub(rb"\s*<bpmndi:BPMNDiagram\b.*?</bpmndi:BPMNDiagram>", b"", text, flags=re.DOTALL)


def _without_collaboration(text: bytes) -> bytes:
    return re.sub(rb"\s*<bpmn:collaboration\b.*?</bpmn:collaboration>", b"", text, flags=re.DOTALL)


def _without_added_namespaces(text: bytes) -> bytes:
    return re.sub(rb' xmlns:(bpmndi|dc|di)="[^"]*"', b"", text)


def _shapes(xml: bytes) -> dict[str, Bounds]:
    root = etree.fromstring(xml)
    return {
        shape.get("bpmnElement"): Bounds(*(float(shape.find("dc:Bounds", NS).get(a)) for a in ("x", "y", "width", "height")))
        for shape in root.iterfind(".//bpmndi:BPMNShape", NS)
    }


def _waypoints(xml: bytes) -> dict[str, list[tuple[float, float]]]:
    root = etree.fromstring(xml)
    return {
        edge.get("bpmnElement"): [(float(p.get("x")), float(p.get("y"))) for p in edge.iterfind("di:waypoint", NS)]
        for edge in root.iterfind(".//bpmndi:BPMNEdge", NS)
    }


def test_laid_out_fixture_has_no_di_errors(fixture_xml):
    assert check_di(layout_bpmn(fixture_xml)) == []


def test_semantic_part_is_byte_for_byte_unchanged(fixture_xml):
    laid_out = layout_bpmn(fixture_xml)
    had_collaboration = b"<bpmn:collaboration" in fixture_xml
    semantic_after = _without_diagram(laid_out)
    if not had_collaboration:
        semantic_after = _without_added_namespaces(_without_collaboration(semantic_after))
    assert semantic_after == _without_diagram(fixture_xml)


def test_semantic_part_is_canonically_unchanged(fixture_xml):
    """Independent of the text splice: compare the parsed models without DI and collaboration."""
    def canonical_semantics(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        for element in root.findall("bpmndi:BPMNDiagram", NS) + root.findall("bpmn:collaboration", NS):
            root.remove(element)
        for element in root.iter():
            if element.text is not None and not element.text.strip():
                element.text = None
            if element.tail is not None and not element.tail.strip():
                element.tail = None
        # Exclusive C14N renders only the namespaces an element uses, so the added DI declarations drop out.
        return etree.tostring(root, method="c14n", exclusive=True)

    assert canonical_semantics(layout_bpmn(fixture_xml)) == canonical_semantics(fixture_xml)


def test_layout_is_deterministic_and_idempotent(fixture_xml):
    first = layout_bpmn(fixture_xml)
    assert layout_bpmn(fixture_xml) == first
    assert layout_bpmn(first) == first


def test_every_element_gets_di(fixture_xml):
    laid_out = layout_bpmn(fixture_xml)
    root = etree.fromstring(laid_out)
    shapes, edges = _shapes(laid_out), _waypoints(laid_out)
    process = root.find("bpmn:process", NS)
    for element in process.iter():
        if not isinstance(element.tag, str) or element.get("id") is None:
            continue
        local = etree.QName(element).localname
        if local in ("sequenceFlow", "association"):
            assert element.get("id") in edges, element.get("id")
        elif local.endswith(("Task", "Event", "Gateway")) or local in ("task", "subProcess", "lane", "textAnnotation"):
            assert element.get("id") in shapes, element.get("id")
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("id") in shapes


def test_edges_and_associations_are_orthogonal(fixture_xml):
    laid_out = layout_bpmn(fixture_xml)
    flow_ids = {f.get("id") for f in etree.fromstring(laid_out).iterfind(".//bpmn:sequenceFlow", NS)}
    flow_ids |= {a.get("id") for a in etree.fromstring(laid_out).iterfind(".//bpmn:association", NS)}
    for flow_id, points in _waypoints(laid_out).items():
        if flow_id in flow_ids:
            assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:])), flow_id


def test_named_events_gateways_and_flows_have_labels(fixture_xml):
    root = etree.fromstring(layout_bpmn(fixture_xml))
    labelled = {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNLabel/..", NS)}
    for element in root.find("bpmn:process", NS).iter():
        if not isinstance(element.tag, str) or not element.get("name"):
            continue
        local = etree.QName(element).localname
        if local.endswith(("Event", "Gateway")) or local == "sequenceFlow":
            assert element.get("id") in labelled, element.get("id")


def test_collaboration_is_added_when_missing():
    laid_out = layout_bpmn((FIXTURES / "no_collaboration.bpmn").read_bytes())
    root = etree.fromstring(laid_out)
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    process = root.find("bpmn:process", NS)
    assert participant.get("processRef") == process.get("id")
    assert participant.get("name") == process.get("name")
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == root.find("bpmn:collaboration", NS).get("id")
    assert list(root).index(root.find("bpmn:collaboration", NS)) < list(root).index(process)
    assert b"<bpmndi:BPMNShape" in laid_out and b"ns0:" not in laid_out


def test_windows_line_endings_and_default_namespace_are_kept():
    original = (FIXTURES / "no_collaboration.bpmn").read_bytes()
    crlf = layout_bpmn(original.replace(b"\n", b"\r\n"))
    assert b"\n" not in crlf.replace(b"\r\n", b"")
    unprefixed = original.replace(b"bpmn:", b"").replace(b"xmlns:bpmn=", b"xmlns=")
    laid_out = layout_bpmn(unprefixed)
    assert check_di(laid_out) == []
    assert _without_added_namespaces(_without_diagram(laid_out)).replace(
        b'\n  <collaboration id="Collaboration_Process_horizon">\n    <participant id="Participant_Process_horizon" '
        b'name="Kindcentrum De Horizon" processRef="Process_horizon"/>\n  </collaboration>', b"") == unprefixed


def test_existing_diagram_is_replaced_not_added_to():
    original = (FIXTURES / "flat_three_lanes.bpmn").read_bytes()
    assert b'x="10" y="10"' in original
    laid_out = layout_bpmn(original)
    assert laid_out.count(b"<bpmndi:BPMNDiagram") == 1
    assert b'x="10" y="10"' not in laid_out


def test_cdata_extensions_and_comments_survive():
    original = (FIXTURES / "stappenplan_four_lanes.bpmn").read_bytes()
    laid_out = layout_bpmn(original)
    assert b"<![CDATA[Meldcode huiselijk geweld & kindermishandeling, versie 2024 <intern>.]]>" in laid_out
    assert b'<meldroute:deadline werkdagen="5" />' in laid_out
    assert laid_out.count(b"meldroute:formKey=") == original.count(b"meldroute:formKey=") == 17
    comment = b"<!-- Opgesteld met het team; rollen volgens het zorgplan 2024. -->"
    assert comment in layout_bpmn((FIXTURES / "no_collaboration.bpmn").read_bytes())


def test_lanes_stack_in_xml_order_across_the_pool():
    laid_out = layout_bpmn((FIXTURES / "stappenplan_four_lanes.bpmn").read_bytes())
    shapes = _shapes(laid_out)
    pool = shapes["Participant_school"]
    lanes = [shapes[lane] for lane in ("Lane_leerkracht", "Lane_ib", "Lane_zorgteam", "Lane_directie")]
    assert lanes[0].y == pool.y and lanes[-1].bottom == pool.bottom
    assert all(upper.bottom == lower.y for upper, lower in zip(lanes, lanes[1:]))
    assert all(lane.right == pool.right and lane.x == pool.x + 30 for lane in lanes)


def test_subprocess_encloses_its_children_and_nothing_else():
    laid_out = layout_bpmn((FIXTURES / "stappenplan_four_lanes.bpmn").read_bytes())
    shapes = _shapes(laid_out)
    root = etree.fromstring(laid_out)
    subprocess_element = root.find(".//bpmn:subProcess", NS)
    box = shapes[subprocess_element.get("id")]
    children = {el.get("id") for el in subprocess_element.iter() if el.get("id")} - {subprocess_element.get("id")}
    process_level = [el.get("id") for el in root.find("bpmn:process", NS)
                     if el.get("id") in shapes and el.get("id") not in children and el is not subprocess_element
                     and etree.QName(el).localname not in ("laneSet",)]
    for child in children & set(shapes):
        assert box.contains(shapes[child]), child
    for outsider in process_level:
        if outsider == "Signal_acuut_gevaar":
            continue  # on the border, checked below
        assert not box.overlaps(shapes[outsider]), outsider


def test_boundary_events_sit_on_their_host_and_lead_to_later_columns():
    laid_out = layout_bpmn((FIXTURES / "stappenplan_four_lanes.bpmn").read_bytes())
    shapes = _shapes(laid_out)
    timer, task = shapes["Timer_stap3"], shapes["Task_stap3"]
    assert timer.center_y == task.bottom and task.x < timer.center_x < task.right
    signal, stappenplan = shapes["Signal_acuut_gevaar"], shapes["Sub_stappenplan"]
    assert stappenplan.distance_to_border((signal.center_x, signal.center_y)) == 0
    for target in ("Task_vt_bellen", "Task_directie_informeren", "Task_politie", "End_acuut"):
        assert shapes[target].x > stappenplan.right, target
    assert shapes["Task_escalatie"].x > task.right


def test_separate_route_starts_after_what_it_would_otherwise_cross():
    shapes = _shapes(layout_bpmn((FIXTURES / "no_collaboration.bpmn").read_bytes()))
    assert shapes["Start_vt"].x > shapes["Sub_route"].right


PROCESS_WITHOUT_LANES = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="P" name="Zonder lanes" isExecutable="true">
    <bpmn:startEvent id="S" />
    <bpmn:task id="T" name="Iets doen" />
    <bpmn:exclusiveGateway id="G" name="Klaar?" />
    <bpmn:endEvent id="E" />
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="T" />
    <bpmn:sequenceFlow id="F2" sourceRef="T" targetRef="G" />
    <bpmn:sequenceFlow id="F3" name="nee" sourceRef="G" targetRef="T" />
    <bpmn:sequenceFlow id="F4" name="ja" sourceRef="G" targetRef="E" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_process_without_lanes_is_laid_out_in_one_row():
    laid_out = layout_bpmn(PROCESS_WITHOUT_LANES)
    assert check_di(laid_out) == []
    shapes = _shapes(laid_out)
    assert shapes["S"].center_y == shapes["T"].center_y == shapes["G"].center_y == shapes["E"].center_y


@pytest.mark.parametrize("xml, message", [
    (PROCESS_WITHOUT_LANES.replace(b"</bpmn:definitions>", b'<bpmn:process id="P2" /></bpmn:definitions>'),
     "exactly one bpmn:process"),
    (b'<definitions xmlns="urn:other" />', "not a BPMN 2.0 file"),
    ((FIXTURES / "flat_three_lanes.bpmn").read_bytes().replace(
        b"<bpmn:flowNodeRef>Task_melden</bpmn:flowNodeRef>", b""), "not listed in any lane: Task_melden"),
])
def test_files_outside_the_conventions_are_refused_with_a_reason(xml, message):
    with pytest.raises(LayoutError, match=message):
        layout_bpmn(xml)


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "webapp.diagrams.layout", *args],
                          cwd=REPO_ROOT, capture_output=True, text=True, check=False)


def test_cli_rewrites_in_place_and_check_reports(tmp_path):
    target = tmp_path / "route.bpmn"
    target.write_bytes((FIXTURES / "flat_three_lanes.bpmn").read_bytes())
    before = _run_cli("--check", str(target))
    assert before.returncode == 1 and "layout differs" in before.stdout
    assert target.read_bytes() == (FIXTURES / "flat_three_lanes.bpmn").read_bytes()
    assert _run_cli(str(target)).returncode == 0
    after = _run_cli("--check", str(target))
    assert after.returncode == 0, after.stdout
    assert check_di(target.read_bytes()) == []
