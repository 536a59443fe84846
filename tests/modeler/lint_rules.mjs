// Lints a BPMN file (argument) with exactly the modeler's browser configuration
// (webapp/static/src/modeler/lint.js: bpmnlint's recommended rules plus Meldroute's plugin, static
// resolver) and prints the issues as JSON: the Python tests check each rule on small diagrams.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { BpmnModdle } from "bpmn-moddle";
import { lintConfig } from "../../webapp/static/src/modeler/lint.js";

const require = createRequire(import.meta.url);
const { Linter } = require("bpmnlint");
const descriptor = JSON.parse(await readFile(new URL("../../webapp/static/src/modeler/meldroute-moddle.json", import.meta.url)));

const moddle = new BpmnModdle({ meldroute: descriptor });
const { rootElement } = await moddle.fromXML(await readFile(process.argv[2], "utf-8"));
const results = await new Linter(lintConfig).lint(rootElement);
const issues = Object.entries(results).flatMap(([rule, found]) => found.map((issue) => ({ rule, id: issue.id, message: issue.message })));
console.log(JSON.stringify(issues));
