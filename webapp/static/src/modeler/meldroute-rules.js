// Meldroute's lint rules (bpmnlint factories returning { check(node, reporter) }): what the engine
// needs of a diagram and a generic BPMN tool does not know.
import { is } from "bpmnlint-utils";
import { flowGraph, undecidableGateways, unreachable, withoutEnd } from "./flow-graph.js";

export function userTaskForm() {
  return {
    check(node, reporter) {
      if (is(node, "bpmn:UserTask") && !node.get("meldroute:formKey")) {
        reporter.report(node.id, "Gebruikerstaak zonder formulier: kies er een in het paneel (Stap → Formulier)");
      }
    },
  };
}

function laneRefs(process) {
  const refs = new Set();
  (function walk(laneSets) {
    (laneSets || []).forEach((set) => (set.lanes || []).forEach((lane) => {
      (lane.flowNodeRef || []).forEach((node) => refs.add(node));
      if (lane.childLaneSet) walk([lane.childLaneSet]);
    }));
  })(process.laneSets);
  return refs;
}

export function userTaskLane() {
  return {
    check(node, reporter) {
      if (!is(node, "bpmn:Process")) return;
      const refs = laneRefs(node);
      (function walk(elements) {
        (elements || []).forEach((element) => {
          if (is(element, "bpmn:UserTask") && !refs.has(element)) {
            reporter.report(element.id, "Gebruikerstaak ligt in geen baan: leg haar in de baan van de rol die haar uitvoert");
          }
          if (is(element, "bpmn:SubProcess")) walk(element.flowElements);
        });
      })(node.flowElements);
    },
  };
}

export function timerTerm() {
  return {
    check(node, reporter) {
      if (!is(node, "bpmn:TimerEventDefinition")) return;
      const owner = node.$parent;
      if (node.timeCycle) {
        reporter.report(owner.id, "Herhalende timers worden niet ondersteund; herinneringen regelt Meldroute zelf");
        return;
      }
      const expression = node.timeDuration || node.timeDate;
      const text = expression && (expression.body || "").trim();
      if (!text) {
        reporter.report(owner.id, "Timer zonder termijn: geef een duur (\"P14D\") of bijvoorbeeld werkdagen(5)");
      }
    },
  };
}

// The three graph rules, with the meaning the server's import check gives them
// (webapp/engine/flow_graph.py): reported per element, checked once per process.
function perProcess(report) {
  return function factory() {
    return {
      check(node, reporter) {
        if (is(node, "bpmn:Process")) report(flowGraph(node), reporter);
      },
    };
  };
}

export const gatewayUndecidable = perProcess((graph, reporter) => {
  undecidableGateways(graph).forEach(({ gateway, flows }) => reporter.report(gateway.id,
    `Keuze kan niet worden bepaald: stroom ${flows.map((f) => f.name || f.id).join(", ")} heeft geen voorwaarde en is niet de standaardstroom`));
});

export const unreachableElement = perProcess((graph, reporter) => {
  unreachable(graph).forEach((node) => reporter.report(node.id,
    "Niet bereikbaar vanuit de start: geen weg van de startgebeurtenis leidt hierheen"));
});

export const pathWithoutEnd = perProcess((graph, reporter) => {
  withoutEnd(graph).forEach((node) => reporter.report(node.id,
    "Geen weg naar een einde: vanaf hier is geen eindgebeurtenis bereikbaar"));
});
