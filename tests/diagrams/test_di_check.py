"""check_di must catch what makes a diagram unreadable; each test breaks one thing in a clean layout."""

from pathlib import Path

import pytest
from lxml import etree

from webapp.diagrams import check_di, layout_bpmn
from webapp.diagrams.di_check import (
    BPMN_NS,
    BPMNDI_NS,
    DC_NS,
    DI_NS,
    Bounds,
    segment_crosses,
)

NS = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def clean() -> bytes:
    return layout_bpmn((FIXTURES / "stappenplan_four_lanes.bpmn").read_bytes())


def _edit(xml: bytes, change) -> bytes:
    root = etree.fromstring(xml)
    change(root)
    return etree.tostring(root)


def _bounds(root, element_id: str):
    return root.find(f".//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds", NS)


def _box(root, element_id: str) -> Bounds:
    return Bounds(*(float(_bounds(root, element_id).get(a)) for a in ("x", "y", "width", "height")))


def _move_to(root, element_id: str, x: float, y: float) -> None:
    _bounds(root, element_id).set("x", str(x))
    _bounds(root, element_id).set("y", str(y))


def _problems_for(xml: bytes, element_id: str) -> list[str]:
    return [p.message for p in check_di(xml) if p.element_id == element_id]


def test_clean_layout_passes(clean):
    assert check_di(clean) == []


def test_overlapping_shapes_are_reported(clean):
    def stack_tasks(root):
        other = _box(root, "Task_stap2")
        _move_to(root, "Task_herinnering", other.x + 10, other.y + 10)

    messages = [str(p) for p in check_di(_edit(clean, stack_tasks))]
    assert any("overlaps" in m and "Task_herinnering" in m and "Task_stap2" in m for m in messages)


def test_missing_shape_and_edge_are_reported(clean):
    def drop(root):
        for di_id in ("Task_hulp_di", "Flow_s3_di"):
            element = root.find(f".//*[@id='{di_id}']")
            element.getparent().remove(element)

    broken = _edit(clean, drop)
    assert "has no DI shape" in _problems_for(broken, "Task_hulp")
    assert "has no DI edge" in _problems_for(broken, "Flow_s3")


def test_node_outside_its_lane_is_reported(clean):
    def into_directie(root):
        lane = _box(root, "Lane_directie")
        task = _box(root, "Task_stap2")
        _move_to(root, "Task_stap2", task.x, lane.y + 10)

    assert any("outside its lane Lane_ib" in m for m in _problems_for(_edit(clean, into_directie), "Task_stap2"))


def test_node_outside_its_subprocess_is_reported(clean):
    def out_of_box(root):
        box = _box(root, "Sub_stappenplan")
        task = _box(root, "Task_stap2")
        _move_to(root, "Task_stap2", box.right - task.width / 2, task.y)

    assert any("sticks out of its subprocess" in m for m in _problems_for(_edit(clean, out_of_box), "Task_stap2"))


def test_lane_gap_and_overlap_are_reported(clean):
    def shift_lane(root):
        bounds = _bounds(root, "Lane_zorgteam")
        bounds.set("y", str(float(bounds.get("y")) + 15))

    problems = [str(p) for p in check_di(_edit(clean, shift_lane))]
    assert any("Lane_zorgteam" in p and "gap" in p for p in problems)
    assert any("Lane_directie" in p and "overlaps the lane above" in p for p in problems)


def test_lanes_drawn_out_of_xml_order_are_reported(clean):
    def swap(root):
        first, second = _bounds(root, "Lane_leerkracht"), _bounds(root, "Lane_ib")
        first_y, second_y = float(first.get("y")), float(second.get("y"))
        first.set("y", str(first_y + float(second.get("height"))))
        second.set("y", str(first_y))
        assert second_y == first_y + float(first.get("height"))

    assert any("XML order" in str(p) for p in check_di(_edit(clean, swap)))


def test_edge_ending_away_from_its_target_is_reported(clean):
    def detach(root):
        last = root.findall(".//bpmndi:BPMNEdge[@bpmnElement='Flow_s0']/di:waypoint", NS)[-1]
        last.set("x", str(float(last.get("x")) - 30))

    assert any("does not end at the border of Task_stap1" in m for m in _problems_for(_edit(clean, detach), "Flow_s0"))


def test_edge_through_a_shape_is_reported(clean):
    def straight_through(root):
        edge = root.find(".//bpmndi:BPMNEdge[@bpmnElement='Flow_s1']", NS)
        for waypoint in edge.findall("di:waypoint", NS):
            edge.remove(waypoint)
        stap1, stap2, hulp = _box(root, "Task_stap1"), _box(root, "Task_stap2"), _box(root, "Task_herinnering")
        # Down from Stap 1, then straight across Herinnering's row into the far side of Stap 2.
        for x, y in ((stap1.center_x, stap1.bottom), (stap1.center_x, hulp.center_y),
                     (stap2.right + 40, hulp.center_y), (stap2.right + 40, stap2.center_y), (stap2.right, stap2.center_y)):
            etree.SubElement(edge, f"{{{DI_NS}}}waypoint", {"x": str(x), "y": str(y)})

    assert "edge runs through Task_herinnering" in _problems_for(_edit(clean, straight_through), "Flow_s1")


def test_edge_running_through_its_own_target_is_reported(clean):
    def enter_from_inside(root):
        edge = root.find(".//bpmndi:BPMNEdge[@bpmnElement='Flow_start']", NS)
        box = _box(root, "Sub_stappenplan")
        waypoints = edge.findall("di:waypoint", NS)
        waypoints[-1].set("x", str(box.x))
        waypoints[0].set("y", str(box.center_y))
        waypoints[-1].set("y", str(box.center_y))
        waypoints[0].set("x", str(box.right + 40))  # starts right of the box, crosses it to the left border

    assert "edge runs through Sub_stappenplan" in _problems_for(_edit(clean, enter_from_inside), "Flow_start")


def test_label_covering_a_shape_is_reported(clean):
    def cover(root):
        task = _box(root, "Task_stap4")
        label = root.find(".//bpmndi:BPMNShape[@bpmnElement='Gateway_meer_info']/bpmndi:BPMNLabel/dc:Bounds", NS)
        label.set("x", str(task.x + 5))
        label.set("y", str(task.y + 5))

    assert "label overlaps shape Task_stap4" in _problems_for(_edit(clean, cover), "Gateway_meer_info")


def test_boundary_event_off_its_host_is_reported(clean):
    def float_away(root):
        timer = _box(root, "Timer_stap3")
        _move_to(root, "Timer_stap3", timer.x, timer.y + 60)

    assert any("not on the border" in m for m in _problems_for(_edit(clean, float_away), "Timer_stap3"))


def test_lane_listing_a_missing_node_is_reported(clean):
    def add_ghost(root):
        lane = root.find(".//bpmn:lane[@id='Lane_ib']", NS)
        etree.SubElement(lane, f"{{{BPMN_NS}}}flowNodeRef").text = "Task_bestaat_niet"

    assert any("Task_bestaat_niet" in m for m in _problems_for(_edit(clean, add_ghost), "Lane_ib"))


def test_file_without_diagram_reports_every_element(clean):
    root = etree.fromstring(clean)
    root.remove(root.find("bpmndi:BPMNDiagram", NS))
    missing = {p.element_id for p in check_di(etree.tostring(root))}
    assert {"Participant_school", "Lane_ib", "Sub_stappenplan", "Signal_acuut_gevaar", "Flow_acuut"} <= missing


def test_warnings_are_only_returned_when_asked_for(clean):
    def diagonal(root):
        first = root.find(".//bpmndi:BPMNEdge[@bpmnElement='Flow_s0']/di:waypoint", NS)
        first.set("y", str(float(first.get("y")) + 3))

    broken = _edit(clean, diagonal)
    assert check_di(broken) == []
    assert [p.severity for p in check_di(broken, include_warnings=True) if p.element_id == "Flow_s0"] == ["warning"]


@pytest.mark.parametrize("start, end, crosses", [
    ((0, 50), (200, 50), True),     # straight through
    ((0, 10), (200, 10), False),    # along the top border: touching is not crossing
    ((0, 0), (40, 0), False),       # stops before the box
    ((60, 120), (60, 80), True),    # enters from below
])
def test_segment_crossing_geometry(start, end, crosses):
    assert segment_crosses(start, end, Bounds(50, 10, 100, 80)) is crosses
