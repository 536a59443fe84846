// The case page's diagram: the case's own BPMN version in a bpmn-js viewer (pan and zoom), with
// where the case stands now and what it has done. Progressive enhancement: without this script
// the page keeps its text fallback, and every step is in the page's lists anyway.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

// Also used by css/meldroute.css and the legend in cases/show.html.
const CURRENT_MARKER = "meldroute-current";
const COMPLETED_MARKER = "meldroute-completed";

function showMessage(container, text) {
  const status = container.querySelector("[data-diagram-status]");
  if (status) {
    status.textContent = text;
    status.hidden = false;
  }
}

async function fetchPosition(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`${url} antwoordde ${response.status}`);
  }
  return response.json();
}

function markElements(viewer, position) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const present = (id) => registry.get(id) !== undefined;
  // The server already leaves current elements out of the completed ones (loops back).
  position.afgerond.filter(present).forEach((id) => canvas.addMarker(id, COMPLETED_MARKER));
  position.huidig.filter(present).forEach((id) => canvas.addMarker(id, CURRENT_MARKER));
}

// The monitor's process view sends, per activity, the open cases there now (and how many are past
// their term), the heat against the step's own deadline, and for a director a link to those cases.
function showActivityFigures(viewer, activities) {
  const canvas = viewer.get("canvas");
  const overlays = viewer.get("overlays");
  const registry = viewer.get("elementRegistry");
  for (const [id, figures] of Object.entries(activities || {})) {
    const shape = registry.get(id);
    if (!shape) continue;  // a task of an element this version no longer draws
    canvas.addMarker(id, figures.warmte === null ? "meldroute-heat-none" : `meldroute-heat-${figures.warmte}`);
    const badge = document.createElement(figures.link ? "a" : "span");
    badge.className = "monitor-badge";
    badge.dataset.activity = id;
    badge.textContent = String(figures.aantal);
    badge.title = `${figures.aantal} lopend, ${figures.te_laat} over de termijn`;
    if (figures.te_laat) {
      const late = document.createElement("span");
      late.className = "late";
      late.textContent = `${figures.te_laat} te laat`;
      badge.append(late);
    }
    if (figures.link) {
      badge.href = figures.link;
      canvas.addMarker(id, "meldroute-clickable");
    }
    overlays.add(id, "meldroute-figures", { position: { top: -12, right: 12 }, html: badge });
  }
  viewer.on("element.click", (event) => {
    const link = activities[event.element.id]?.link;
    if (link) window.location.assign(link);
  });
}

// Whole meldcode diagrams are wide: fitted into the page their labels become unreadable, so the
// viewer opens at a readable scale around where the case stands and the steps just before it
// (pan and zoom show the rest). A closed case shows the whole diagram.
const READABLE_SCALE = 0.75;

function focusOnCurrent(viewer, currentIds, completedIds) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  canvas.zoom("fit-viewport", "auto");
  if (currentIds.length === 0 || canvas.zoom() >= READABLE_SCALE) {
    return;
  }
  const recent = completedIds.slice(-3);  // completed ids come in the order they were done
  const shapes = [...currentIds, ...recent]
    .map((id) => registry.get(id))
    .filter((shape) => shape && shape.width !== undefined && !shape.labelTarget);
  if (shapes.length === 0) {
    return;
  }
  const left = Math.min(...shapes.map((s) => s.x));
  const top = Math.min(...shapes.map((s) => s.y));
  const right = Math.max(...shapes.map((s) => s.x + s.width));
  const bottom = Math.max(...shapes.map((s) => s.y + s.height));
  const { width, height } = canvas.viewbox().outer;
  const scale = Math.min(READABLE_SCALE, width / (right - left + 200), height / (bottom - top + 200));
  const visibleWidth = width / scale;
  const visibleHeight = height / scale;
  canvas.viewbox({
    x: (left + right) / 2 - visibleWidth / 2,
    y: (top + bottom) / 2 - visibleHeight / 2,
    width: visibleWidth,
    height: visibleHeight,
  });
}

async function showCaseDiagram(container) {
  container.dataset.diagramState = "laden";
  let position;
  try {
    position = await fetchPosition(container.dataset.diagramUrl);
  } catch (error) {
    console.error("Diagram niet geladen:", error);
    container.dataset.diagramState = "fout";
    showMessage(container, "Het diagram kon niet worden geladen. Herlaad de pagina; alle stappen staan ook in de lijsten op deze pagina.");
    return;
  }
  container.classList.add("diagram-active");
  const viewer = new NavigatedViewer({ container });
  try {
    const { warnings } = await viewer.importXML(position.bpmn);
    if (warnings.length) {
      console.warn("Waarschuwingen bij het tekenen van het diagram:", warnings);
    }
  } catch (error) {
    console.error("Diagram niet getekend:", error);
    viewer.destroy();
    container.classList.remove("diagram-active");
    container.dataset.diagramState = "fout";
    showMessage(container, "Het diagram kon niet worden getekend. Alle stappen staan ook in de lijsten op deze pagina.");
    return;
  }
  markElements(viewer, position);
  if (position.activiteiten) {
    showActivityFigures(viewer, position.activiteiten);
    // Open around the steps where cases stand, as readable as they fit (pan and zoom for the rest).
    focusOnCurrent(viewer, Object.keys(position.activiteiten), []);
  } else {
    focusOnCurrent(viewer, position.huidig, position.afgerond);
  }
  const status = container.querySelector("[data-diagram-status]");
  if (status) status.hidden = true;
  container.dataset.diagramState = "getoond";
}

document.querySelectorAll("[data-diagram-url]").forEach((container) => {
  showCaseDiagram(container);
});
