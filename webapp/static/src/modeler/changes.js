// The Dutch change list between two versions, from bpmn-js-differ's result (both versions read
// with the Meldroute descriptor, so form and deadline changes are attribute changes).
const KINDS = {
  "bpmn:UserTask": "taak", "bpmn:Task": "taak", "bpmn:ExclusiveGateway": "keuze", "bpmn:InclusiveGateway": "keuze",
  "bpmn:ParallelGateway": "splitsing", "bpmn:EventBasedGateway": "wachten op", "bpmn:StartEvent": "start",
  "bpmn:EndEvent": "einde", "bpmn:IntermediateCatchEvent": "gebeurtenis", "bpmn:BoundaryEvent": "gebeurtenis",
  "bpmn:SequenceFlow": "stroom", "bpmn:Lane": "baan (rol)", "bpmn:SubProcess": "subproces",
  "bpmn:TextAnnotation": "notitie", "bpmn:Process": "proces",
};
const ATTRIBUTES = {
  "meldroute:formKey": "formulier", formKey: "formulier", "meldroute:dueDate": "termijn", dueDate: "termijn",
  "meldroute:alsoLanes": "ook uit te voeren door", alsoLanes: "ook uit te voeren door",
  "meldroute:neverBy": "nooit door wie in deze zaak deed", neverBy: "nooit door wie in deze zaak deed",
  name: "naam", documentation: "handreiking", conditionExpression: "voorwaarde", flowNodeRef: "taken in deze baan",
  sourceRef: "van", targetRef: "naar", default: "standaardstroom", eventDefinitions: "termijn of gebeurtenis",
  timeDuration: "duur", timeDate: "moment",
};

function kind(element) {
  return KINDS[element.$type] || element.$type.replace("bpmn:", "");
}

function label(element) {
  return element.name ? `'${element.name}'` : element.id;
}

function show(value) {
  if (value === undefined || value === null || value === "") return "(leeg)";
  if (Array.isArray(value)) return value.map(show).join(", ") || "(leeg)";
  if (typeof value === "object") {
    if ("body" in value) return value.body || "(leeg)";
    if ("text" in value) return value.text || "(leeg)";
    if (value.name || value.id) return value.name || value.id;
    return "(gewijzigd)";
  }
  // References arrive as "#ref:<id>" (jsondiffpatch's form): the element's id is what the author knows.
  return String(value).replace(/^#ref:/, "");
}

export function describeChanges(result) {
  const rows = [];
  Object.entries(result._added).forEach(([id, element]) => rows.push({
    id, soort: "toegevoegd", tekst: `Toegevoegd: ${kind(element)} ${label(element)}` }));
  Object.entries(result._removed).forEach(([id, element]) => rows.push({
    id, soort: "verwijderd", tekst: `Verwijderd: ${kind(element)} ${label(element)}` }));
  Object.entries(result._changed).forEach(([id, change]) => {
    // bpmn-js-differ 3.2 passes jsondiffpatch's delta on as (newValue, oldValue) = (d[0], d[1]):
    // [after] when an attribute is added, [before, after] when changed, [before, 0, 0] when removed.
    // Checked against known diagrams in tests/modeler/test_diff.py.
    const parts = Object.entries(change.attrs).map(([attribute, { newValue: first, oldValue: second }]) => {
      const key = attribute.replace(/\[\d+\]$/, "");
      const [before, after] = second === undefined ? [undefined, first] : second === 0 ? [first, undefined] : [first, second];
      return `${ATTRIBUTES[key] || key}: ${show(before)} → ${show(after)}`;
    });
    rows.push({ id, soort: "gewijzigd", tekst: `Gewijzigd: ${kind(change.model)} ${label(change.model)} — ${parts.join("; ")}` });
  });
  return rows;
}
