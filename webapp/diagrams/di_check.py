"""Checks that a BPMN file's diagram interchange (DI) is complete and legible.

`check_di` reads the semantic model and the first ``bpmndi:BPMNDiagram`` and
reports everything a reader of the rendered diagram would stumble over:
elements without a shape, shapes on top of each other, nodes drawn outside the
lane that lists them, lanes that do not tile their pool, edges that start or
end away from their shapes or run through other shapes, and labels covering
shapes or other labels.

The geometry helpers at the top are shared with the layout module, so that the
layout's edge router and this checker agree on what "crossing a shape" means.

Problems come in two levels. Errors are what our shipped diagrams must never
have. Warnings are cosmetic (a label touching an edge, an edge drawn with
diagonal segments): they are returned only when asked for, because a diagram
hand-polished in the modeler may legitimately have them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"

BORDER_TOLERANCE = 3.0
"""How far (px) an edge end may lie from its shape's outline."""

ACTIVITY_TAGS = frozenset({
    "task", "userTask", "serviceTask", "scriptTask", "manualTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity",
})
CONTAINER_TAGS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
EVENT_TAGS = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
})
GATEWAY_TAGS = frozenset({
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
})
FLOW_NODE_TAGS = ACTIVITY_TAGS | CONTAINER_TAGS | EVENT_TAGS | GATEWAY_TAGS


def bpmn_tag(local_name: str) -> str:
    return f"{{{BPMN_NS}}}{local_name}"


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def safe_parser() -> etree.XMLParser:
    """A parser that never fetches or expands anything and keeps CDATA as written."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, strip_cdata=False,
        remove_blank_text=False, huge_tree=False,
    )


# --------------------------------------------------------------------------- geometry

Point = tuple[float, float]


@dataclass(frozen=True)
class Bounds:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2

    @property
    def center_y(self) -> float:
        return self.y + self.height / 2

    def overlaps(self, other: Bounds, tolerance: float = 0.5) -> bool:
        """True when the interiors intersect; shapes that merely touch do not overlap."""
        return (
            self.x < other.right - tolerance and other.x < self.right - tolerance
            and self.y < other.bottom - tolerance and other.y < self.bottom - tolerance
        )

    def contains(self, other: Bounds, tolerance: float = 1.0) -> bool:
        return (
            other.x >= self.x - tolerance and other.right <= self.right + tolerance
            and other.y >= self.y - tolerance and other.bottom <= self.bottom + tolerance
        )

    def shrunk(self, margin: float) -> Bounds:
        return Bounds(self.x + margin, self.y + margin, self.width - 2 * margin, self.height - 2 * margin)

    def distance_to_border(self, point: Point) -> float:
        px, py = point
        inside = self.x <= px <= self.right and self.y <= py <= self.bottom
        if inside:
            return min(px - self.x, self.right - px, py - self.y, self.bottom - py)
        dx = max(self.x - px, 0.0, px - self.right)
        dy = max(self.y - py, 0.0, py - self.bottom)
        return (dx * dx + dy * dy) ** 0.5


def segment_crosses(start: Point, end: Point, box: Bounds, margin: float = 2.0) -> bool:
    """Does the segment pass through the box's interior (shrunk by `margin`)?

    Liang–Barsky clipping: the segment crosses when some part of it survives
    clipping against the shrunk box. A negative margin grows the box instead.
    """
    left, top, right, bottom = box.x + margin, box.y + margin, box.right - margin, box.bottom - margin
    if right <= left or bottom <= top:
        return False
    (x0, y0), (x1, y1) = start, end
    if max(x0, x1) < left or min(x0, x1) > right or max(y0, y1) < top or min(y0, y1) > bottom:
        return False  # cheap rejection; most segments are nowhere near most shapes
    dx, dy = x1 - x0, y1 - y0
    t_enter, t_leave = 0.0, 1.0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t_enter = max(t_enter, t)
        else:
            t_leave = min(t_leave, t)
        if t_enter > t_leave:
            return False
    return t_leave - t_enter > 1e-9


def polyline_crosses(points: list[Point], box: Bounds, margin: float = 2.0) -> bool:
    return any(segment_crosses(a, b, box, margin) for a, b in zip(points, points[1:]))


def point_on_outline(point: Point, box: Bounds, shape_kind: str, tolerance: float = BORDER_TOLERANCE) -> bool:
    """Is the point on the drawn outline (the box; or the circle/diamond inside it)?"""
    if box.distance_to_border(point) <= tolerance:
        return True
    px, py = point
    cx, cy = box.center_x, box.center_y
    if shape_kind == "event":
        radius = min(box.width, box.height) / 2
        return abs(((px - cx) ** 2 + (py - cy) ** 2) ** 0.5 - radius) <= tolerance
    if shape_kind == "gateway":
        # |dx|/half_w + |dy|/half_h == 1 on the diamond; compare in pixels.
        half_w, half_h = box.width / 2, box.height / 2
        offset = abs(px - cx) / half_w + abs(py - cy) / half_h - 1
        return abs(offset) * min(half_w, half_h) <= tolerance
    return False


# --------------------------------------------------------------------------- reading the file

@dataclass(frozen=True)
class DiProblem:
    element_id: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.severity}: {self.element_id}: {self.message}"


@dataclass
class _Node:
    id: str
    tag: str
    parent_container: str | None  # id of the enclosing subprocess, None at process level
    attached_to: str | None = None

    @property
    def kind(self) -> str:
        if self.tag in EVENT_TAGS:
            return "event"
        if self.tag in GATEWAY_TAGS:
            return "gateway"
        return "activity"


@dataclass
class _Shape:
    di_id: str
    element_id: str
    bounds: Bounds
    label: Bounds | None
    is_expanded: bool


@dataclass
class _Edge:
    di_id: str
    element_id: str
    waypoints: list[Point]
    label: Bounds | None


class _Document:
    """The semantic facts and the DI of one BPMN file, indexed for the checks."""

    def __init__(self, root: etree._Element) -> None:
        self.nodes: dict[str, _Node] = {}
        self.flows: dict[str, tuple[str, str, str | None]] = {}  # id -> (source, target, container)
        self.associations: dict[str, tuple[str, str]] = {}
        self.annotations: set[str] = set()
        self.lanes: list[tuple[str, list[str]]] = []  # (lane id, flow node refs), document order
        self.participants: list[tuple[str, str | None]] = []  # (id, processRef)
        self.all_ids: set[str] = {el.get("id") for el in root.iter() if el.get("id")}
        for process in root.iter(bpmn_tag("process")):
            self._read_container(process, None)
            for lane in process.iter(bpmn_tag("lane")):
                refs = [ref.text.strip() for ref in lane.findall(bpmn_tag("flowNodeRef")) if ref.text]
                self.lanes.append((lane.get("id"), refs))
        for participant in root.iter(bpmn_tag("participant")):
            self.participants.append((participant.get("id"), participant.get("processRef")))
        self.shapes: dict[str, _Shape] = {}
        self.edges: dict[str, _Edge] = {}
        self.duplicate_di: list[str] = []
        self.unknown_di: list[str] = []
        diagram = root.find(f"{{{BPMNDI_NS}}}BPMNDiagram")
        if diagram is not None:
            self._read_diagram(diagram)

    def _read_container(self, container: etree._Element, container_id: str | None) -> None:
        for child in container:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN_NS:
                continue
            tag = local_name(child)
            if tag in FLOW_NODE_TAGS:
                self.nodes[child.get("id")] = _Node(child.get("id"), tag, container_id, child.get("attachedToRef"))
                if tag in CONTAINER_TAGS:
                    self._read_container(child, child.get("id"))
            elif tag == "sequenceFlow":
                self.flows[child.get("id")] = (child.get("sourceRef"), child.get("targetRef"), container_id)
            elif tag == "association":
                self.associations[child.get("id")] = (child.get("sourceRef"), child.get("targetRef"))
            elif tag == "textAnnotation":
                self.annotations.add(child.get("id"))

    def _read_diagram(self, diagram: etree._Element) -> None:
        for shape in diagram.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
            element_id = shape.get("bpmnElement")
            bounds = _bounds_of(shape.find(f"{{{DC_NS}}}Bounds"))
            label = shape.find(f"{{{BPMNDI_NS}}}BPMNLabel")
            record = _Shape(
                shape.get("id"), element_id, bounds,
                _bounds_of(label.find(f"{{{DC_NS}}}Bounds")) if label is not None else None,
                shape.get("isExpanded") == "true",
            )
            self._register(self.shapes, element_id, record)
        for edge in diagram.iter(f"{{{BPMNDI_NS}}}BPMNEdge"):
            element_id = edge.get("bpmnElement")
            points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall(f"{{{DI_NS}}}waypoint")]
            label = edge.find(f"{{{BPMNDI_NS}}}BPMNLabel")
            record = _Edge(
                edge.get("id"), element_id, points,
                _bounds_of(label.find(f"{{{DC_NS}}}Bounds")) if label is not None else None,
            )
            self._register(self.edges, element_id, record)

    def _register(self, index: dict, element_id: str | None, record) -> None:
        if element_id not in self.all_ids:
            self.unknown_di.append(record.di_id or "?")
        elif element_id in self.shapes or element_id in self.edges:
            self.duplicate_di.append(element_id)
        else:
            index[element_id] = record

    def ancestors(self, node_id: str) -> list[str]:
        """Enclosing subprocesses of a node, innermost first."""
        chain = []
        parent = self.nodes[node_id].parent_container if node_id in self.nodes else None
        while parent is not None:
            chain.append(parent)
            parent = self.nodes[parent].parent_container
        return chain

    def is_expanded_container(self, element_id: str) -> bool:
        node = self.nodes.get(element_id)
        shape = self.shapes.get(element_id)
        return node is not None and node.tag in CONTAINER_TAGS and shape is not None and shape.is_expanded

    def shape_kind(self, element_id: str) -> str:
        node = self.nodes.get(element_id)
        return node.kind if node else "activity"


def _bounds_of(element: etree._Element | None) -> Bounds | None:
    if element is None:
        return None
    return Bounds(*(float(element.get(name, "0")) for name in ("x", "y", "width", "height")))


# --------------------------------------------------------------------------- the checks

def check_di(xml: bytes, *, include_warnings: bool = False) -> list[DiProblem]:
    """Every DI problem found in a BPMN file, errors first, in a stable order."""
    root = etree.fromstring(xml, safe_parser())
    doc = _Document(root)
    problems: list[DiProblem] = []
    for check in (
        _check_presence, _check_lanes_tile_pool, _check_nodes_in_lanes, _check_overlaps,
        _check_boundary_events, _check_edges, _check_labels,
    ):
        problems.extend(check(doc))
    if not include_warnings:
        problems = [p for p in problems if p.severity == "error"]
    return sorted(problems, key=lambda p: p.severity != "error")


def _check_presence(doc: _Document) -> list[DiProblem]:
    problems = [DiProblem(i, "has more than one DI element") for i in doc.duplicate_di]
    problems += [DiProblem(i, "DI element points to an element that does not exist") for i in doc.unknown_di]
    needs_shape = list(doc.nodes) + [lane_id for lane_id, _ in doc.lanes]
    needs_shape += [pid for pid, process_ref in doc.participants if process_ref]
    problems += [DiProblem(i, "has no DI shape") for i in needs_shape if i not in doc.shapes]
    problems += [DiProblem(i, "has no DI edge") for i in doc.flows if i not in doc.edges]
    problems += [DiProblem(i, "has no DI shape", "warning") for i in sorted(doc.annotations) if i not in doc.shapes]
    problems += [DiProblem(i, "has no DI edge", "warning") for i in doc.associations if i not in doc.edges]
    return problems


def _check_lanes_tile_pool(doc: _Document) -> list[DiProblem]:
    lanes = [(lane_id, doc.shapes[lane_id].bounds) for lane_id, _ in doc.lanes if lane_id in doc.shapes]
    pools = [doc.shapes[pid].bounds for pid, ref in doc.participants if ref and pid in doc.shapes]
    if not lanes or not pools:
        return []
    pool = pools[0]
    problems = []
    top_to_bottom = sorted(lanes, key=lambda lane: lane[1].y)
    if [lane_id for lane_id, _ in top_to_bottom] != [lane_id for lane_id, _ in lanes]:
        problems.append(DiProblem(lanes[0][0], "lanes are not drawn top to bottom in their XML order"))
    expected_top = pool.y
    for lane_id, box in top_to_bottom:
        if abs(box.y - expected_top) > 1:
            gap_or_overlap = "overlaps the lane above" if box.y < expected_top else "leaves a gap above it"
            problems.append(DiProblem(lane_id, f"lane {gap_or_overlap}"))
        if abs(box.right - pool.right) > 1 or box.x < pool.x - 1 or box.x - pool.x > 60:
            problems.append(DiProblem(lane_id, "lane does not span the pool's width"))
        expected_top = box.bottom
    if abs(expected_top - pool.bottom) > 1:
        problems.append(DiProblem(top_to_bottom[-1][0], "lanes do not end at the bottom of the pool"))
    return problems


def _check_nodes_in_lanes(doc: _Document) -> list[DiProblem]:
    """Each node lies in the lane that lists it.

    An expanded subprocess is the exception: it encloses children that sit in
    several lanes, so it only has to reach into its own lane.
    """
    problems = []
    listed_in = {}
    for lane_id, refs in doc.lanes:
        for ref in refs:
            if ref not in doc.nodes:
                problems.append(DiProblem(lane_id, f"lane lists {ref}, which is not a flow node of the process"))
            elif ref in listed_in:
                problems.append(DiProblem(ref, f"is listed in lanes {listed_in[ref]} and {lane_id}"))
            listed_in.setdefault(ref, lane_id)
    pools = [doc.shapes[pid].bounds for pid, ref in doc.participants if ref and pid in doc.shapes]
    for node_id in doc.nodes:
        shape = doc.shapes.get(node_id)
        if shape is None:
            continue
        if pools and not pools[0].contains(shape.bounds):
            problems.append(DiProblem(node_id, "lies outside the pool"))
        lane_id = listed_in.get(node_id)
        if lane_id is None:
            if doc.lanes:
                problems.append(DiProblem(node_id, "is not listed in any lane"))
            continue
        lane = doc.shapes.get(lane_id)
        if lane is None:
            continue
        if doc.is_expanded_container(node_id):
            if not lane.bounds.overlaps(shape.bounds):
                problems.append(DiProblem(node_id, f"expanded subprocess does not reach into its lane {lane_id}"))
        elif not lane.bounds.contains(shape.bounds):
            problems.append(DiProblem(node_id, f"lies outside its lane {lane_id}"))
    return problems


def _solid_shapes(doc: _Document) -> list[str]:
    """Element ids whose shapes must not be covered: flow nodes and annotations."""
    return [i for i in list(doc.nodes) + sorted(doc.annotations) if i in doc.shapes]


def _may_overlap(doc: _Document, a: str, b: str) -> bool:
    node_a, node_b = doc.nodes.get(a), doc.nodes.get(b)
    if node_a and node_a.attached_to == b or node_b and node_b.attached_to == a:
        return True
    return a in doc.ancestors(b) or b in doc.ancestors(a)


def _check_overlaps(doc: _Document) -> list[DiProblem]:
    problems = []
    for a, b in combinations(_solid_shapes(doc), 2):
        if _may_overlap(doc, a, b):
            continue
        if doc.shapes[a].bounds.overlaps(doc.shapes[b].bounds):
            problems.append(DiProblem(a, f"shape overlaps {b}"))
    for node_id in doc.nodes:
        ancestors = doc.ancestors(node_id)
        if node_id not in doc.shapes or not ancestors:
            continue
        container = doc.shapes.get(ancestors[0])
        if container and container.is_expanded and not container.bounds.contains(doc.shapes[node_id].bounds):
            problems.append(DiProblem(node_id, f"sticks out of its subprocess {ancestors[0]}"))
    return problems


def _check_boundary_events(doc: _Document) -> list[DiProblem]:
    problems = []
    for node in doc.nodes.values():
        if not node.attached_to or node.id not in doc.shapes or node.attached_to not in doc.shapes:
            continue
        event = doc.shapes[node.id].bounds
        host = doc.shapes[node.attached_to].bounds
        if host.distance_to_border((event.center_x, event.center_y)) > BORDER_TOLERANCE:
            problems.append(DiProblem(node.id, f"boundary event is not on the border of {node.attached_to}"))
    return problems


def _check_edges(doc: _Document) -> list[DiProblem]:
    problems = []
    for flow_id, (source, target, container) in doc.flows.items():
        edge = doc.edges.get(flow_id)
        if edge is not None:
            problems += _check_edge_ends(doc, edge, source, target)
            problems += _check_edge_path(doc, edge, source, container)
    for association_id, (source, target) in doc.associations.items():
        edge = doc.edges.get(association_id)
        if edge is not None:
            problems += _check_edge_ends(doc, edge, source, target)
    return problems


def _check_edge_ends(doc: _Document, edge: _Edge, source: str, target: str) -> list[DiProblem]:
    if len(edge.waypoints) < 2:
        return [DiProblem(edge.element_id, "edge has fewer than two waypoints")]
    if len(set(edge.waypoints)) == 1:
        return [DiProblem(edge.element_id, "edge has zero length")]
    problems = []
    for end_name, element_id, point in (("start", source, edge.waypoints[0]), ("end", target, edge.waypoints[-1])):
        shape = doc.shapes.get(element_id)
        if shape is None:  # ends on another edge or on an element without a shape
            continue
        if not point_on_outline(point, shape.bounds, doc.shape_kind(element_id)):
            problems.append(DiProblem(edge.element_id, f"edge does not {end_name} at the border of {element_id}"))
    diagonal = any(a[0] != b[0] and a[1] != b[1] for a, b in zip(edge.waypoints, edge.waypoints[1:]))
    if diagonal:
        problems.append(DiProblem(edge.element_id, "edge has a diagonal segment", "warning"))
    return problems


def _check_edge_path(doc: _Document, edge: _Edge, source: str, container: str | None) -> list[DiProblem]:
    """A sequence flow may run through nothing but the subprocesses it lives in."""
    enclosing = set(doc.ancestors(source)) | ({container} if container else set())
    problems = []
    for other in _solid_shapes(doc):
        if other in enclosing:
            continue
        # Its own source and target too: an edge starts and ends on their outline, never inside them.
        if polyline_crosses(edge.waypoints, doc.shapes[other].bounds):
            problems.append(DiProblem(edge.element_id, f"edge runs through {other}"))
    return problems


def _labels(doc: _Document) -> list[tuple[str, Bounds]]:
    labels = [(i, s.label) for i, s in doc.shapes.items() if s.label is not None]
    labels += [(i, e.label) for i, e in doc.edges.items() if e.label is not None]
    return labels


def _check_labels(doc: _Document) -> list[DiProblem]:
    problems = []
    labels = _labels(doc)
    for owner, label in labels:
        owner_node = owner if owner in doc.nodes else doc.flows.get(owner, (None,))[0]
        allowed = {owner} | set(doc.ancestors(owner_node) if owner_node in doc.nodes else [])
        for other in _solid_shapes(doc):
            if other not in allowed and label.overlaps(doc.shapes[other].bounds, tolerance=1):
                problems.append(DiProblem(owner, f"label overlaps shape {other}"))
    for (a, label_a), (b, label_b) in combinations(labels, 2):
        if label_a.overlaps(label_b, tolerance=1):
            problems.append(DiProblem(a, f"label overlaps the label of {b}"))
    for owner, label in labels:
        for edge in doc.edges.values():
            if edge.element_id != owner and polyline_crosses(edge.waypoints, label, margin=1):
                problems.append(DiProblem(owner, f"label is crossed by edge {edge.element_id}", "warning"))
    return problems


# --------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    """``python -m webapp.diagrams.di_check [--warnings] FILE…``: exit 1 when a file has errors."""
    args = sys.argv[1:] if argv is None else argv
    include_warnings = "--warnings" in args
    paths = [a for a in args if a != "--warnings"]
    if not paths:
        print("usage: python -m webapp.diagrams.di_check [--warnings] FILE.bpmn [FILE.bpmn ...]", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        problems = check_di(Path(path).read_bytes(), include_warnings=include_warnings)
        for problem in problems:
            print(f"{path}: {problem}")
        failed = failed or any(p.severity == "error" for p in problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
