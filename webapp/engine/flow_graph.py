"""The process as a graph of its flow nodes: which can be reached from the start, which can reach
an end, and which gateways cannot decide.

The modeler's browser lint computes the same three with the same meaning
(webapp/static/src/modeler/flow-graph.js); tests/modeler/test_flow_rules.py runs both tiers on the
same diagrams. The meaning, shared by both:

- edges are the sequence flows, plus "an activity leads to the boundary events attached to it",
  plus "a subprocess leads to its own start events";
- an event subprocess (triggeredByEvent) is entered when its enclosing scope is: its start events
  are reached with that scope, and it is not itself checked (no flow enters or leaves it);
- *unreachable*: a flow node the start events of the process do not lead to;
- *without end*: a flow node other than an end event that has no outgoing sequence flow, or from
  which no end event can be reached (a loop without a way out);
- *undecidable gateway*: an exclusive or inclusive gateway with two or more outgoing flows of which
  one has no condition and is not the gateway's default flow.
"""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from lxml import etree

from webapp.engine.parser import BPMN_NS

FLOW_NODE_KINDS = frozenset({
    "startEvent", "endEvent", "userTask", "task", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "subProcess",
})
DECIDING_GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway"})


def _kind(element) -> str:
    if not isinstance(element.tag, str):
        return ""
    name = etree.QName(element)
    return name.localname if name.namespace == BPMN_NS else ""


def _is_event_subprocess(element) -> bool:
    return _kind(element) == "subProcess" and element.get("triggeredByEvent") == "true"


@dataclass(frozen=True)
class FlowGraph:
    nodes: dict[str, object]                 # id → lxml element, in document order
    successors: dict[str, list[str]]
    predecessors: dict[str, list[str]]
    outgoing_flows: dict[str, list[object]]  # node id → its outgoing sequenceFlow elements
    entries: tuple[str, ...]                 # the top-level start events and what they open

    @classmethod
    def of(cls, process) -> FlowGraph:
        nodes = {e.get("id"): e for e in process.iterdescendants()
                 if _kind(e) in FLOW_NODE_KINDS and e.get("id")}
        successors: dict[str, list[str]] = defaultdict(list)
        predecessors: dict[str, list[str]] = defaultdict(list)
        outgoing: dict[str, list[object]] = defaultdict(list)

        def link(source: str, target: str) -> None:
            if source in nodes and target in nodes:
                successors[source].append(target)
                predecessors[target].append(source)

        for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            source, target = flow.get("sourceRef"), flow.get("targetRef")
            outgoing[source].append(flow)
            link(source, target)
        for node_id, element in nodes.items():
            kind = _kind(element)
            if kind == "boundaryEvent":
                link(element.get("attachedToRef"), node_id)
            if kind == "subProcess":
                for child in _scope_entries(element):
                    link(node_id, child)
        entries = tuple(_scope_entries(process))
        return cls(nodes, dict(successors), dict(predecessors), dict(outgoing), entries)

    def reached_from_start(self) -> set[str]:
        return _closure(self.entries, self.successors)

    def reaching_an_end(self) -> set[str]:
        ends = [i for i, e in self.nodes.items() if _kind(e) == "endEvent"]
        return _closure(ends, self.predecessors)

    def unreachable(self) -> list[str]:
        reached = self.reached_from_start()
        return [i for i, e in self.nodes.items() if i not in reached and not _is_event_subprocess(e)]

    def without_end(self) -> list[str]:
        finishing = self.reaching_an_end()
        return [i for i, e in self.nodes.items()
                if _kind(e) != "endEvent" and not _is_event_subprocess(e)
                and (not self.outgoing_flows.get(i) or i not in finishing)]

    def undecidable_gateways(self) -> list[tuple[str, list[str]]]:
        """(gateway id, ids of its flows without condition that are not the default)."""
        found = []
        for node_id, element in self.nodes.items():
            flows = self.outgoing_flows.get(node_id, [])
            if _kind(element) not in DECIDING_GATEWAYS or len(flows) < 2:
                continue
            default = element.get("default")
            open_flows = [f.get("id") for f in flows
                          if f.find(f"{{{BPMN_NS}}}conditionExpression") is None and f.get("id") != default]
            if open_flows:
                found.append((node_id, open_flows))
        return found


def _scope_entries(scope) -> list[str]:
    """Where entering a process or subprocess starts: its start events, and those of its event
    subprocesses (which wait from the moment the scope is entered)."""
    entries = []
    for child in scope:
        if _kind(child) == "startEvent" and child.get("id"):
            entries.append(child.get("id"))
        elif _is_event_subprocess(child):
            entries.extend(c.get("id") for c in child if _kind(c) == "startEvent" and c.get("id"))
    return entries


def _closure(start, edges: dict[str, list[str]]) -> set[str]:
    seen = set(start)
    queue = deque(start)
    while queue:
        for following in edges.get(queue.popleft(), ()):
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen
