// Prints, per gateway of a BPMN file, the fields the properties panel offers for its conditions
// (webapp/static/src/modeler/condition-fields.js), given the school's forms as the page gets them.
import { readFile } from "node:fs/promises";
import { BpmnModdle } from "bpmn-moddle";
import { fieldsBefore } from "../../webapp/static/src/modeler/condition-fields.js";

const descriptor = JSON.parse(await readFile(new URL("../../webapp/static/src/modeler/meldroute-moddle.json", import.meta.url)));
const moddle = new BpmnModdle({ meldroute: descriptor });
const { elementsById } = await moddle.fromXML(await readFile(process.argv[2], "utf-8"));
const forms = JSON.parse(await readFile(process.argv[3], "utf-8"));
const result = {};
Object.values(elementsById).filter((e) => e.$instanceOf("bpmn:Gateway"))
  .forEach((gateway) => { result[gateway.id] = fieldsBefore(gateway, forms).map((field) => field.naam); });
console.log(JSON.stringify(result));
