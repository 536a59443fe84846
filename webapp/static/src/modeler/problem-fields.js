// Which properties-panel field fixes a problem: a lint problem by its rule, a server problem by the
// element it names and what its Dutch message is about. Answers the element to select (a gateway
// that cannot decide is fixed on one of its flows) and the panel entries to open, first present wins.
import { parseCondition } from "./conditions.js";

// Canvas elements carry their model object; plain model objects (the Node tests) are their own.
function is(element, type) {
  const model = element.businessObject || element;
  return Boolean(model.$instanceOf && model.$instanceOf(type));
}

const TIMER = ["timerEventDefinitionValue", "timerEventDefinitionType"];
const DEADLINE = ["meldroute-deadline-raw", "meldroute-deadline-field", "meldroute-deadline-unit"];

function conditionFix(flow) {
  const expression = flow.businessObject.conditionExpression;
  const text = expression ? (expression.body || "").trim() : "";
  // A condition the field/comparison/value entries cannot show is fixed in the raw expression.
  const raw = Boolean(text) && !parseCondition(text);
  return { target: flow, entries: raw ? ["meldroute-condition-raw"] : ["meldroute-condition-field"], advanced: raw };
}

function undecidedFlow(gateway) {
  const bo = gateway.businessObject;
  return (gateway.outgoing || []).find((flow) => is(flow, "bpmn:SequenceFlow")
    && !flow.businessObject.conditionExpression && bo.default !== flow.businessObject);
}

const RULES = {
  "meldroute/user-task-form": ["meldroute-form"],
  "meldroute/user-task-lane": ["meldroute-role"],
  "meldroute/timer-term": TIMER,
  "label-required": ["name"],
};

export function fixFor(element, { rule, message }) {
  const text = message || "";
  const none = { target: element, entries: [], advanced: false };
  if (rule === "meldroute/gateway-undecidable" || /keuze kan niet worden bepaald/i.test(text)) {
    const flow = undecidedFlow(element);
    return flow ? conditionFix(flow) : none;
  }
  if (rule === "conditional-flows" || (is(element, "bpmn:SequenceFlow") && /voorwaarde/i.test(text))) {
    return conditionFix(element);
  }
  if (rule && RULES[rule]) return { target: element, entries: RULES[rule], advanced: false };
  if (rule) return none;
  if (is(element, "bpmn:Lane")) return { target: element, entries: ["meldroute-lane-name"], advanced: false };
  let entries = [];
  if (is(element, "bpmn:UserTask") && /vervaldatum|termijn/i.test(text)) entries = DEADLINE;
  else if (is(element, "bpmn:UserTask") && /formulier/i.test(text)) entries = ["meldroute-form"];
  else if (is(element, "bpmn:UserTask") && /\bbaan\b|\brol\b/i.test(text)) entries = ["meldroute-role"];
  else if (/^timer|timer met|timer zonder|^herhalende timers/i.test(text)) entries = TIMER;
  else if (/handreiking|vernietig/i.test(text)) entries = ["meldroute-documentation"];
  else if (/\bAMK\b|\bSHG\b|namen/.test(text)) entries = ["name"];
  return { target: element, entries, advanced: false };
}
