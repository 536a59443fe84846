// The fields a gateway's conditions may test: those of the forms of the user tasks a case has
// passed before it reaches the gateway (flow-graph.js userTasksBefore), not every form of the
// school — a field filled in only later does not exist yet when the gateway decides.
import { is } from "bpmnlint-utils";
import { flowGraph, userTasksBefore } from "./flow-graph.js";

function processOf(element) {
  let node = element;
  while (node && !is(node, "bpmn:Process")) node = node.$parent;
  return node;
}

export function fieldsBefore(element, forms) {
  const process = processOf(element);
  if (!process) return [];
  const byKey = new Map(forms.map((form) => [form.key, form]));
  const fields = [];
  const seen = new Set();
  userTasksBefore(flowGraph(process), element).forEach((task) => {
    const form = byKey.get(task.get("meldroute:formKey"));
    (form ? form.velden : []).forEach((field) => {
      if (!seen.has(field.naam)) {
        seen.add(field.naam);
        fields.push({ ...field, formulier: form.titel });
      }
    });
  });
  return fields;
}
