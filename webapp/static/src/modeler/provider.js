// Meldroute's properties panel: what a policy owner decides per element — the form, the role
// (lane), the deadline, the guidance and gateway conditions — in Dutch, with the technical groups of
// bpmn-js-properties-panel hidden. Components use the preact copy inside @bpmn-io/properties-panel
// (a second preact in the bundle breaks useService).
import { h } from "@bpmn-io/properties-panel/preact";
import {
  SelectEntry, TextAreaEntry, NumberFieldEntry, TextFieldEntry, CheckboxEntry,
  isSelectEntryEdited, isTextAreaEntryEdited, isNumberFieldEntryEdited, isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";
import { COUNTED_UNITS, UNITS, parseDeadline, writeDeadline } from "./deadline.js";
import { COMPARISONS, parseCondition, writeCondition } from "./conditions.js";
import { fieldsBefore } from "./condition-fields.js";

const KEPT_GROUPS = new Set(["general", "timer", "signal"]);
const LOW_PRIORITY = 500;

function laneOf(registry, element) {
  // Lanes list their flow nodes (flowNodeRef), also those inside the step plan's subprocess.
  const bo = getBusinessObject(element);
  const lane = registry.filter((e) => is(e, "bpmn:Lane") && (e.businessObject.flowNodeRef || []).includes(bo)).pop();
  return lane ? lane.businessObject : null;
}

export function formFieldsOfDiagram(elementRegistry, forms) {
  const byKey = new Map(forms.map((f) => [f.key, f]));
  const fields = [];
  const seen = new Set();
  elementRegistry.filter((e) => is(e, "bpmn:UserTask")).forEach((task) => {
    const form = byKey.get(getBusinessObject(task).get("meldroute:formKey"));
    (form ? form.velden : []).forEach((field) => {
      if (!seen.has(field.naam)) {
        seen.add(field.naam);
        fields.push({ ...field, formulier: form.titel });
      }
    });
  });
  return fields;
}

function FormEntry({ element, id }) {
  const modeling = useService("modeling");
  const config = useService("config.meldroute");
  const options = [{ value: "", label: "— kies een formulier —" },
    ...config.forms.map((f) => ({ value: f.key, label: f.titel }))];
  const current = getBusinessObject(element).get("meldroute:formKey") || "";
  if (current && !config.forms.some((f) => f.key === current)) {
    options.push({ value: current, label: `${current} (onbekend formulier)` });
  }
  return h(SelectEntry, {
    id, element, label: "Formulier",
    description: "Wat de gebruiker in deze stap invult. Een nieuw formulier maken kan hier niet: Meldroute heeft geen formuliereditor. Een beheerder zet een nieuw formulier als YAML-bestand in de formulierenmap van de server (forms/); na een herstart staat het in deze lijst.",
    getValue: () => current,
    setValue: (value) => modeling.updateProperties(element, { "meldroute:formKey": value || undefined }),
    getOptions: () => options,
  });
}

function RoleEntry({ element, id }) {
  const lane = laneOf(useService("elementRegistry"), element);
  const label = lane ? (lane.name || "(baan zonder naam)") : "— ligt in geen baan —";
  return h(TextFieldEntry, {
    id, element, label: "Rol (baan)", disabled: true,
    description: "De rol is de baan waarin de taak ligt: sleep de taak naar een andere baan om de rol te wijzigen.",
    getValue: () => label, setValue: () => {}, debounce: (fn) => fn,
  });
}

function LaneNameEntry({ element, id }) {
  const modeling = useService("modeling");
  const config = useService("config.meldroute");
  const bo = getBusinessObject(element);
  const options = [{ value: "", label: "— kies een rol —" }, ...config.roles.map((r) => ({ value: r, label: r }))];
  if (bo.name && !config.roles.includes(bo.name)) options.push({ value: bo.name, label: `${bo.name} (onbekende rol)` });
  return h(SelectEntry, {
    id, element, label: "Rol van deze baan",
    description: "Elke taak in deze baan is voor deze rol.",
    getValue: () => bo.name || "",
    setValue: (value) => modeling.updateProperties(element, { name: value }),
    getOptions: () => options,
  });
}

function useDeadline(element) {
  const modeling = useService("modeling");
  const bo = getBusinessObject(element);
  const current = parseDeadline(bo.get("meldroute:dueDate"));
  const update = (change) => {
    const next = { ...current, ...change };
    if (next.unit && !["dezelfde_dag", "veld", "anders"].includes(next.unit) && next.amount == null) next.amount = 5;
    modeling.updateProperties(element, { "meldroute:dueDate": writeDeadline(next) });
  };
  return [current, update];
}

function DeadlineUnitEntry({ element, id }) {
  const [current, update] = useDeadline(element);
  return h(SelectEntry, {
    id, element, label: "Termijn",
    description: "Werkdagen slaan weekenden en feestdagen over (zo telt Veilig Thuis); schooldagen ook de schoolvakanties en studiedagen van de school (Schoolkalender).",
    getValue: () => current.unit, setValue: (unit) => update({ unit }), getOptions: () => UNITS,
  });
}

function DeadlineAmountEntry({ element, id }) {
  const [current, update] = useDeadline(element);
  const debounce = useService("debounceInput");
  return h(NumberFieldEntry, {
    id, element, label: "Aantal", min: 0, max: 366, step: 1, debounce,
    getValue: () => current.amount,
    setValue: (value) => update({ amount: Number.parseInt(value, 10) }),
  });
}

function DeadlineFieldEntry({ element, id }) {
  const [current, update] = useDeadline(element);
  const registry = useService("elementRegistry");
  const config = useService("config.meldroute");
  const durations = formFieldsOfDiagram(registry, config.forms).filter((f) => f.type === "duration");
  return h(SelectEntry, {
    id, element, label: "Veld met de afgesproken termijn",
    getValue: () => current.field,
    setValue: (field) => update({ field }),
    getOptions: () => [{ value: "", label: "— kies een veld —" },
      ...durations.map((f) => ({ value: f.naam, label: `${f.label} (${f.formulier})` }))],
  });
}

function DeadlineRawEntry({ element, id }) {
  const [current, update] = useDeadline(element);
  const debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    id, element, label: "Expressie", debounce,
    description: "Bijvoorbeeld werkdagen(5) of termijn(tijdslimiet); de server controleert haar bij opslaan.",
    getValue: () => current.raw || "", setValue: (raw) => update({ raw }),
  });
}

function documentationOf(element) {
  const docs = getBusinessObject(element).get("documentation") || [];
  return docs.map((d) => d.text || "").join("\n");
}

function GuidanceEntry({ element, id }) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  return h(TextAreaEntry, {
    id, element, label: "Handreiking bij het formulier", rows: 6, debounce,
    description: "Staat naast het formulier: de tekst van het protocol voor deze stap, kort.",
    getValue: () => documentationOf(element),
    setValue: (text) => modeling.updateProperties(element, {
      documentation: text ? [bpmnFactory.create("bpmn:Documentation", { text })] : [],
    }),
  });
}

function conditionOf(element) {
  const expression = getBusinessObject(element).conditionExpression;
  return expression ? (expression.body || "") : "";
}

function useCondition(element) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const config = useService("config.meldroute");
  const fields = fieldsBefore(getBusinessObject(element).sourceRef, config.forms);
  const parsed = parseCondition(conditionOf(element)) || { field: "", op: "==", value: "" };
  const write = (text) => modeling.updateProperties(element, {
    conditionExpression: text ? bpmnFactory.create("bpmn:FormalExpression", { body: text }) : undefined,
  });
  const update = (change) => {
    const next = { ...parsed, ...change };
    write(writeCondition(next, fields.find((f) => f.naam === next.field)));
  };
  return { parsed, fields, update, write };
}

function ConditionFieldEntry({ element, id }) {
  const { parsed, fields, update } = useCondition(element);
  return h(SelectEntry, {
    id, element, label: "Als veld",
    description: "Velden van de formulieren die vóór deze keuze zijn ingevuld.",
    getValue: () => parsed.field,
    setValue: (field) => update({ field, value: "" }),
    getOptions: () => [{ value: "", label: "— geen voorwaarde —" },
      ...fields.map((f) => ({ value: f.naam, label: `${f.label} (${f.formulier})` })),
      // A condition written earlier on a field no form before the gateway asks stays visible.
      ...(parsed.field && !fields.some((f) => f.naam === parsed.field)
        ? [{ value: parsed.field, label: `${parsed.field} (geen veld van een formulier vóór deze keuze)` }] : [])],
  });
}

function ConditionOpEntry({ element, id }) {
  const { parsed, update } = useCondition(element);
  return h(SelectEntry, {
    id, element, label: "Vergelijking", getValue: () => parsed.op,
    setValue: (op) => update({ op }), getOptions: () => COMPARISONS,
  });
}

function ConditionValueEntry({ element, id }) {
  const { parsed, fields, update } = useCondition(element);
  const debounce = useService("debounceInput");
  const field = fields.find((f) => f.naam === parsed.field);
  if (field && field.type === "boolean") {
    return h(SelectEntry, {
      id, element, label: "Waarde", getValue: () => (parsed.value === true ? "true" : "false"),
      setValue: (value) => update({ value: value === "true" }),
      getOptions: () => [{ value: "true", label: "ja" }, { value: "false", label: "nee" }],
    });
  }
  if (field && field.opties && field.opties.length) {
    return h(SelectEntry, {
      id, element, label: "Waarde", getValue: () => String(parsed.value ?? ""),
      setValue: (value) => update({ value }),
      getOptions: () => [{ value: "", label: "— kies —" }, ...field.opties.map((o) => ({ value: o.waarde, label: o.label }))],
    });
  }
  return h(TextFieldEntry, {
    id, element, label: "Waarde", debounce, getValue: () => String(parsed.value ?? ""),
    setValue: (value) => update({ value }),
  });
}

function ConditionRawEntry({ element, id }) {
  const { write } = useCondition(element);
  const debounce = useService("debounceInput");
  return h(TextAreaEntry, {
    id, element, label: "Expressie (geavanceerd)", rows: 2, monospace: true, debounce,
    description: "Een veilige expressie over formuliervelden; de server controleert haar bij opslaan.",
    getValue: () => conditionOf(element), setValue: (text) => write(text),
  });
}

// What the monitor counts: a user task where the melding to Veilig Thuis / AMK is made, and how a
// case ending at an end event was handled (the yearly figures' categories, from the server).
function MeldingEntry({ element, id }) {
  const modeling = useService("modeling");
  return h(CheckboxEntry, {
    id, element, label: "In deze stap wordt de melding gedaan (Veilig Thuis / AMK)",
    getValue: () => getBusinessObject(element).get("meldroute:melding") === true,
    setValue: (on) => modeling.updateProperties(element, { "meldroute:melding": on ? true : undefined }),
  });
}

function OutcomeEntry({ element, id }) {
  const modeling = useService("modeling");
  const config = useService("config.meldroute");
  const current = getBusinessObject(element).get("meldroute:outcome") || "";
  const options = [{ value: "", label: "— geen (telt niet als afloop) —" },
    ...(config.outcomes || []).map((o) => ({ value: o.waarde, label: o.label }))];
  if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: `${current} (onbekend)` });
  return h(SelectEntry, {
    id, element, label: "Afloop van de zaak",
    description: "Hoe een zaak die hier eindigt, telt in de jaarcijfers.",
    getValue: () => current,
    setValue: (value) => modeling.updateProperties(element, { "meldroute:outcome": value || undefined }),
    getOptions: () => options,
  });
}

function ShowAdvancedEntry({ element, id }) {
  const state = useService("meldrouteAdvanced");
  const eventBus = useService("eventBus");
  return h(CheckboxEntry, {
    id, element, label: "Geavanceerd: expressie zelf schrijven",
    getValue: () => state.open, setValue: (open) => { state.open = open; eventBus.fire("elements.changed", { elements: [element] }); },
  });
}

function fromGateway(element) {
  const source = element.source;
  return is(element, "bpmn:SequenceFlow") && source
    && (is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway"));
}

function meldrouteGroups(element, advanced) {
  const groups = [];
  if (is(element, "bpmn:UserTask")) {
    const deadline = parseDeadline(getBusinessObject(element).get("meldroute:dueDate"));
    const entries = [
      { id: "meldroute-form", element, component: FormEntry, isEdited: isSelectEntryEdited },
      { id: "meldroute-role", element, component: RoleEntry, isEdited: () => false },
      { id: "meldroute-deadline-unit", element, component: DeadlineUnitEntry, isEdited: isSelectEntryEdited },
    ];
    if (COUNTED_UNITS.includes(deadline.unit)) {
      entries.push({ id: "meldroute-deadline-amount", element, component: DeadlineAmountEntry, isEdited: isNumberFieldEntryEdited });
    } else if (deadline.unit === "veld") {
      entries.push({ id: "meldroute-deadline-field", element, component: DeadlineFieldEntry, isEdited: isSelectEntryEdited });
    } else if (deadline.unit === "anders") {
      entries.push({ id: "meldroute-deadline-raw", element, component: DeadlineRawEntry, isEdited: isTextFieldEntryEdited });
    }
    entries.push({ id: "meldroute-melding", element, component: MeldingEntry, isEdited: () => false });
    groups.push({ id: "meldroute-step", label: "Stap", shouldOpen: true, entries });
  }
  if (is(element, "bpmn:EndEvent")) {
    groups.push({ id: "meldroute-outcome", label: "Afloop", shouldOpen: true, entries: [
      { id: "meldroute-outcome-kind", element, component: OutcomeEntry, isEdited: isSelectEntryEdited }] });
  }
  if (is(element, "bpmn:Lane")) {
    groups.push({ id: "meldroute-lane", label: "Rol", shouldOpen: true, entries: [
      { id: "meldroute-lane-name", element, component: LaneNameEntry, isEdited: isSelectEntryEdited }] });
  }
  if (fromGateway(element)) {
    const entries = [
      { id: "meldroute-condition-field", element, component: ConditionFieldEntry, isEdited: isSelectEntryEdited },
      { id: "meldroute-condition-op", element, component: ConditionOpEntry, isEdited: isSelectEntryEdited },
      { id: "meldroute-condition-value", element, component: ConditionValueEntry, isEdited: isSelectEntryEdited },
      { id: "meldroute-condition-advanced", element, component: ShowAdvancedEntry, isEdited: () => false },
    ];
    if (advanced.open) {
      entries.push({ id: "meldroute-condition-raw", element, component: ConditionRawEntry, isEdited: isTextAreaEntryEdited });
    }
    groups.push({ id: "meldroute-condition", label: "Voorwaarde", shouldOpen: true, entries });
  }
  if (!is(element, "bpmn:Process") && !is(element, "bpmn:Collaboration") && !is(element, "bpmn:Lane")
      && !is(element, "bpmn:Participant") && !is(element, "bpmn:SequenceFlow")) {
    groups.push({ id: "meldroute-guidance", label: "Handreiking", shouldOpen: true, entries: [
      { id: "meldroute-documentation", element, component: GuidanceEntry, isEdited: isTextAreaEntryEdited }] });
  }
  return groups;
}

function MeldroutePropertiesProvider(propertiesPanel, meldrouteAdvanced) {
  this.getGroups = (element) => (groups) => [
    ...groups.filter((group) => KEPT_GROUPS.has(group.id)),
    ...meldrouteGroups(element, meldrouteAdvanced),
  ];
  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}
MeldroutePropertiesProvider.$inject = ["propertiesPanel", "meldrouteAdvanced"];

export default {
  __init__: ["meldroutePropertiesProvider"],
  meldroutePropertiesProvider: ["type", MeldroutePropertiesProvider],
  meldrouteAdvanced: ["value", { open: false }],
};
