// Reads a BPMN file (argument) with the modeler's moddle descriptor, as bpmn-js does, and prints as
// JSON what the descriptor makes of the monitor's marks and whether writing it back keeps them:
// test_monitor_marks.py checks that the modeler neither drops nor mistypes them.
import { readFile } from "node:fs/promises";
import { BpmnModdle } from "bpmn-moddle";

const descriptor = JSON.parse(await readFile(new URL("../../webapp/static/src/modeler/meldroute-moddle.json", import.meta.url)));
const moddle = new BpmnModdle({ meldroute: descriptor });
const { rootElement } = await moddle.fromXML(await readFile(process.argv[2], "utf-8"));
const outcomes = {};
const meldingen = {};
const visit = (element) => {
  if (!element || typeof element !== "object" || !element.$type) return;
  if (element.$type === "bpmn:EndEvent" && element.get("meldroute:outcome") !== undefined) outcomes[element.id] = element.get("meldroute:outcome");
  if (element.$type === "bpmn:UserTask" && element.get("meldroute:melding") !== undefined) meldingen[element.id] = element.get("meldroute:melding");
  (element.flowElements || []).forEach(visit);
  (element.rootElements || []).forEach(visit);
};
visit(rootElement);
const { xml } = await moddle.toXML(rootElement);
const unknown = [];
const findUnknown = (element) => {
  if (!element || typeof element !== "object" || !element.$type) return;
  Object.keys(element.$attrs || {}).filter((name) => name.startsWith("meldroute:")).forEach((name) => unknown.push(`${element.id}:${name}`));
  (element.flowElements || []).forEach(findUnknown);
  (element.rootElements || []).forEach(findUnknown);
};
findUnknown(rootElement);
process.stdout.write(JSON.stringify({ outcomes, meldingen, unknown, written: xml }));
