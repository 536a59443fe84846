"""Automatic layout for hand-written semantic BPMN files.

`layout_bpmn` throws away any diagram interchange (DI) a file has and draws a
new one: a pool for the process, one horizontal lane per ``bpmn:lane`` (in XML
order, top to bottom), and every node in the lane that lists it. The semantic
part of the file is left exactly as it was, except that a collaboration with a
participant is added when the file has none (bpmn-js only draws lanes inside a
pool).

How the picture is made, in phases (each a method group of `_Layout`):

1. Columns. Per container (the process, each expanded subprocess) nodes get a
   rank by longest path over the forward sequence flows; back edges (found by
   depth-first search) are ignored so loops do not stretch the diagram. An
   expanded subprocess is one node as wide as its own inner layout, and no
   sibling may share its columns in the lanes it spans, which keeps outside
   nodes out of its box (on a tie the plain node goes first; a separate route
   with its own start event moves past the box as a whole). Boundary events
   count as their host; their targets land in later columns.
2. Tracks. Within a lane, nodes of one column stack on numbered tracks. A node
   prefers the track of its predecessor so that main routes stay straight.
   Flows that skip columns reserve a track in the columns they pass (a
   "corridor"), and loops get a "band" below the lane's tracks. Where a
   subprocess box covers every lane such a flow could take, it gets a band
   below the box instead.
3. Coordinates. Column widths follow their widest shape, track heights their
   tallest shape plus the label below it, lane heights their tracks.
4. Edges. Each flow tries a handful of orthogonal routes through its
   corridor, band or the gaps between columns and keeps the one crossing the
   fewest shapes (ideally none) with the fewest bends.
5. Labels. Event, gateway and flow labels try a few spots each and keep the
   first that covers no shape, label or edge.

The new DI, an added collaboration and missing namespace declarations are
spliced into the original text, so every other byte of the file stays as it was
(checked against the parsed tree; if the splice ever disagrees, the tree is
written instead).

Run ``python -m webapp.diagrams.layout FILE…`` to rewrite files in place, or
with ``--check`` to only report which files would change or have DI problems.

Limits, on purpose:

- One process per file, drawn as one pool. Other participants of a
  collaboration (black-box pools) and message flows get no DI.
- Flat lanes only: a lane with a child lane set is refused (`LayoutError`).
- Data objects, data stores and groups get no DI; bpmn-js then just does not
  draw them.
- A boundary event on a subprocess sits on the box's bottom edge when its
  lane is the box's lowest lane, otherwise on the right edge within its lane,
  so that it always lies inside the lane that lists it.
- Label sizes come from Arial advance widths (bpmn-js's font, metric-equal
  to Liberation Sans); other fonts wrap a little differently.
- Labels avoid shapes and other labels; crossing an edge is only avoided
  where a free spot exists (check_di reports it as a warning).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from lxml import etree

from .di_check import (
    BPMN_NS,
    BPMNDI_NS,
    CONTAINER_TAGS,
    DC_NS,
    DI_NS,
    EVENT_TAGS,
    FLOW_NODE_TAGS,
    GATEWAY_TAGS,
    Bounds,
    Point,
    bpmn_tag,
    check_di,
    local_name,
    polyline_crosses,
    safe_parser,
)

# Standard shape sizes, as the bpmn.io modeler draws them.
TASK_WIDTH, TASK_HEIGHT = 100, 80
WIDEST_TASK = 180
EVENT_SIZE = 36
GATEWAY_SIZE = 50
ANNOTATION_WIDTH = 120

# Spacing.
COLUMN_GAP = 50            # between the widest shapes of two neighbouring columns
TRACK_GAP = 30             # between two stacked tracks in a lane
LANE_PADDING = 20          # above the first and below the last thing in a lane
POOL_HEADER = 30           # bpmn-js writes the pool name in this strip
LANE_HEADER = 30           # ... and the lane names in this one
CONTENT_INSET = 30         # from the lane header to the first column
CONTAINER_OUTER_GAP = 20   # between a subprocess box and its neighbours
CONTAINER_INNER_PAD = 15   # between a subprocess box and its first/last column
CONTAINER_TOP_PAD = 40     # room for the subprocess name at the top of its box
CONTAINER_BOTTOM_PAD = 20
BAND_OFFSET = 18           # from the lowest track to the first loop band
BAND_SPACING = 12          # between two loop bands
CORRIDOR_HALF_HEIGHT = 6
ROUTE_CLEARANCE = 3        # how close an edge may pass a shape it does not connect
LABEL_GAP = 4
MIN_LANE_HEIGHT = 120

# Text, as bpmn-js renders it (Arial or a metric-compatible font).
TASK_FONT_SIZE = 12
LABEL_FONT_SIZE = 11
LINE_HEIGHT_RATIO = 1.2
LABEL_WRAP_WIDTH = 90      # external labels wrap at this width in bpmn-js
TASK_TEXT_PADDING = 7      # bpmn-js pads embedded task labels by this much

PARTICIPANT_PREFIX = "Participant_"
COLLABORATION_PREFIX = "Collaboration_"


class LayoutError(ValueError):
    """The file does not follow the conventions this layout relies on."""


# --------------------------------------------------------------------------- measuring text

# Advance widths of Arial / Liberation Sans in 1/1000 em. Characters not listed
# count as a lowercase letter; that errs on the wide side for most accents.
_NARROW = dict.fromkeys("fijlrtI!|.,:;'`()[]{} /\\", 300)
_WIDE = dict.fromkeys("mwMW", 850)
_UPPER = dict.fromkeys("ABCDEFGHJKLNOPQRSTUVXYZ&%@", 700)
_CHAR_WIDTHS = {**_UPPER, **_WIDE, **_NARROW, "-": 333, "?": 556}
_DEFAULT_CHAR_WIDTH = 556


def text_width(text: str, font_size: float) -> float:
    return sum(_CHAR_WIDTHS.get(char, _DEFAULT_CHAR_WIDTH) for char in text) * font_size / 1000


def wrap_text(text: str, max_width: float, font_size: float) -> list[str]:
    """Greedy word wrap, the way bpmn-js breaks labels into lines."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, font_size) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return [line for line in lines if line] or [""]


def _line_height(font_size: float) -> float:
    return font_size * LINE_HEIGHT_RATIO


def external_label_size(text: str) -> tuple[int, int]:
    lines = wrap_text(text, LABEL_WRAP_WIDTH, LABEL_FONT_SIZE)
    width = max(text_width(line, LABEL_FONT_SIZE) for line in lines)
    return int(width) + 6, int(len(lines) * _line_height(LABEL_FONT_SIZE)) + 2


def _task_width_for(name: str) -> int:
    """The narrowest standard-height task that fits its name on three lines."""
    longest_word = max((text_width(word, TASK_FONT_SIZE) for word in name.split()), default=0)
    for width in range(TASK_WIDTH, WIDEST_TASK + 1, 20):
        room = width - 2 * TASK_TEXT_PADDING
        if longest_word <= room and len(wrap_text(name, room, TASK_FONT_SIZE)) <= 3:
            return width
    return WIDEST_TASK


# --------------------------------------------------------------------------- the semantic model

@dataclass
class FlowNode:
    id: str
    tag: str
    name: str
    container: str | None        # enclosing subprocess; None at process level
    lane: int
    order: int                   # document order, for stable tie-breaks
    attached_to: str | None = None
    children: list[str] = field(default_factory=list)    # nested nodes, boundary events excluded
    boundaries: list[str] = field(default_factory=list)  # boundary events attached to this node
    width: int = 0
    height: int = 0

    @property
    def is_container(self) -> bool:
        return self.tag in CONTAINER_TAGS and bool(self.children)

    @property
    def kind(self) -> str:
        if self.tag in EVENT_TAGS:
            return "event"
        if self.tag in GATEWAY_TAGS:
            return "gateway"
        return "container" if self.is_container else "activity"


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str
    container: str | None


@dataclass
class Annotation:
    id: str
    text: str
    target: str | None = None
    width: int = ANNOTATION_WIDTH
    height: int = 30


@dataclass
class Association:
    id: str
    source: str
    target: str


@dataclass
class Model:
    nodes: dict[str, FlowNode]
    flows: list[Flow]
    annotations: list[Annotation]
    associations: list[Association]
    lanes: list[tuple[str, str]]     # (id, name); empty when the process has no lanes
    top_level: list[str]

    def members(self, container: str | None) -> list[str]:
        return self.top_level if container is None else self.nodes[container].children

    def anchor(self, node_id: str) -> str:
        """The node that stands for `node_id` in the columns: a boundary event's host."""
        node = self.nodes[node_id]
        return node.attached_to if node.attached_to else node_id

    def ancestors(self, node_id: str) -> list[str]:
        chain, parent = [], self.nodes[node_id].container
        while parent is not None:
            chain.append(parent)
            parent = self.nodes[parent].container
        return chain


def read_model(process: etree._Element) -> Model:
    lanes, lane_of = _read_lanes(process)
    nodes: dict[str, FlowNode] = {}
    flows: list[Flow] = []
    annotations: list[Annotation] = []
    associations: list[Association] = []

    def read_container(element: etree._Element, container_id: str | None) -> list[str]:
        members = []
        for child in element:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN_NS:
                continue
            tag, child_id = local_name(child), child.get("id")
            if tag in FLOW_NODE_TAGS:
                node = FlowNode(
                    child_id, tag, _clean_name(child.get("name")), container_id,
                    lane_of.get(child_id, -1), len(nodes), child.get("attachedToRef"),
                )
                nodes[child_id] = node
                if tag in CONTAINER_TAGS:
                    node.children = read_container(child, child_id)
                if not node.attached_to:
                    members.append(child_id)
            elif tag == "sequenceFlow":
                flows.append(Flow(child_id, child.get("sourceRef"), child.get("targetRef"),
                                  _clean_name(child.get("name")), container_id))
            elif tag == "textAnnotation":
                text = child.findtext(bpmn_tag("text")) or ""
                annotations.append(Annotation(child_id, " ".join(text.split())))
            elif tag == "association":
                associations.append(Association(child_id, child.get("sourceRef"), child.get("targetRef")))
        return members

    top_level = read_container(process, None)
    model = Model(nodes, flows, annotations, associations, lanes, top_level)
    _attach_boundaries(model)
    _assign_missing_lanes(model)
    _link_annotations(model)
    _check_flows(model)
    return model


def _clean_name(name: str | None) -> str:
    return " ".join((name or "").split())


def _read_lanes(process: etree._Element) -> tuple[list[tuple[str, str]], dict[str, int]]:
    lane_set = process.find(bpmn_tag("laneSet"))
    if lane_set is None:
        return [], {}
    lanes, lane_of = [], {}
    for index, lane in enumerate(lane_set.findall(bpmn_tag("lane"))):
        if lane.find(f"{bpmn_tag('childLaneSet')}/{bpmn_tag('lane')}") is not None:
            raise LayoutError(f"lane {lane.get('id')} has nested lanes, which this layout does not support")
        lanes.append((lane.get("id"), _clean_name(lane.get("name"))))
        for ref in lane.findall(bpmn_tag("flowNodeRef")):
            node_id = (ref.text or "").strip()
            if node_id in lane_of:
                raise LayoutError(f"{node_id} is listed in more than one lane")
            lane_of[node_id] = index
    return lanes, lane_of


def _attach_boundaries(model: Model) -> None:
    for node in model.nodes.values():
        if node.attached_to:
            host = model.nodes.get(node.attached_to)
            if host is None:
                raise LayoutError(f"boundary event {node.id} is attached to unknown {node.attached_to}")
            host.boundaries.append(node.id)


def _assign_missing_lanes(model: Model) -> None:
    """Without lanes everything sits in one row; a boundary event may inherit its host's lane."""
    for node in model.nodes.values():
        if not model.lanes:
            node.lane = 0
        elif node.lane < 0 and node.attached_to and model.nodes[node.attached_to].lane >= 0:
            node.lane = model.nodes[node.attached_to].lane
    unlisted = [node.id for node in model.nodes.values() if node.lane < 0]
    if unlisted:
        raise LayoutError(f"not listed in any lane: {', '.join(unlisted)}")


def _link_annotations(model: Model) -> None:
    by_id = {annotation.id: annotation for annotation in model.annotations}
    for association in model.associations:
        for end, other in ((association.source, association.target), (association.target, association.source)):
            if end in by_id and by_id[end].target is None and other not in by_id:
                by_id[end].target = other
    for annotation in model.annotations:
        lines = wrap_text(annotation.text, annotation.width - 2 * TASK_TEXT_PADDING, TASK_FONT_SIZE)
        annotation.height = max(30, int(len(lines) * _line_height(TASK_FONT_SIZE)) + 12)


def _check_flows(model: Model) -> None:
    for flow in model.flows:
        for end in (flow.source, flow.target):
            if end not in model.nodes:
                raise LayoutError(f"sequence flow {flow.id} refers to unknown node {end}")


# --------------------------------------------------------------------------- phase 1: columns

def _find_back_edges(members: list[str], edges: list[tuple[str, str, str]]) -> set[str]:
    """Flow ids that close a loop, by depth-first search from the nodes nothing flows into."""
    outgoing: dict[str, list[tuple[str, str]]] = {member: [] for member in members}
    has_incoming = set()
    for source, target, flow_id in edges:
        outgoing[source].append((target, flow_id))
        if source != target:
            has_incoming.add(target)
    on_stack, done, back = set(), set(), set()
    for root in [m for m in members if m not in has_incoming] + members:
        if root in on_stack or root in done:
            continue
        on_stack.add(root)
        stack = [(root, iter(outgoing[root]))]
        while stack:
            node, successors = stack[-1]
            step = next(successors, None)
            if step is None:
                on_stack.discard(node)
                done.add(node)
                stack.pop()
                continue
            target, flow_id = step
            if target in on_stack:
                back.add(flow_id)
            elif target not in done:
                on_stack.add(target)
                stack.append((target, iter(outgoing[target])))
    return back


def _connected_components(members: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Component number per member, ignoring edge direction."""
    neighbours = defaultdict(list)
    for source, target in edges:
        neighbours[source].append(target)
        neighbours[target].append(source)
    component: dict[str, int] = {}
    for number, member in enumerate(members):
        if member in component:
            continue
        stack = [member]
        while stack:
            node = stack.pop()
            if node not in component:
                component[node] = number
                stack.extend(neighbours[node])
    return component


def _stack_loops(loops: list[tuple[int, int, str]]) -> dict[str, int]:
    """Level per loop (first column, last column, flow id): overlapping loops get different levels,
    and short loops get the lowest, so that they run closest to the content."""
    taken: list[tuple[int, int, int]] = []  # (first, last, level)
    levels = {}
    for first, last, flow_id in sorted(loops, key=lambda loop: (loop[1] - loop[0], loop[0], loop[2])):
        level = 0
        while any(lvl == level and f <= last and first <= l for f, l, lvl in taken):
            level += 1
        taken.append((first, last, level))
        levels[flow_id] = level
    return levels


def _longest_path_ranks(
    members: list[str], forward: list[tuple[str, str]], width: dict[str, int], min_rank: dict[str, int],
) -> dict[str, int]:
    predecessors = defaultdict(list)
    indegree = dict.fromkeys(members, 0)
    for source, target in forward:
        predecessors[target].append(source)
        indegree[target] += 1
    successors = defaultdict(list)
    for source, target in forward:
        successors[source].append(target)
    ready = [m for m in members if indegree[m] == 0]
    rank: dict[str, int] = {}
    while ready:
        node = ready.pop(0)
        rank[node] = max([min_rank.get(node, 0)] + [rank[p] + width[p] for p in predecessors[node]])
        for successor in successors[node]:
            indegree[successor] -= 1
            if indegree[successor] == 0:
                ready.append(successor)
    return rank


# --------------------------------------------------------------------------- layout state


@dataclass
class _Corridor:
    """Track space reserved for a flow that passes columns without stopping."""
    flow_id: str
    lane: int
    first_column: int
    last_column: int
    track: int = 0


@dataclass
class _Drawing:
    pool: Bounds
    lanes: list[Bounds]
    shapes: dict[str, Bounds]
    edges: dict[str, list[Point]]
    labels: dict[str, Bounds]


class _Layout:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.nodes = model.nodes
        self.rank: dict[str, int] = {}
        self.span: dict[str, int] = {}          # width in columns
        self.column: dict[str, int] = {}
        self.lane_span: dict[str, tuple[int, int]] = {}
        self.back_edges: set[str] = set()
        self.corridors: dict[str, _Corridor] = {}
        self.band: dict[str, tuple[int, int]] = {}   # back edge -> (lane, level)
        self.outer_band: dict[str, tuple[int, int]] = {}  # flow that must pass under a box -> (lane, level)
        self.track: dict[str, int] = {}
        self.annotation_cell: dict[str, tuple[int, int]] = {}  # id -> (lane, column)
        self.bounds: dict[str, Bounds] = {}
        self.routes: dict[str, list[Point]] = {}
        self.labels: dict[str, Bounds] = {}
        self.placed_labels: list[Bounds] = []
        self.lane_count = max(1, len(model.lanes))

    def run(self) -> _Drawing:
        self._size_leaves()
        for member in self.model.top_level:
            self._compute_lane_span(member)
        self._assign_ranks(None)
        self._assign_columns(None, 0)
        self._plan_corridors_and_bands()
        self._place_annotations_in_cells()
        self._assign_tracks()
        self._compute_coordinates()
        self._route_edges()
        self._place_labels()
        return _Drawing(self.pool, self.lane_boxes, self.bounds, self.routes, self.labels)

    # ----------------------------------------------------------- sizes and spans

    def _size_leaves(self) -> None:
        for node in self.nodes.values():
            if node.kind == "event":
                node.width = node.height = EVENT_SIZE
            elif node.kind == "gateway":
                node.width = node.height = GATEWAY_SIZE
            elif node.kind == "activity":
                node.width, node.height = _task_width_for(node.name), TASK_HEIGHT

    def _compute_lane_span(self, node_id: str) -> tuple[int, int]:
        node = self.nodes[node_id]
        lanes = [node.lane]
        if node.is_container:
            lanes += [self.nodes[b].lane for b in node.boundaries]
            for child in node.children:
                lanes += list(self._compute_lane_span(child))
        self.lane_span[node_id] = (min(lanes), max(lanes))
        return self.lane_span[node_id]

    def _level_edges(self, container: str | None) -> list[tuple[str, str, str]]:
        """(source, target, flow id) between the members of one container."""
        return [
            (self.model.anchor(flow.source), flow.target, flow.id)
            for flow in self.model.flows if flow.container == container
        ]

    # ----------------------------------------------------------- phase 1: columns

    def _assign_ranks(self, container: str | None) -> int:
        """Rank the members of a container; returns the container's width in columns."""
        members = self.model.members(container)
        for member in members:
            self.span[member] = self._assign_ranks(member) if self.nodes[member].is_container else 1
        edges = self._level_edges(container)
        back = _find_back_edges(members, edges)
        self.back_edges |= back
        forward = [(source, target) for source, target, flow_id in edges if flow_id not in back]
        component = _connected_components(members, [(source, target) for source, target, _ in edges])
        min_rank: dict[str, int] = {}
        for _ in range(4 * len(members) ** 2 + 1):  # every round raises a minimum rank, so this ends
            rank = _longest_path_ranks(members, forward, self.span, min_rank)
            clash = self._first_column_clash(members, rank)
            if clash is not None:
                for node, new_rank in self._resolve_clash(*clash, rank, component, forward).items():
                    min_rank[node] = max(min_rank.get(node, 0), new_rank)
                continue
            pulls = self._lead_in_pulls(members, forward, rank)
            if not pulls:
                break
            min_rank.update(pulls)
        self.rank.update(rank)
        return max((rank[m] + self.span[m] for m in members), default=1)

    def _lead_in_pulls(self, members: list[str], forward: list[tuple[str, str]], rank: dict[str, int]) -> dict[str, int]:
        """New minimum ranks that move a start event and its single-file chain up to where it leads.

        Longest-path ranking puts every start at column 0, so a second, separate route (say, a message
        start for a reply from Veilig Thuis) would otherwise stretch from the far left to where it joins.
        """
        successors, predecessors = defaultdict(list), defaultdict(list)
        for source, target in forward:
            successors[source].append(target)
            predecessors[target].append(source)
        pulls = {}
        for start in [m for m in members if not predecessors[m] and successors[m]]:
            chain = [start]
            while len(successors[chain[-1]]) == 1:
                following = successors[chain[-1]][0]
                if len(predecessors[following]) != 1 or len(successors[following]) != 1:
                    break
                chain.append(following)
            chain_width = sum(self.span[node] for node in chain)
            wanted = min(rank[s] for s in successors[chain[-1]]) - chain_width
            if wanted > rank[start]:
                pulls[start] = wanted
        return pulls

    def _first_column_clash(self, members: list[str], rank: dict[str, int]) -> tuple[str, str] | None:
        """Two siblings sharing columns and lanes where at least one is a subprocess box."""
        for a, b in combinations(members, 2):
            if not (self.nodes[a].is_container or self.nodes[b].is_container):
                continue
            (a_top, a_bottom), (b_top, b_bottom) = self.lane_span[a], self.lane_span[b]
            if a_top > b_bottom or b_top > a_bottom:
                continue
            if rank[a] < rank[b] + self.span[b] and rank[b] < rank[a] + self.span[a]:
                return a, b
        return None

    def _resolve_clash(self, a: str, b: str, rank: dict[str, int], component: dict[str, int],
                       forward: list[tuple[str, str]]) -> dict[str, int]:
        """Which nodes move right, and to which rank, so that a box and its sibling stop sharing columns.

        A separate route (another start event) moves past the box as a whole; otherwise the sibling
        that starts later moves. On a tie a plain node goes first: it is typically a short branch
        (an end event, say) whose flow would otherwise have to cross the box.
        """
        if component[a] != component[b]:
            main_component = component[self.model.members(self.nodes[a].container)[0]]
            moving, staying = (b, a) if component[a] == main_component else (a, b)
            targets = {t for _, t in forward}
            sources = [n for n, c in component.items() if c == component[moving] and n not in targets]
            return dict.fromkeys(sources, rank[staying] + self.span[staying])
        def start_order(node: str) -> tuple:
            return rank[node], self.nodes[node].is_container, self.nodes[node].order

        first, later = sorted((a, b), key=start_order)
        return {later: rank[first] + self.span[first]}

    def _assign_columns(self, container: str | None, first_column: int) -> None:
        for member in self.model.members(container):
            self.column[member] = first_column + self.rank[member]
            if self.nodes[member].is_container:
                self._assign_columns(member, self.column[member])

    def _last_column(self, node_id: str) -> int:
        return self.column[node_id] + self.span[node_id] - 1

    def _plan_corridors_and_bands(self) -> None:
        loops_by_lane: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        # Loops, and flows skipping over a box that covers every lane, pass under the lowest box in the way.
        loops_under_boxes: dict[tuple[int, str | None], list[tuple[int, int, str]]] = defaultdict(list)
        for flow in self.model.flows:
            source = self.model.anchor(flow.source)
            if flow.id in self.back_edges:
                lane = self.lane_span[source][1] if self.nodes[source].is_container else self.nodes[source].lane
                loop = (self.column[flow.target], self._last_column(source), flow.id)
                boxes = self._boxes_in_the_way(flow.container, lane, loop[0], loop[1])
                if boxes:
                    lowest_lane = max(self.lane_span[box][1] for box in boxes)
                    loops_under_boxes[(lowest_lane, flow.container)].append(loop)
                else:
                    loops_by_lane[lane].append(loop)
                continue
            first, last = self._last_column(source) + 1, self.column[flow.target] - 1
            if first > last:
                continue
            lane = self._corridor_lane(flow, source, first, last)
            boxes = self._boxes_in_the_way(flow.container, lane, first, last)
            if boxes:  # a box covers every lane here: pass under it like a loop does
                lowest_lane = max(self.lane_span[box][1] for box in boxes)
                loops_under_boxes[(lowest_lane, flow.container)].append((first, last, flow.id))
            else:
                self.corridors[flow.id] = _Corridor(flow.id, lane, first, last)
        for lane, loops in loops_by_lane.items():
            self.band.update({flow_id: (lane, level) for flow_id, level in _stack_loops(loops).items()})
        for (lane, _), loops in loops_under_boxes.items():
            self.outer_band.update({flow_id: (lane, level) for flow_id, level in _stack_loops(loops).items()})

    def _corridor_lane(self, flow: Flow, source: str, first: int, last: int) -> int:
        """The source's lane, unless a subprocess box stands in the way there."""
        preferred = [self.nodes[n].lane for n in (source, flow.target) if not self.nodes[n].is_container]
        preferred = preferred or [self.nodes[source].lane]
        by_distance = sorted(range(self.lane_count), key=lambda lane: (abs(lane - preferred[0]), lane))
        for lane in preferred + by_distance:
            if not self._boxes_in_the_way(flow.container, lane, first, last):
                return lane
        return preferred[0]

    def _boxes_in_the_way(self, container: str | None, lane: int, first: int, last: int) -> list[str]:
        """Subprocess boxes among the container's members that cover the lane somewhere in these columns."""
        return [
            member for member in self.model.members(container)
            if self.nodes[member].is_container
            and self.lane_span[member][0] <= lane <= self.lane_span[member][1]
            and self.column[member] <= last and first <= self._last_column(member)
        ]

    # ----------------------------------------------------------- phase 2: tracks

    def _place_annotations_in_cells(self) -> None:
        """An annotation sits in the lane and column of what it describes, below it."""
        flows = {flow.id: flow for flow in self.model.flows}
        for annotation in self.model.annotations:
            target = annotation.target
            if target in flows:
                target = self.model.anchor(flows[target].source)
            if target in self.nodes:
                target = self.model.anchor(target)
                node = self.nodes[target]
                if node.is_container:
                    self.annotation_cell[annotation.id] = (self.lane_span[target][0], self._last_column(target) + 1)
                else:
                    self.annotation_cell[annotation.id] = (node.lane, self.column[target])
            else:
                self.annotation_cell[annotation.id] = (0, 0)

    def _leaves(self) -> list[str]:
        return [n.id for n in self.nodes.values() if not n.is_container and not n.attached_to]

    def _assign_tracks(self) -> None:
        starting_in: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for leaf in self._leaves():
            starting_in[self.column[leaf]].append(("node", leaf))
        for corridor in self.corridors.values():
            starting_in[corridor.first_column].append(("corridor", corridor.flow_id))
        for annotation_id, (_, column) in self.annotation_cell.items():
            starting_in[column].append(("annotation", annotation_id))
        taken: dict[tuple[int, int], set[int]] = defaultdict(set)  # (lane, column) -> tracks
        kind_order = {"node": 0, "corridor": 1, "annotation": 2}
        self.annotation_track: dict[str, int] = {}
        for column in sorted(starting_in):
            items = [(self._preferred_track(kind, item), kind_order[kind], self._is_side_path(kind, item), index,
                      kind, item)
                     for index, (kind, item) in enumerate(starting_in[column])]
            for preferred, _, _, _, kind, item in sorted(items):
                lane, columns = self._cells_of(kind, item)
                track = preferred
                while any(track in taken[(lane, c)] for c in columns):
                    track += 1
                for c in columns:
                    taken[(lane, c)].add(track)
                self._store_track(kind, item, track)
        self.track_count = [0] * self.lane_count
        for (lane, _), tracks in taken.items():
            self.track_count[lane] = max(self.track_count[lane], max(tracks) + 1)

    def _is_side_path(self, kind: str, item: str) -> bool:
        """A node reached only from boundary events: it yields the straight track to the main route."""
        if kind != "node":
            return False
        incoming = [f for f in self.model.flows if f.target == item and f.id not in self.back_edges]
        return bool(incoming) and all(self.nodes[f.source].attached_to for f in incoming)

    def _cells_of(self, kind: str, item: str) -> tuple[int, range]:
        if kind == "node":
            return self.nodes[item].lane, range(self.column[item], self.column[item] + 1)
        if kind == "corridor":
            corridor = self.corridors[item]
            return corridor.lane, range(corridor.first_column, corridor.last_column + 1)
        lane, column = self.annotation_cell[item]
        return lane, range(column, column + 1)

    def _store_track(self, kind: str, item: str, track: int) -> None:
        if kind == "node":
            self.track[item] = track
        elif kind == "corridor":
            self.corridors[item].track = track
        else:
            self.annotation_track[item] = track

    def _preferred_track(self, kind: str, item: str) -> int:
        """Stay level with the predecessor in the same lane; a boundary's path goes below its host."""
        if kind == "annotation":
            target = next((a.target for a in self.model.annotations if a.id == item), None)
            anchor = self.model.anchor(target) if target in self.nodes else None
            return self.track[anchor] + 1 if anchor in self.track else 0
        flows = [self._flow(item)] if kind == "corridor" else [
            f for f in self.model.flows if f.target == item and f.id not in self.back_edges
        ]
        lane = self.corridors[item].lane if kind == "corridor" else self.nodes[item].lane
        direct = [f for f in flows if kind == "corridor" or f.id not in self.corridors]
        for flow in direct:
            source = self.model.anchor(flow.source)
            if source in self.track and self.nodes[source].lane == lane:
                below_host = 1 if self.nodes[flow.source].attached_to else 0
                return self.track[source] + below_host
        for flow in flows:
            corridor = self.corridors.get(flow.id)
            if kind == "node" and corridor is not None and corridor.lane == lane:
                return corridor.track
        return 0

    def _flow(self, flow_id: str) -> Flow:
        return next(flow for flow in self.model.flows if flow.id == flow_id)

    # ----------------------------------------------------------- phase 3: coordinates

    def _compute_coordinates(self) -> None:
        self._compute_columns_x()
        self._compute_lanes_y()
        self._place_leaves()
        self._place_containers()
        self._place_boundary_events()
        self._place_annotations()
        pool_height = self.lane_boxes[-1].bottom - self.pool_top
        self.pool = Bounds(0, self.pool_top, self.content_right + CONTENT_INSET, pool_height)
        if self.model.lanes:
            self.lane_boxes = [Bounds(POOL_HEADER, b.y, self.pool.width - POOL_HEADER, b.height)
                               for b in self.lane_boxes]

    def _containers(self) -> list[str]:
        return [n.id for n in self.nodes.values() if n.is_container]

    def _column_widths(self) -> list[int]:
        total = max([self._last_column(n) + 1 for n in self.column]
                    + [column + 1 for _, column in self.annotation_cell.values()], default=1)
        widest = [EVENT_SIZE] * total
        for leaf in self._leaves():
            widest[self.column[leaf]] = max(widest[self.column[leaf]], self.nodes[leaf].width)
        for annotation in self.model.annotations:
            column = self.annotation_cell[annotation.id][1]
            widest[column] = max(widest[column], annotation.width)
        widths = [w + COLUMN_GAP for w in widest]
        for flow in self.model.flows:
            source = self.nodes[flow.source]
            target = self.nodes[flow.target]
            leaves_sideways = target.lane == source.lane and flow.id not in self.back_edges
            if flow.name and leaves_sideways and not source.is_container and not source.attached_to:
                label_width, _ = external_label_size(flow.name)
                column = self.column[source.id]
                room = (widths[column] - source.width) / 2 + COLUMN_GAP / 2
                if label_width + 2 * LABEL_GAP > room:
                    widths[column] += int(2 * (label_width + 2 * LABEL_GAP - room))
        return widths

    def _compute_columns_x(self) -> None:
        widths = self._column_widths()
        opening, closing = defaultdict(list), defaultdict(list)
        for container in self._containers():
            opening[self.column[container]].append(container)
            closing[self._last_column(container)].append(container)
        depth = {c: len(self.model.ancestors(c)) for c in self._containers()}
        self.box_left: dict[str, int] = {}
        self.box_right: dict[str, int] = {}
        self.column_left: list[int] = []
        self.column_width = widths
        cursor = POOL_HEADER + LANE_HEADER + CONTENT_INSET
        for column, width in enumerate(widths):
            for container in sorted(opening[column], key=depth.get):
                cursor += CONTAINER_OUTER_GAP
                self.box_left[container] = cursor
                cursor += CONTAINER_INNER_PAD
            self.column_left.append(cursor)
            cursor += width
            for container in sorted(closing[column], key=depth.get, reverse=True):
                cursor += CONTAINER_INNER_PAD
                self.box_right[container] = cursor
                cursor += CONTAINER_OUTER_GAP + self._right_overhang(container)
        self.content_right = cursor

    def _right_boundaries(self, container: str) -> list[str]:
        bottom_lane = self.lane_span[container][1]
        return [b for b in self.nodes[container].boundaries if self.nodes[b].lane != bottom_lane]

    def _right_overhang(self, container: str) -> int:
        """Width taken right of a box by boundary events on its right edge and their labels."""
        boundaries = self._right_boundaries(container)
        if not boundaries:
            return 0
        labels = [external_label_size(self.nodes[b].name)[0] for b in boundaries if self.nodes[b].name]
        return EVENT_SIZE // 2 + max([0] + [LABEL_GAP + w for w in labels])

    def _bottom_boundaries(self, host: str) -> list[str]:
        if not self.nodes[host].is_container:
            return list(self.nodes[host].boundaries)
        bottom_lane = self.lane_span[host][1]
        return [b for b in self.nodes[host].boundaries if self.nodes[b].lane == bottom_lane]

    def _track_extents(self) -> dict[tuple[int, int], tuple[int, int]]:
        """(lane, track) -> (room above the centre line, room below it)."""
        extents: dict[tuple[int, int], tuple[int, int]] = {}

        def widen(lane: int, track: int, above: int, below: int) -> None:
            old_above, old_below = extents.get((lane, track), (0, 0))
            extents[(lane, track)] = (max(old_above, above), max(old_below, below))

        for leaf in self._leaves():
            node = self.nodes[leaf]
            widen(node.lane, self.track[leaf], node.height // 2, node.height // 2 + self._room_below(node))
        for corridor in self.corridors.values():
            widen(corridor.lane, corridor.track, CORRIDOR_HALF_HEIGHT, CORRIDOR_HALF_HEIGHT)
        for annotation in self.model.annotations:
            lane, _ = self.annotation_cell[annotation.id]
            half = annotation.height // 2
            widen(lane, self.annotation_track[annotation.id], half, annotation.height - half)
        return extents

    def _room_below(self, node: FlowNode) -> int:
        """Space under a shape for its own label or its boundary events and theirs."""
        if node.kind in ("event", "gateway") and node.name:
            return LABEL_GAP + external_label_size(node.name)[1]
        return self._boundary_overhang(node.id)

    def _boundary_overhang(self, host: str) -> int:
        """Height under a host taken by the boundary events on its bottom edge and their labels."""
        boundaries = self._bottom_boundaries(host)
        if not boundaries:
            return 0
        labels = [external_label_size(self.nodes[b].name)[1] for b in boundaries if self.nodes[b].name]
        return max([EVENT_SIZE // 2] + [LABEL_GAP + h for h in labels]) + LABEL_GAP

    def _compute_lanes_y(self) -> None:
        extents = self._track_extents()
        containers = self._containers()
        top_depth = self._top_depths(containers)
        self.box_top: dict[str, int] = {}
        self.box_bottom: dict[str, int] = {}
        self.track_y: dict[tuple[int, int], int] = {}
        self.band_y: dict[tuple[int, int], int] = {}
        self.outer_band_y: dict[str, int] = {}
        self.lane_boxes: list[Bounds] = []
        self.pool_top = 0
        lane_top = self.pool_top
        for lane in range(self.lane_count):
            starting_here = [c for c in containers if self.lane_span[c][0] == lane]
            for container in starting_here:
                self.box_top[container] = lane_top + LANE_PADDING + (top_depth[container] - 1) * CONTAINER_TOP_PAD
            cursor = lane_top + LANE_PADDING + max([0] + [top_depth[c] * CONTAINER_TOP_PAD for c in starting_here])
            for track in range(self.track_count[lane]):
                above, below = extents.get((lane, track), (CORRIDOR_HALF_HEIGHT, CORRIDOR_HALF_HEIGHT))
                self.track_y[(lane, track)] = cursor + above
                cursor += above + below + TRACK_GAP
            content_end = cursor - (TRACK_GAP if self.track_count[lane] else 0)
            levels = sorted({level for band_lane, level in self.band.values() if band_lane == lane})
            for level in levels:
                self.band_y[(lane, level)] = content_end + BAND_OFFSET + level * BAND_SPACING
            if levels:
                content_end = self.band_y[(lane, levels[-1])] + BAND_OFFSET // 2
            lane_bottom = self._close_containers(lane, content_end) + LANE_PADDING
            height = max(lane_bottom - lane_top, self._lane_name_height(lane))
            self.lane_boxes.append(Bounds(POOL_HEADER, lane_top, 0, height))
            lane_top += height

    def _top_depths(self, containers: list[str]) -> dict[str, int]:
        """How many boxes (this one and enclosing ones) have their top edge in this box's top lane."""
        depth = {}
        for container in sorted(containers, key=lambda c: len(self.model.ancestors(c))):
            parent = self.nodes[container].container
            same_top = parent is not None and self.lane_span[parent][0] == self.lane_span[container][0]
            depth[container] = depth[parent] + 1 if same_top else 1
        return depth

    def _close_containers(self, lane: int, content_end: int) -> int:
        """Set the bottom edges of boxes ending in this lane, innermost first; returns the lowest extent.

        Loops that pass under a box run below everything of their own container in this lane, and
        that container's box (if it ends here too) closes below them.
        """
        ending = [c for c in self._containers() if self.lane_span[c][1] == lane]
        extent: dict[str, int] = {}
        for container in sorted(ending, key=lambda c: -len(self.model.ancestors(c))):
            inner = max([content_end] + [extent[c] for c in self.nodes[container].children if c in extent])
            inner = self._place_outer_bands(lane, inner, lambda flow, c=container: flow.container == c)
            self.box_bottom[container] = inner + CONTAINER_BOTTOM_PAD
            extent[container] = self.box_bottom[container] + self._boundary_overhang(container)
        lowest = max([content_end] + list(extent.values()))
        return self._place_outer_bands(lane, lowest, lambda flow: flow.id not in self.outer_band_y)

    def _place_outer_bands(self, lane: int, floor: int, belongs) -> int:
        """Put the outer bands of this lane that `belongs` selects below `floor`; returns the new floor."""
        chosen = [f for f in self.model.flows if self.outer_band.get(f.id, (None,))[0] == lane and belongs(f)]
        chosen = [f for f in chosen if f.id not in self.outer_band_y]
        for flow in chosen:
            self.outer_band_y[flow.id] = floor + BAND_OFFSET + self.outer_band[flow.id][1] * BAND_SPACING
        if not chosen:
            return floor
        return max(self.outer_band_y[f.id] for f in chosen) + BAND_OFFSET // 2

    def _lane_name_height(self, lane: int) -> int:
        """Tall enough for bpmn-js to write the lane name in at most two lines."""
        if not self.model.lanes:
            return MIN_LANE_HEIGHT
        name = self.model.lanes[lane][1]
        return max(MIN_LANE_HEIGHT, int(text_width(name, TASK_FONT_SIZE) / 2) + 40)

    def _place_leaves(self) -> None:
        for leaf in self._leaves():
            node = self.nodes[leaf]
            column = self.column[leaf]
            center_x = self.column_left[column] + self.column_width[column] // 2
            center_y = self.track_y[(node.lane, self.track[leaf])]
            self.bounds[leaf] = Bounds(center_x - node.width // 2, center_y - node.height // 2, node.width, node.height)

    def _place_containers(self) -> None:
        for container in self._containers():
            left, top = self.box_left[container], self.box_top[container]
            self.bounds[container] = Bounds(left, top, self.box_right[container] - left,
                                            self.box_bottom[container] - top)

    def _place_boundary_events(self) -> None:
        half = EVENT_SIZE // 2
        for host_id in [n.id for n in self.nodes.values() if n.boundaries]:
            host = self.bounds[host_id]
            bottom = self._bottom_boundaries(host_id)
            for index, boundary in enumerate(bottom):
                if self.nodes[host_id].is_container:
                    center_x = host.right - 60 - 80 * (len(bottom) - 1 - index)
                elif len(bottom) == 1:
                    center_x = host.x + host.width * 3 // 4
                else:
                    center_x = host.x + host.width * (index + 1) // (len(bottom) + 1)
                self.bounds[boundary] = Bounds(center_x - half, host.bottom - half, EVENT_SIZE, EVENT_SIZE)
            if self.nodes[host_id].is_container:
                for boundary in self._right_boundaries(host_id):
                    center_y = self._right_boundary_y(host, boundary)
                    self.bounds[boundary] = Bounds(host.right - half, center_y - half, EVENT_SIZE, EVENT_SIZE)

    def _right_boundary_y(self, host: Bounds, boundary: str) -> int:
        """Level with the first target in the event's lane, so its flow leaves straight; else mid-lane."""
        lane = self.nodes[boundary].lane
        lane_box = self.lane_boxes[lane]
        top, bottom = max(host.y, lane_box.y) + EVENT_SIZE, min(host.bottom, lane_box.bottom) - EVENT_SIZE
        for flow in self.model.flows:
            target = self.bounds.get(flow.target)
            if flow.source == boundary and self.nodes[flow.target].lane == lane and target is not None:
                if top <= target.center_y <= bottom:
                    return int(target.center_y)
        return (top + bottom) // 2

    def _place_annotations(self) -> None:
        for annotation in self.model.annotations:
            lane, column = self.annotation_cell[annotation.id]
            center_x = self.column_left[column] + self.column_width[column] // 2
            center_y = self.track_y[(lane, self.annotation_track[annotation.id])]
            self.bounds[annotation.id] = Bounds(center_x - annotation.width // 2, center_y - annotation.height // 2,
                                                annotation.width, annotation.height)

    # ----------------------------------------------------------- phase 4: edges

    def _route_edges(self) -> None:
        obstacles = list(self.bounds.items())
        loops_first = sorted(self.model.flows, key=lambda f: f.id not in self.back_edges)
        candidates = {flow.id: self._candidate_routes(flow) for flow in loops_first}
        # The second pass reroutes every flow knowing all the others, so a flow routed early does not
        # keep a port that a later one needed more.
        for _ in range(2):
            for flow in loops_first:
                self.routes.pop(flow.id, None)
                options = candidates[flow.id]
                self.routes[flow.id] = min(
                    options, key=lambda route: self._route_cost(flow, route, obstacles, options.index(route))
                )
        for association in self.model.associations:
            route = self._association_route(association)
            if route:
                self.routes[association.id] = route

    def _route_cost(self, flow: Flow, route: list[Point], obstacles, preference: int) -> tuple:
        enclosing = set(self.model.ancestors(flow.source))
        ends = {flow.source, flow.target}
        # Stricter than check_di: keep clear of other shapes instead of grazing their outline.
        crossings = sum(
            1 for element_id, box in obstacles
            if element_id not in enclosing
            and polyline_crosses(route, box, margin=2 if element_id in ends else -ROUTE_CLEARANCE)
        )
        if not self._stays_inside_container(flow, route):
            crossings += 1
        overlaps = self._shared_segments(flow, route)
        bends = len(route) - 2
        length = sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in zip(route, route[1:]))
        return crossings, overlaps, bends, length, preference

    def _stays_inside_container(self, flow: Flow, route: list[Point]) -> bool:
        if flow.container is None:
            return True
        inner = self.bounds[flow.container].shrunk(4)
        return all(inner.contains(Bounds(x, y, 0, 0), tolerance=0) for x, y in route)

    def _shared_segments(self, flow: Flow, route: list[Point]) -> int:
        """Segments lying on top of an already routed flow, unless both flows join into one target."""
        count = 0
        for other in self.model.flows:
            other_route = self.routes.get(other.id)
            if other_route is None or other.target == flow.target:
                continue
            for a, b in zip(route, route[1:]):
                if any(_collinear_overlap(a, b, c, d) for c, d in zip(other_route, other_route[1:])):
                    count += 1
        return count

    def _candidate_routes(self, flow: Flow) -> list[list[Point]]:
        source, target = flow.source, flow.target
        source_box, target_box = self.bounds[source], self.bounds[target]
        channels = []
        if flow.id in self.band:
            channels.append(self.band_y[self.band[flow.id]])
        if flow.id in self.outer_band_y:
            channels.append(self.outer_band_y[flow.id])
        if flow.id in self.corridors:
            corridor = self.corridors[flow.id]
            channels.append(self.track_y[(corridor.lane, corridor.track)])
        channels += [source_box.center_y, target_box.center_y]
        if self.nodes[target].is_container:
            channels.append(self._container_port_y(target))
        if self.nodes[source].attached_to:
            channels.append(source_box.bottom + 12)
        routes = []
        for channel in channels:
            for head in self._exit_stubs(source, channel):
                for tail in self._entry_stubs(target, channel):
                    route = _simplify(head + tail)
                    if _leaves_and_enters_cleanly(route, source_box, target_box) and route not in routes:
                        routes.append(route)
        if not routes:  # the right/left stubs always give one; this only guards against a future change
            routes.append([(source_box.right, source_box.center_y), (target_box.x, target_box.center_y)])
        return routes

    def _gap_right_of(self, node_id: str) -> int:
        anchor = self.model.anchor(node_id)
        if self.nodes[anchor].is_container:  # beyond boundary events on the right edge and their labels
            return self.bounds[anchor].right + self._right_overhang(anchor) + CONTAINER_OUTER_GAP // 2
        column = self.column[anchor]
        return self.column_left[column] + self.column_width[column] - COLUMN_GAP // 4

    def _gap_left_of(self, node_id: str) -> int:
        if self.nodes[node_id].is_container:
            return self.bounds[node_id].x - CONTAINER_OUTER_GAP // 2
        return self.column_left[self.column[node_id]] + COLUMN_GAP // 4

    def _container_port_y(self, container: str) -> float:
        """Where flows enter a subprocess box: level with its first start event, else near its top."""
        for child in self.nodes[container].children:
            if self.nodes[child].tag == "startEvent":
                return self.bounds[child].center_y
        return self.bounds[container].y + CONTAINER_TOP_PAD

    def _container_exit_ys(self, container: str, channel: float) -> list[float]:
        """Heights at which a flow may leave a subprocess box: straight on, level with an inner end event, mid-box."""
        box = self.bounds[container]
        inside = [y for y in (channel,) if box.y + 10 < y < box.bottom - 10]
        ends = [self.bounds[c].center_y for c in self.nodes[container].children if self.nodes[c].tag == "endEvent"]
        return list(dict.fromkeys(inside + ends + [box.center_y]))

    def _on_right_edge(self, boundary: str) -> bool:
        return self.bounds[boundary].center_x >= self.bounds[self.nodes[boundary].attached_to].right - 1

    def _exit_stubs(self, node_id: str, channel: float) -> list[list[Point]]:
        """Ways out of the source that end on the horizontal line y = channel."""
        box = self.bounds[node_id]
        node = self.nodes[node_id]
        gap = self._gap_right_of(node_id)
        if node.is_container:
            return [
                [(box.right, y)] if y == channel else [(box.right, y), (gap, y), (gap, channel)]
                for y in self._container_exit_ys(node_id, channel)
            ]
        right = [(box.right, box.center_y)] if box.center_y == channel else \
            [(box.right, box.center_y), (gap, box.center_y), (gap, channel)]
        down = [(box.center_x, box.bottom), (box.center_x, channel)] if channel > box.bottom else None
        up = [(box.center_x, box.y), (box.center_x, channel)] if channel < box.y else None
        if node.attached_to:
            if self._on_right_edge(node_id):
                return [right]
            if down:
                return [down]
            below = box.bottom + 12
            return [[(box.center_x, box.bottom), (box.center_x, below), (gap, below), (gap, channel)]]
        return [stub for stub in (right, down, up) if stub]

    def _entry_stubs(self, node_id: str, channel: float) -> list[list[Point]]:
        """Ways into the target that start on the horizontal line y = channel."""
        box = self.bounds[node_id]
        gap = self._gap_left_of(node_id)
        if self.nodes[node_id].is_container:
            stubs = [[(box.x, channel)]] if box.y + 10 < channel < box.bottom - 10 else []
            port = self._container_port_y(node_id)
            return stubs + [[(gap, channel), (gap, port), (box.x, port)]]
        stubs = []
        if channel == box.center_y:
            stubs.append([(box.x, channel)])
        stubs.append([(gap, channel), (gap, box.center_y), (box.x, box.center_y)])
        if channel > box.bottom:
            stubs.append([(box.center_x, channel), (box.center_x, box.bottom)])
        if channel < box.y:
            stubs.append([(box.center_x, channel), (box.center_x, box.y)])
        return stubs

    def _association_route(self, association: Association) -> list[Point] | None:
        """The first candidate line that crosses no shape, else the first candidate."""
        source = self.bounds.get(association.source) or self._flow_points(association.source)
        target = self.bounds.get(association.target) or self._flow_points(association.target)
        if not source or not target:
            return None
        sources = [source] if isinstance(source, Bounds) else source
        targets = [target] if isinstance(target, Bounds) else target
        candidates = [route for s in sources for t in targets for route in _orthogonal_connections(s, t)]
        ends = {association.source, association.target}
        for route in candidates:
            if not any(self._blocks_line(element_id, route) for element_id in self.bounds if element_id not in ends):
                return route
        return candidates[0]

    def _blocks_line(self, element_id: str, route: list[Point]) -> bool:
        """Does the shape stand in the way of a line? A subprocess does not for a line entirely inside it."""
        box = self.bounds[element_id]
        node = self.nodes.get(element_id)
        if node is not None and node.is_container:
            xs, ys = [x for x, _ in route], [y for _, y in route]
            if box.contains(Bounds(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)), tolerance=0):
                return False
        return polyline_crosses(route, box)

    def _flow_points(self, flow_id: str) -> list[Bounds]:
        """Where an association may touch a sequence flow: the middle of each segment, longest first."""
        route = self.routes.get(flow_id)
        if not route:
            return []
        segments = sorted(zip(route, route[1:]), key=lambda s: -(abs(s[0][0] - s[1][0]) + abs(s[0][1] - s[1][1])))
        return [Bounds((a[0] + b[0]) // 2, (a[1] + b[1]) // 2, 0, 0) for a, b in segments]

    # ----------------------------------------------------------- phase 5: labels

    def _place_labels(self) -> None:
        for node in self.nodes.values():
            if node.name and node.kind in ("event", "gateway"):
                size = external_label_size(node.name)
                spots = self._boundary_label_spots(node.id, size) if node.attached_to else \
                    self._node_label_spots(self.bounds[node.id], size)
                self._choose_label(node.id, spots, set(self.model.ancestors(node.id)))
        for flow in self.model.flows:
            if flow.name:
                size = external_label_size(flow.name)
                self._choose_label(flow.id, _flow_label_spots(self.routes[flow.id], size),
                                   set(self.model.ancestors(flow.source)))

    def _node_label_spots(self, box: Bounds, size: tuple[int, int]) -> list[Bounds]:
        width, height = size
        left = box.center_x - width // 2
        return [
            Bounds(left, box.bottom + LABEL_GAP, width, height),
            Bounds(left, box.y - LABEL_GAP - height, width, height),
            Bounds(box.right + LABEL_GAP, box.bottom - 4, width, height),
            Bounds(box.x - LABEL_GAP - width, box.bottom - 4, width, height),
            Bounds(box.right + LABEL_GAP, box.y - height + 4, width, height),
        ]

    def _boundary_label_spots(self, node_id: str, size: tuple[int, int]) -> list[Bounds]:
        width, height = size
        box = self.bounds[node_id]
        host = self.bounds[self.nodes[node_id].attached_to]
        if self._on_right_edge(node_id):  # write it beside the event, outside the host
            return [Bounds(box.right + 2, box.bottom, width, height), Bounds(box.right + 2, box.y - height, width, height)]
        under_host = host.bottom + LABEL_GAP
        return [
            Bounds(box.right + 2, under_host, width, height),
            Bounds(box.x - 2 - width, under_host, width, height),
            Bounds(box.center_x - width // 2, box.bottom + 2, width, height),
        ]

    def _choose_label(self, owner: str, spots: list[Bounds], allowed: set[str]) -> None:
        def cost(index_and_spot: tuple[int, Bounds]) -> tuple:
            index, spot = index_and_spot
            covered = sum(1 for element_id, box in self.bounds.items()
                          if element_id not in allowed and spot.overlaps(box, tolerance=0))
            covered += sum(1 for placed in self.placed_labels if spot.overlaps(placed, tolerance=0))
            crossed = sum(1 for route in self.routes.values() if polyline_crosses(route, spot, margin=0))
            return covered, crossed, index

        spots = [_rounded(spot) for spot in spots]
        _, best = min(enumerate(spots), key=cost)
        self.labels[owner] = best
        self.placed_labels.append(best)


# --------------------------------------------------------------------------- route helpers

def _simplify(points: list[Point]) -> list[Point]:
    """Round to whole pixels (as written to the file), drop repeated points and the middle one of three on a line."""
    result: list[Point] = []
    for point in [(round(x), round(y)) for x, y in points]:
        if result and result[-1] == point:
            continue
        if len(result) >= 2 and _between(result[-2], result[-1], point):
            result[-1] = point
            continue
        result.append(point)
    return result


def _between(a: Point, middle: Point, b: Point) -> bool:
    """Is `middle` on the straight line from a to b? (A turn back is kept, so it can be rejected.)"""
    if a[0] == middle[0] == b[0]:
        return min(a[1], b[1]) <= middle[1] <= max(a[1], b[1])
    if a[1] == middle[1] == b[1]:
        return min(a[0], b[0]) <= middle[0] <= max(a[0], b[0])
    return False


def _leaves_and_enters_cleanly(route: list[Point], source: Bounds, target: Bounds) -> bool:
    """No segment doubles back on itself; the route leaves the source and enters the target from outside."""
    if len(route) < 2 or any(a == b for a, b in zip(route, route[1:])):
        return False
    for a, b, c in zip(route, route[1:], route[2:]):
        if (a[0] == b[0] == c[0] and (b[1] - a[1]) * (c[1] - b[1]) < 0) or \
                (a[1] == b[1] == c[1] and (b[0] - a[0]) * (c[0] - b[0]) < 0):
            return False
    if any(a[0] != b[0] and a[1] != b[1] for a, b in zip(route, route[1:])):
        return False
    return not _strictly_inside(route[1], source) and not _strictly_inside(route[-2], target)


def _strictly_inside(point: Point, box: Bounds) -> bool:
    return box.x < point[0] < box.right and box.y < point[1] < box.bottom


def _collinear_overlap(a: Point, b: Point, c: Point, d: Point) -> bool:
    if a[0] == b[0] == c[0] == d[0]:
        low, high = sorted((a[1], b[1])), sorted((c[1], d[1]))
    elif a[1] == b[1] == c[1] == d[1]:
        low, high = sorted((a[0], b[0])), sorted((c[0], d[0]))
    else:
        return False
    return min(low[1], high[1]) - max(low[0], high[0]) > 2


def _orthogonal_connections(source: Bounds, target: Bounds) -> list[list[Point]]:
    """Lines for an association: straight between facing sides, else an L in either orientation.

    A target of zero size is a point on a sequence flow.
    """
    overlap_left, overlap_right = max(source.x, target.x), min(source.right, target.right)
    if overlap_left <= overlap_right:
        x = (overlap_left + overlap_right) // 2
        if source.bottom <= target.y:
            return [[(x, source.bottom), (x, target.y)]]
        return [[(x, source.y), (x, target.bottom)]]
    overlap_top, overlap_bottom = max(source.y, target.y), min(source.bottom, target.bottom)
    if overlap_top <= overlap_bottom:
        y = (overlap_top + overlap_bottom) // 2
        if source.right <= target.x:
            return [[(source.right, y), (target.x, y)]]
        return [[(source.x, y), (target.right, y)]]
    to_the_right = source.right <= target.x
    below = source.center_y < target.y
    sideways_first = [
        (source.right if to_the_right else source.x, source.center_y),
        (target.center_x, source.center_y),
        (target.center_x, target.y if below else target.bottom),
    ]
    vertical_first = [
        (source.center_x, source.bottom if below else source.y),
        (source.center_x, target.center_y),
        (target.x if to_the_right else target.right, target.center_y),
    ]
    return [sideways_first, vertical_first]


def _flow_label_spots(route: list[Point], size: tuple[int, int]) -> list[Bounds]:
    """Beside the first segment (next to the gateway that decides), then beside the other segments."""
    width, height = size
    segments = list(zip(route, route[1:]))
    spots = []
    for (x0, y0), (x1, y1) in segments[:1] + segments[-1:] + segments[1:-1]:
        if y0 == y1:  # horizontal: above, then below; near its start, then near its end
            for x in ((x0 + 8, x1 - 8 - width) if x1 >= x0 else (x0 - 8 - width, x1 + 8)):
                spots += [Bounds(x, y0 - height - 2, width, height), Bounds(x, y0 + 3, width, height)]
        else:  # vertical: right, then left; near its start, then near its end
            for y in ((y0 + 6, y1 - 6 - height) if y1 >= y0 else (y0 - 6 - height, y1 + 6)):
                spots += [Bounds(x0 + 5, y, width, height), Bounds(x0 - 5 - width, y, width, height)]
    return spots


def _rounded(box: Bounds) -> Bounds:
    return Bounds(round(box.x), round(box.y), round(box.width), round(box.height))


# --------------------------------------------------------------------------- writing the DI

def _di(tag: str) -> str:
    return f"{{{BPMNDI_NS}}}{tag}"


def _add_bounds(parent: etree._Element, box: Bounds, tag: str = f"{{{DC_NS}}}Bounds") -> None:
    etree.SubElement(parent, tag, {
        "x": _number(box.x), "y": _number(box.y), "width": _number(box.width), "height": _number(box.height),
    })


def _number(value: float) -> str:
    return str(int(round(value)))


def _add_shape(plane: etree._Element, taken_ids: set[str], element_id: str, box: Bounds,
               extra: dict[str, str] | None = None, label: Bounds | None = None) -> None:
    shape = etree.SubElement(plane, _di("BPMNShape"), {
        "id": _unique_id(f"{element_id}_di", taken_ids), "bpmnElement": element_id, **(extra or {}),
    })
    _add_bounds(shape, box)
    if label is not None:
        _add_bounds(etree.SubElement(shape, _di("BPMNLabel")), label)


def _add_edge(plane: etree._Element, taken_ids: set[str], element_id: str, points: list[Point],
              label: Bounds | None = None) -> None:
    edge = etree.SubElement(plane, _di("BPMNEdge"), {
        "id": _unique_id(f"{element_id}_di", taken_ids), "bpmnElement": element_id,
    })
    for x, y in points:
        etree.SubElement(edge, f"{{{DI_NS}}}waypoint", {"x": _number(x), "y": _number(y)})
    if label is not None:
        _add_bounds(etree.SubElement(edge, _di("BPMNLabel")), label)


def _build_diagram(root: etree._Element, drawing: _Drawing, model: Model, collaboration_id: str,
                   participant_id: str, taken_ids: set[str]) -> etree._Element:
    """Append the BPMNDiagram to the root (so it picks up the root's prefixes) and return it."""
    diagram_id = _unique_id("BPMNDiagram_1", taken_ids)
    diagram = etree.SubElement(root, _di("BPMNDiagram"), {"id": diagram_id})
    plane = etree.SubElement(diagram, _di("BPMNPlane"), {"id": _unique_id("BPMNPlane_1", taken_ids),
                                                         "bpmnElement": collaboration_id})
    _add_shape(plane, taken_ids, participant_id, drawing.pool, {"isHorizontal": "true"})
    for (lane_id, _), box in zip(model.lanes, drawing.lanes):
        _add_shape(plane, taken_ids, lane_id, box, {"isHorizontal": "true"})
    ordered = [n for n in model.nodes.values() if not n.attached_to] + \
              [n for n in model.nodes.values() if n.attached_to]
    for node in ordered:
        extra = {}
        if node.tag in CONTAINER_TAGS:
            extra["isExpanded"] = "true" if node.is_container else "false"
        if node.tag == "exclusiveGateway":
            extra["isMarkerVisible"] = "true"
        _add_shape(plane, taken_ids, node.id, drawing.shapes[node.id], extra, drawing.labels.get(node.id))
    for annotation in model.annotations:
        _add_shape(plane, taken_ids, annotation.id, drawing.shapes[annotation.id])
    for flow in model.flows:
        _add_edge(plane, taken_ids, flow.id, drawing.edges[flow.id], drawing.labels.get(flow.id))
    for association in model.associations:
        if association.id in drawing.edges:
            _add_edge(plane, taken_ids, association.id, drawing.edges[association.id])
    return diagram


def _unique_id(wanted: str, taken: set[str]) -> str:
    candidate, counter = wanted, 1
    while candidate in taken:
        counter += 1
        candidate = f"{wanted}_{counter}"
    taken.add(candidate)
    return candidate


# --------------------------------------------------------------------------- editing the document

_DI_PREFIXES = {"bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}


def _indent_unit(root: etree._Element) -> tuple[str, str]:
    """(newline + one indent, one indent) as the file already uses them."""
    first_indent = root.text if root.text and not root.text.strip() else "\n  "
    unit = first_indent.lstrip("\r\n") or "  "
    return first_indent, unit


def _remove_with_whitespace(element: etree._Element) -> None:
    """Remove an element together with the whitespace that precedes it."""
    parent, previous = element.getparent(), element.getprevious()
    if previous is not None:
        previous.tail = element.tail
    else:
        parent.text = element.tail
    parent.remove(element)


def _insert_before(anchor: etree._Element, new: etree._Element) -> None:
    """Insert `new` before `anchor` on its own line, indented like `anchor`."""
    previous = anchor.getprevious()
    indent = (previous.tail if previous is not None else anchor.getparent().text) or "\n"
    anchor.addprevious(new)
    new.tail = indent


def _find_process(root: etree._Element) -> etree._Element:
    processes = root.findall(bpmn_tag("process"))
    if len(processes) != 1:
        raise LayoutError(f"expected exactly one bpmn:process, found {len(processes)}")
    return processes[0]


def _ensure_participant(root: etree._Element, process: etree._Element, taken_ids: set[str]) -> tuple[str, str]:
    """The collaboration and the participant for the process, added when missing."""
    first_indent, unit = _indent_unit(root)
    process_id = process.get("id")
    collaboration = root.find(bpmn_tag("collaboration"))
    if collaboration is None:
        collaboration = etree.Element(bpmn_tag("collaboration"),
                                      {"id": _unique_id(f"{COLLABORATION_PREFIX}{process_id}", taken_ids)})
        _insert_before(root.find(bpmn_tag("process")), collaboration)
    for participant in collaboration.findall(bpmn_tag("participant")):
        if participant.get("processRef") == process_id:
            return collaboration.get("id"), participant.get("id")
    attributes = {"id": _unique_id(f"{PARTICIPANT_PREFIX}{process_id}", taken_ids)}
    if process.get("name"):
        attributes["name"] = process.get("name")
    attributes["processRef"] = process_id
    participant = etree.Element(bpmn_tag("participant"), attributes)
    existing = collaboration.findall(bpmn_tag("participant"))
    child_indent = first_indent + unit
    if existing:
        existing[-1].addnext(participant)
        participant.tail, existing[-1].tail = existing[-1].tail, child_indent
    elif len(collaboration):
        collaboration.insert(0, participant)
        participant.tail = collaboration.text
    else:
        collaboration.text = child_indent
        collaboration.append(participant)
        participant.tail = first_indent
    return collaboration.get("id"), participant.attrib["id"]


def _declare_di_namespaces(root: etree._Element) -> dict[str, str]:
    """Declare bpmndi/dc/di on the root where missing; returns what was added."""
    declared = set(root.nsmap.values())
    missing = {prefix: uri for prefix, uri in _DI_PREFIXES.items() if uri not in declared and prefix not in root.nsmap}
    if missing:
        # cleanup_namespaces is the one lxml call that adds declarations to an existing element; keeping
        # every prefix stops it from dropping declarations the file had (even unused ones).
        kept = sorted({p for el in root.iter() if isinstance(el.tag, str) for p in el.nsmap if p} | set(missing))
        etree.cleanup_namespaces(root, top_nsmap=missing, keep_ns_prefixes=kept)
    return missing


def _indent_diagram(root: etree._Element, diagram: etree._Element) -> None:
    """Pretty-print the new diagram and put it on its own line after the root's last element."""
    first_indent, unit = _indent_unit(root)
    etree.indent(diagram, space=unit, level=1)
    previous = diagram.getprevious()
    if previous is not None:
        diagram.tail = previous.tail if previous.tail and not previous.tail.strip() else "\n"
        previous.tail = first_indent
    else:
        root.text, diagram.tail = first_indent, "\n"


def layout_bpmn(xml: bytes) -> bytes:
    """Return the BPMN file with a freshly generated diagram (DI); the semantic model is kept as is."""
    tree = etree.ElementTree(etree.fromstring(xml, safe_parser()))
    root = tree.getroot()
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != BPMN_NS:
        raise LayoutError("not a BPMN 2.0 file: the root element must be bpmn:definitions")
    for diagram in root.findall(_di("BPMNDiagram")):
        _remove_with_whitespace(diagram)
    process = _find_process(root)
    model = read_model(process)
    taken_ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    collaborations_before = len(root.findall(bpmn_tag("collaboration")))
    participants_before = len(root.findall(f"{bpmn_tag('collaboration')}/{bpmn_tag('participant')}"))
    collaboration_id, participant_id = _ensure_participant(root, process, taken_ids)
    drawing = _Layout(model).run()
    added_namespaces = _declare_di_namespaces(root)
    diagram = _build_diagram(root, drawing, model, collaboration_id, participant_id, taken_ids)
    _indent_diagram(root, diagram)
    rewritten = _serialize(tree, had_declaration=xml.lstrip().startswith(b"<?xml"))
    added_collaboration = root.find(bpmn_tag("collaboration")) \
        if len(root.findall(bpmn_tag("collaboration"))) > collaborations_before else None
    only_new_collaboration = participants_before == len(
        root.findall(f"{bpmn_tag('collaboration')}/{bpmn_tag('participant')}")) - (1 if added_collaboration is not None else 0)
    if not only_new_collaboration:
        return rewritten  # a participant was added to an existing collaboration: no splice for that
    return _splice_into_original(xml, root, diagram, added_collaboration, added_namespaces) or rewritten


def _serialize(tree: etree._ElementTree, had_declaration: bool) -> bytes:
    body = etree.tostring(tree, encoding="UTF-8", xml_declaration=False)
    declaration = b'<?xml version="1.0" encoding="UTF-8"?>\n' if had_declaration else b""
    return declaration + body.rstrip(b"\n") + b"\n"


# --------------------------------------------------------------------------- keeping the original bytes

def _splice_into_original(original: bytes, root: etree._Element, diagram: etree._Element,
                          added_collaboration: etree._Element | None, added_namespaces: dict[str, str]) -> bytes | None:
    """The original text with only the DI (and an added collaboration) replaced, or None if that fails.

    Serialising the parsed tree would also rewrite untouched markup (``<a />`` becomes ``<a/>``,
    quotes and character references change), and reviewers diff these files. The splice is checked
    against the tree: if the two are not canonically equal, the caller uses the tree instead.
    """
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _declared_encoding(text) not in ("utf-8", "utf8", None):
        return None
    root_name = _qualified_name(root)
    newline = "\r\n" if "\r\n" in text else "\n"  # the parser turned CRLF into LF; put it back in what we add
    text = _cut_old_diagrams(text, root)
    if added_collaboration is not None:
        text = _insert_before_tag(text, _qualified_name(added_collaboration.getnext()),
                                  _fragment(added_collaboration).replace("\n", newline))
    if added_namespaces:
        declarations = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in added_namespaces.items())
        text = _add_to_start_tag(text, root_name, declarations)
    closing = text.rfind(f"</{root_name}")
    if closing < 0:
        return None
    end_of_content = len(text[:closing].rstrip())
    first_indent, _ = _indent_unit(root)
    addition = (first_indent + _fragment(diagram)).replace("\n", newline)
    text = text[:end_of_content] + addition + text[end_of_content:]
    spliced = text.encode("utf-8")
    expected = etree.tostring(root.getroottree(), encoding="UTF-8")
    try:
        same = _canonical(spliced) == _canonical(expected)
    except etree.XMLSyntaxError:
        same = False
    return spliced if same else None


def _declared_encoding(text: str) -> str | None:
    if not text.startswith("<?xml"):
        return None
    declaration = text[: text.find("?>")]
    for quote in ('"', "'"):
        marker = f"encoding={quote}"
        if marker in declaration:
            start = declaration.index(marker) + len(marker)
            return declaration[start: declaration.index(quote, start)].lower()
    return None


def _qualified_name(element: etree._Element) -> str:
    qname = etree.QName(element)
    prefix = element.prefix
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _fragment(element: etree._Element) -> str:
    """An element's markup without the namespace declarations lxml repeats on a lone element."""
    markup = etree.tostring(element, encoding="unicode", with_tail=False)
    start_tag_end = markup.index(">")
    start_tag = markup[:start_tag_end]
    for prefix in list(element.nsmap):
        uri = element.nsmap[prefix]
        attribute = f' xmlns:{prefix}="{uri}"' if prefix else f' xmlns="{uri}"'
        start_tag = start_tag.replace(attribute, "")
    return start_tag + markup[start_tag_end:]


def _cut_old_diagrams(text: str, root: etree._Element) -> str:
    """Remove every BPMNDiagram element with the whitespace in front of it."""
    for prefix, uri in root.nsmap.items():
        if uri != BPMNDI_NS:
            continue
        name = f"{prefix}:BPMNDiagram" if prefix else "BPMNDiagram"
        while (start := text.find(f"<{name}")) >= 0:
            close = text.find(f"</{name}", start)
            self_closing = text.find("/>", start)
            first_gt = text.find(">", start)
            if 0 <= self_closing < first_gt:
                end = self_closing + 2
            elif close >= 0:
                end = text.index(">", close) + 1
            else:
                break
            start = len(text[:start].rstrip())
            text = text[:start] + text[end:]
    return text


def _insert_before_tag(text: str, tag_name: str, fragment: str) -> str:
    """Insert the fragment before the element, repeating the whitespace that precedes it."""
    position = text.find(f"<{tag_name}")
    if position < 0:
        return text
    whitespace_start = len(text[:position].rstrip())
    whitespace = text[whitespace_start:position]
    return text[:position] + fragment + whitespace + text[position:]


def _add_to_start_tag(text: str, element_name: str, attributes: str) -> str:
    position = text.find(f"<{element_name}")
    quote = None
    for index in range(position, len(text)):
        char = text[index]
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ">":
            end = index - 1 if text[index - 1] == "/" else index
            return text[:end] + attributes + text[end:]
    return text


def _canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml, safe_parser()), method="c14n")


# --------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m webapp.diagrams.layout",
        description="Regenerate the diagram (DI) of BPMN files with an automatic layout.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--check", action="store_true",
                        help="do not write; report files whose layout is not the generated one or whose "
                             "DI has problems, and exit 1 if there are any")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        original = path.read_bytes()
        try:
            laid_out = layout_bpmn(original)
        except (LayoutError, etree.XMLSyntaxError) as error:
            print(f"{path}: cannot lay out: {error}", file=sys.stderr)
            status = 1
            continue
        if args.check:
            problems = check_di(original)
            for problem in problems:
                print(f"{path}: {problem}")
            if laid_out != original:
                print(f"{path}: layout differs from the generated one")
            status = status or int(bool(problems) or laid_out != original)
        elif laid_out != original:
            path.write_bytes(laid_out)
            print(f"{path}: laid out")
    return status


if __name__ == "__main__":
    sys.exit(main())
