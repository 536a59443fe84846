// For each problem (JSON file: [{element_id, rule?, message}]) on a BPMN file, prints what a click
// on it in the modeler opens (webapp/static/src/modeler/problem-fields.js): the element selected,
// the panel entries tried and whether the advanced condition is opened. Canvas elements are
// stood in for by their model objects with the outgoing connections the canvas would give them.
import { readFile } from "node:fs/promises";
import { BpmnModdle } from "bpmn-moddle";
import { fixFor } from "../../webapp/static/src/modeler/problem-fields.js";

const descriptor = JSON.parse(await readFile(new URL("../../webapp/static/src/modeler/meldroute-moddle.json", import.meta.url)));
const moddle = new BpmnModdle({ meldroute: descriptor });
const { elementsById } = await moddle.fromXML(await readFile(process.argv[2], "utf-8"));
const problems = JSON.parse(await readFile(process.argv[3], "utf-8"));
const shapes = new Map(Object.values(elementsById).map((bo) => [bo, { id: bo.id, businessObject: bo, outgoing: [] }]));
Object.values(elementsById).filter((bo) => bo.$instanceOf("bpmn:SequenceFlow"))
  .forEach((flow) => shapes.get(flow.sourceRef)?.outgoing.push(shapes.get(flow)));
console.log(JSON.stringify(problems.map((problem) => {
  const fix = fixFor(shapes.get(elementsById[problem.element_id]), problem);
  return { element_id: problem.element_id, target: fix.target.id, entries: fix.entries, advanced: fix.advanced };
})));
