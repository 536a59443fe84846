// The diff page: two versions in synchronised viewers with their changes marked, and the Dutch
// change list from bpmn-js-differ (read with the Meldroute descriptor).
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { BpmnModdle } from "bpmn-moddle";
import { diff } from "bpmn-js-differ";
import meldrouteModdle from "./modeler/meldroute-moddle.json";
import { describeChanges } from "./modeler/changes.js";

async function fetchVersion(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(String(response.status));
  return (await response.json()).bpmn;
}

export async function showDiff(root) {
  const [oldXml, newXml] = await Promise.all([fetchVersion(root.dataset.oldUrl), fetchVersion(root.dataset.newUrl)]);
  const moddle = new BpmnModdle({ meldroute: meldrouteModdle });
  const [a, b] = await Promise.all([moddle.fromXML(oldXml), moddle.fromXML(newXml)]);
  const rows = describeChanges(diff(a.rootElement, b.rootElement));

  const left = new NavigatedViewer({ container: root.querySelector("[data-old]"), moddleExtensions: { meldroute: meldrouteModdle } });
  const right = new NavigatedViewer({ container: root.querySelector("[data-new]"), moddleExtensions: { meldroute: meldrouteModdle } });
  await left.importXML(oldXml);
  await right.importXML(newXml);
  const mark = (viewer, id, marker) => viewer.get("elementRegistry").get(id) && viewer.get("canvas").addMarker(id, marker);
  rows.forEach((row) => {
    if (row.soort !== "toegevoegd") mark(left, row.id, `diff-${row.soort}`);
    if (row.soort !== "verwijderd") mark(right, row.id, `diff-${row.soort}`);
  });
  left.get("canvas").zoom("fit-viewport");
  // Synchronised: panning or zooming one shows the same part of the other.
  let syncing = false;
  const follow = (from, to) => from.on("canvas.viewbox.changed", ({ viewbox }) => {
    if (syncing) return;
    syncing = true;
    to.get("canvas").viewbox({ x: viewbox.x, y: viewbox.y, width: viewbox.width, height: viewbox.height });
    syncing = false;
  });
  follow(left, right);
  follow(right, left);
  right.get("canvas").viewbox(left.get("canvas").viewbox());

  const list = root.querySelector("[data-changes]");
  list.replaceChildren();
  if (rows.length === 0) {
    const item = document.createElement("li");
    item.textContent = "Geen verschillen in de inhoud (hooguit in de opmaak).";
    list.append(item);
  }
  rows.forEach((row) => {
    const item = document.createElement("li");
    item.dataset.kind = row.soort;
    item.textContent = row.tekst;
    list.append(item);
  });
  root.dataset.state = "klaar";
}
