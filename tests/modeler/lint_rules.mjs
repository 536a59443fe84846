// Lints a BPMN file (argument) with Meldroute's browser configuration and prints the issues as JSON:
// the Python tests (test_lint_rules.py) check each rule on small diagrams.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { BpmnModdle } from "bpmn-moddle";
import { userTaskForm, userTaskLane, timerTerm } from "../../webapp/static/src/modeler/meldroute-rules.js";

const require = createRequire(import.meta.url);
const { Linter } = require("bpmnlint");
const NodeResolver = require("bpmnlint/lib/resolver/node-resolver");
const descriptor = JSON.parse(await readFile(new URL("../../webapp/static/src/modeler/meldroute-moddle.json", import.meta.url)));

const nodeResolver = new NodeResolver();
const meldroute = { "user-task-form": userTaskForm, "user-task-lane": userTaskLane, "timer-term": timerTerm };
const resolver = {
  resolveRule: (pkg, name) => (pkg === "bpmnlint-plugin-meldroute" ? meldroute[name] : nodeResolver.resolveRule(pkg, name)),
  resolveConfig: (pkg, name) => nodeResolver.resolveConfig(pkg, name),
};
const config = {
  extends: "bpmnlint:recommended",
  rules: {
    "no-inclusive-gateway": "off", "label-required": "off",
    "meldroute/user-task-form": "error", "meldroute/user-task-lane": "error", "meldroute/timer-term": "error",
  },
};

const moddle = new BpmnModdle({ meldroute: descriptor });
const { rootElement } = await moddle.fromXML(await readFile(process.argv[2], "utf-8"));
const results = await new Linter({ config, resolver }).lint(rootElement);
const issues = Object.entries(results).flatMap(([rule, found]) => found.map((issue) => ({ rule, id: issue.id, message: issue.message })));
console.log(JSON.stringify(issues));
