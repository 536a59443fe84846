// The modeler page: a school's draft in the bpmn-js Modeler with Meldroute's properties panel.
// Saves (explicitly and automatically) to the server, which answers with its authoritative
// problems; a save that someone else overtook is refused there (409) and this page keeps the
// diagram, offers it as a download and stops autosaving, so nothing is lost.
import Modeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import meldrouteModdle from "./modeler/meldroute-moddle.json";
import MeldrouteProviderModule from "./modeler/provider.js";
import translate from "./modeler/translate.js";
import LaneRefs from "./modeler/lane-refs.js";
import lintModule from "bpmn-js-bpmnlint";
import { lintConfig } from "./modeler/lint.js";
import { fixFor } from "./modeler/problem-fields.js";
import { showDiff } from "./diff.js";

const AUTOSAVE_DELAY_MS = 2500;
const PROBLEM_MARKER = "meldroute-problem";
const WARNING_MARKER = "meldroute-warning";

const root = document.getElementById("modeler");

function status(selector, text, kind) {
  const node = root.querySelector(selector);
  if (!node) return;
  node.textContent = text;
  node.dataset.kind = kind || "";
}

async function request(url, method, body) {
  const response = await fetch(url, {
    method, credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrfToken },
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = {};
  try { data = await response.json(); } catch (error) { data = { fout: `De server antwoordde ${response.status}.` }; }
  return { status: response.status, data };
}

function elementLabel(registry, id) {
  const element = id && registry.get(id);
  if (!element) return id || "diagram";
  const name = element.businessObject && element.businessObject.name;
  return name ? `${name} (${id})` : id;
}

// Diagrams written by hand or by other tools often leave out <bpmn:incoming>/<bpmn:outgoing>;
// bpmnlint reads connections from those lists, and would call every step disconnected.
// bpmnlint's own rules report in English: the ones a policy owner meets, in Dutch.
const LINT_NL = {
  "Element is not connected": "Element is niet verbonden: verbind het met de stap ervoor en erna",
  "Element is an implicit end": "Hier houdt de route op zonder eindgebeurtenis: verbind met een eindgebeurtenis",
  "Element is an implicit start": "Hier begint de route zonder startgebeurtenis: verbind het met de stap ervoor",
  "Incoming flows do not join": "Binnenkomende stromen komen hier niet samen: zet er een gateway voor",
  "Flow splits implicitly": "De route splitst hier zonder gateway",
  "Sequence flow is missing condition": "Stroom uit een gateway zonder voorwaarde",
  "Sequence flow has superfluous label": "Stroom heeft een label zonder betekenis (geen voorwaarde)",
  "Gateway forks and joins": "Gateway splitst én voegt samen: gebruik er twee",
  "Gateway is superfluous. It only has one source and target.": "Overbodige gateway: één stroom in, één uit",
  "Element overlaps with other element": "Element overlapt een ander element",
  "Element is missing label/name": "Element heeft geen naam",
  "Termination is superfluous.": "Beëindiging is overbodig",
  "Duplicate outgoing sequence flows": "Dubbele uitgaande stromen",
  "Duplicate incoming sequence flows": "Dubbele binnenkomende stromen",
  "Element is missing bpmndi": "Element heeft geen tekening (bpmndi)",
};

function fillFlowReferences(definitions) {
  const add = (owner, name, flow) => {
    if (!owner) return;
    const list = owner.get(name);
    if (!list.includes(flow)) list.push(flow);
  };
  (function walk(elements) {
    (elements || []).forEach((element) => {
      if (element.$instanceOf("bpmn:SequenceFlow")) {
        add(element.sourceRef, "outgoing", element);
        add(element.targetRef, "incoming", element);
      }
      if (element.flowElements) walk(element.flowElements);
    });
  })((definitions.rootElements || []).flatMap((root) => root.flowElements || []));
}

async function start() {
  let content;
  try {
    const response = await fetch(root.dataset.contentUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    content = await response.json();
  } catch (error) {
    status("[data-modeler-status]", "Het concept kon niet worden geladen. Herlaad de pagina.", "fout");
    return;
  }
  const canvasNode = root.querySelector("[data-canvas]");
  canvasNode.querySelector("[data-modeler-status]")?.remove();
  const modeler = new Modeler({
    container: canvasNode,
    propertiesPanel: { parent: root.querySelector("[data-properties]") },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, MeldrouteProviderModule, lintModule,
      { translate: ["value", translate], __init__: ["meldrouteLaneRefs"], meldrouteLaneRefs: ["type", LaneRefs] },
    ],
    moddleExtensions: { meldroute: meldrouteModdle },
    linting: { bpmnlint: lintConfig, active: true },
    meldroute: { forms: content.formulieren, roles: content.rollen, outcomes: content.uitkomsten || [] },
  });
  modeler.on("import.parse.complete", ({ definitions }) => definitions && fillFlowReferences(definitions));
  window.meldrouteModeler = modeler;  // for the browser test and for support, like the case viewer's state
  await modeler.importXML(content.bpmn);
  // A whole meldcode fitted into the page is unreadable: open at a readable scale on the first step.
  const firstStep = modeler.get("elementRegistry").filter((e) => e.type === "bpmn:UserTask")[0];
  modeler.get("canvas").zoom(0.8);
  if (firstStep) modeler.get("canvas").scrollToElement(firstStep, { top: 120, left: 200, right: 600, bottom: 300 });

  let revision = content.revisie;
  let conflicted = false;
  let timer = null;
  let saving = Promise.resolve();
  const registry = modeler.get("elementRegistry");
  const canvas = modeler.get("canvas");
  let marked = [];
  const panelNode = root.querySelector("[data-properties]");

  // A click on a problem selects the element that fixes it and opens and focuses the panel field
  // to change (form, role, deadline, condition, timer …), through the panel's own showEntry event.
  function revealProblem(elementId, problem) {
    const element = elementId && registry.get(elementId);
    if (!element) return;
    const fix = fixFor(element, problem);
    const advanced = modeler.get("meldrouteAdvanced");
    const reopen = fix.advanced && !advanced.open;
    if (fix.advanced) advanced.open = true;
    modeler.get("selection").select(fix.target);
    if (reopen) modeler.get("eventBus").fire("elements.changed", { elements: [fix.target] });
    canvas.scrollToElement(fix.target);
    if (!fix.entries.length) return;
    let frames = 0;
    (function attempt() {
      frames += 1;
      // The panel renders the new selection a frame or two later: look only after that.
      const id = frames > 2 && fix.entries.find((entry) => panelNode.querySelector(`[data-entry-id="${entry}"]`));
      if (!id) {
        if (frames < 40) requestAnimationFrame(attempt);
        return;
      }
      modeler.get("eventBus").fire("propertiesPanel.showEntry", { id, focus: true });
      requestAnimationFrame(() => {
        const entry = panelNode.querySelector(`[data-entry-id="${id}"]`);
        if (!entry) return;
        const input = entry.querySelector("select, textarea, input:not([disabled])");
        if (input && document.activeElement !== input) input.focus();
        panelNode.querySelectorAll(".meldroute-fix").forEach((node) => node.classList.remove("meldroute-fix"));
        entry.classList.add("meldroute-fix");
        entry.scrollIntoView({ block: "nearest" });
        root.dataset.fixEntry = id;
      });
    })();
  }

  function showProblems(errors, warnings) {
    marked.forEach(([id, marker]) => registry.get(id) && canvas.removeMarker(id, marker));
    marked = [];
    const list = root.querySelector("[data-problems]");
    list.replaceChildren();
    const all = [...errors.map((p) => ({ ...p, soort: "fout" })), ...warnings.map((p) => ({ ...p, soort: "waarschuwing" }))];
    if (errors.length === 0) {
      const item = document.createElement("li");
      item.className = "meta";
      item.textContent = warnings.length
        ? "Geen fouten: dit concept kan worden gepubliceerd. Bekijk de waarschuwingen (o.a. het basismodel 2019)."
        : "Geen fouten: dit concept kan worden gepubliceerd.";
      list.append(item);
    }
    all.forEach((problem) => {
      const item = document.createElement("li");
      item.dataset.kind = problem.soort;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = `${problem.soort === "fout" ? "Fout" : "Waarschuwing"} — ${elementLabel(registry, problem.element_id)}: ${problem.message}`;
      button.addEventListener("click", () => revealProblem(problem.element_id, { message: problem.message }));
      item.append(button);
      list.append(item);
      if (problem.element_id && registry.get(problem.element_id)) {
        const marker = problem.soort === "fout" ? PROBLEM_MARKER : WARNING_MARKER;
        canvas.addMarker(problem.element_id, marker);
        marked.push([problem.element_id, marker]);
      }
    });
    root.dataset.errors = String(errors.length);
  }

  async function save(automatic) {
    if (conflicted) return;
    const { xml } = await modeler.saveXML({ format: true });
    status("[data-save-status]", automatic ? "Automatisch opslaan …" : "Opslaan …");
    const { status: code, data } = await request(root.dataset.saveUrl, "PUT", { bpmn: xml, revisie: revision, automatisch: automatic });
    if (code === 200) {
      revision = data.revisie;
      root.dataset.revision = String(revision);
      const when = new Date(data.opgeslagen_op).toLocaleString("nl-NL");
      status("[data-save-status]", `Opgeslagen ${when} door ${data.opgeslagen_door} (revisie ${revision})`, "ok");
      showProblems(data.fouten, data.waarschuwingen);
    } else if (code === 409) {
      conflicted = true;
      status("[data-save-status]", data.fout, "fout");
      offerDownload(xml);
    } else {
      status("[data-save-status]", data.fout || `Niet opgeslagen (${code}).`, "fout");
      if (data.fouten) showProblems(data.fouten, []);
    }
  }

  function offerDownload(xml) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
    link.download = "mijn-concept.bpmn";
    link.textContent = "Mijn versie downloaden (.bpmn)";
    root.querySelector(".modeler-toolbar").append(link);
  }

  function queue(automatic) {
    saving = saving.then(() => save(automatic)).catch(() => status("[data-save-status]", "Niet opgeslagen: geen verbinding met de server.", "fout"));
    return saving;
  }

  modeler.on("commandStack.changed", () => {
    clearTimeout(timer);
    status("[data-save-status]", "Niet opgeslagen wijzigingen", "");
    timer = setTimeout(() => queue(true), AUTOSAVE_DELAY_MS);
  });
  root.querySelector('[data-action="opslaan"]').addEventListener("click", () => { clearTimeout(timer); queue(false); });

  root.querySelector("[data-publish-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearTimeout(timer);
    await queue(false);
    if (conflicted) return;
    const note = root.querySelector("#notitie").value;
    const { status: code, data } = await request(root.dataset.publishUrl, "POST", { revisie: revision, notitie: note });
    if (code === 200) {
      status("[data-publish-status]", `Versie ${data.versie} is gepubliceerd. Nieuwe zaken starten daarop.`, "ok");
      root.dataset.published = String(data.versie);
    } else {
      status("[data-publish-status]", data.fout || `Niet gepubliceerd (${code}).`, "fout");
      if (data.fouten && data.fouten.length) showProblems(data.fouten, []);
    }
  });

  modeler.on("linting.completed", ({ issues }) => showLint(issues));

  // The instant tier: bpmnlint in the browser, per element, a click selects it. Saving asks the
  // server, whose list above is what publishing checks.
  function showLint(issues) {
    const list = root.querySelector("[data-lint]");
    list.replaceChildren();
    const rows = Object.entries(issues).flatMap(([id, found]) => found.map((issue) => ({ ...issue, id })));
    root.dataset.lintCount = String(rows.length);
    if (rows.length === 0) {
      const item = document.createElement("li");
      item.className = "meta";
      item.textContent = "Geen meldingen.";
      list.append(item);
    }
    rows.forEach((issue) => {
      const item = document.createElement("li");
      item.dataset.kind = issue.category === "error" ? "fout" : "waarschuwing";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = `${elementLabel(registry, issue.id)}: ${LINT_NL[issue.message] || issue.message}`;
      button.addEventListener("click", () => revealProblem(issue.id, { rule: issue.rule, message: issue.message }));
      item.append(button);
      list.append(item);
    });
  }

  showProblems(content.fouten, content.waarschuwingen);
  root.dataset.state = "klaar";
}

if (root) start();

const diffRoot = document.getElementById("verschil");
if (diffRoot) {
  showDiff(diffRoot).catch(() => {
    diffRoot.querySelector("[data-changes]").textContent = "De versies konden niet worden vergeleken. Herlaad de pagina.";
  });
}
