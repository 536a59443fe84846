// Prints the modeler's Dutch change list (webapp/static/src/modeler/changes.js) between two BPMN
// files, computed by bpmn-js-differ with the Meldroute descriptor, as the diff page does.
import { readFile } from "node:fs/promises";
import { BpmnModdle } from "bpmn-moddle";
import { diff } from "bpmn-js-differ";
import { describeChanges } from "../../webapp/static/src/modeler/changes.js";

const descriptor = JSON.parse(await readFile(new URL("../../webapp/static/src/modeler/meldroute-moddle.json", import.meta.url)));
const moddle = new BpmnModdle({ meldroute: descriptor });
const [a, b] = await Promise.all(process.argv.slice(2, 4).map(async (path) => (await moddle.fromXML(await readFile(path, "utf-8"))).rootElement));
console.log(JSON.stringify(describeChanges(diff(a, b))));
