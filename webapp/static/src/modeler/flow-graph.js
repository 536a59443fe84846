// The process as a graph of its flow nodes (moddle objects), for the lint rules and the condition
// picker. The same meaning as the server's webapp/engine/flow_graph.py (whose docstring states it;
// tests/modeler/test_flow_rules.py runs both on the same diagrams): edges are the sequence flows,
// an activity's attached boundary events and a subprocess's own start events; an event subprocess
// waits from the moment its scope is entered and is not checked itself. Flows are read from
// sourceRef/targetRef, not from the nodes' incoming/outgoing lists, which other tools leave out.
import { is } from "bpmnlint-utils";

const FLOW_NODE = "bpmn:FlowNode";

function isEventSubProcess(element) {
  return is(element, "bpmn:SubProcess") && Boolean(element.triggeredByEvent);
}

function scopeEntries(scope) {
  const entries = [];
  (scope.flowElements || []).forEach((child) => {
    if (is(child, "bpmn:StartEvent")) entries.push(child);
    else if (isEventSubProcess(child)) (child.flowElements || []).forEach((c) => is(c, "bpmn:StartEvent") && entries.push(c));
  });
  return entries;
}

function closure(start, edges) {
  const seen = new Set(start);
  const queue = [...start];
  while (queue.length) {
    (edges.get(queue.shift()) || []).forEach((next) => {
      if (!seen.has(next)) { seen.add(next); queue.push(next); }
    });
  }
  return seen;
}

export function flowGraph(process) {
  const nodes = [];
  const flows = [];
  (function walk(elements) {
    (elements || []).forEach((element) => {
      if (is(element, "bpmn:SequenceFlow")) flows.push(element);
      else if (is(element, FLOW_NODE)) nodes.push(element);
      if (is(element, "bpmn:SubProcess")) walk(element.flowElements);
    });
  })(process.flowElements);
  const known = new Set(nodes);
  const successors = new Map();
  const predecessors = new Map();
  const outgoing = new Map();
  const push = (map, key, value) => { if (!map.has(key)) map.set(key, []); map.get(key).push(value); };
  const link = (source, target) => {
    if (known.has(source) && known.has(target)) { push(successors, source, target); push(predecessors, target, source); }
  };
  flows.forEach((flow) => { push(outgoing, flow.sourceRef, flow); link(flow.sourceRef, flow.targetRef); });
  nodes.forEach((node) => {
    if (is(node, "bpmn:BoundaryEvent")) link(node.attachedToRef, node);
    if (is(node, "bpmn:SubProcess")) scopeEntries(node).forEach((entry) => link(node, entry));
  });
  return { nodes, successors, predecessors, outgoing, entries: scopeEntries(process) };
}

export function unreachable(graph) {
  const reached = closure(graph.entries, graph.successors);
  return graph.nodes.filter((node) => !reached.has(node) && !isEventSubProcess(node));
}

export function withoutEnd(graph) {
  const finishing = closure(graph.nodes.filter((node) => is(node, "bpmn:EndEvent")), graph.predecessors);
  return graph.nodes.filter((node) => !is(node, "bpmn:EndEvent") && !isEventSubProcess(node)
    && (!(graph.outgoing.get(node) || []).length || !finishing.has(node)));
}

export function undecidableGateways(graph) {
  return graph.nodes
    .filter((node) => is(node, "bpmn:ExclusiveGateway") || is(node, "bpmn:InclusiveGateway"))
    .map((gateway) => {
      const flows = graph.outgoing.get(gateway) || [];
      const open = flows.length < 2 ? [] : flows.filter((flow) => !flow.conditionExpression && gateway.default !== flow);
      return { gateway, flows: open };
    })
    .filter(({ flows }) => flows.length);
}

// The user tasks a case has passed before it reaches `element`, walking back over the graph:
// - over a sequence flow: a user task counts (its form was submitted), a subprocess counts with all
//   the tasks inside it (its data is the case's once it completes);
// - from a boundary event to its activity: that activity does not count (an interrupted task's form
//   was not submitted), what precedes it does;
// - from a start event inside a subprocess to the subprocess: what precedes the subprocess counts.
export function userTasksBefore(graph, element) {
  const tasks = new Set();
  const seen = new Set();
  const queue = [[element, "self"]];
  const addInside = (sub) => (sub.flowElements || []).forEach((e) => {
    if (is(e, "bpmn:UserTask")) tasks.add(e);
    if (is(e, "bpmn:SubProcess")) addInside(e);
  });
  while (queue.length) {
    const [node, how] = queue.shift();
    const key = `${node.id}|${how}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (how === "flow" && is(node, "bpmn:UserTask")) tasks.add(node);
    if (how === "flow" && is(node, "bpmn:SubProcess")) addInside(node);
    (graph.predecessors.get(node) || []).forEach((before) => {
      if (is(node, "bpmn:BoundaryEvent") && before === node.attachedToRef) queue.push([before, "attached"]);
      else if (is(node, "bpmn:StartEvent")) queue.push([before, "scope"]);
      else queue.push([before, "flow"]);
    });
  }
  return [...tasks];
}
