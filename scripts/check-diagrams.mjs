// Check that BPMN files import into bpmn-js without warnings, without a browser:
//
//   npm run --silent check-diagrams -- workflows/*/*.bpmn      (exit 1 when any file has warnings)
//
// Uses bpmn-js's own parser (bpmn-moddle) and its own tree walker (which reports DI problems such
// as missing or duplicate shapes). Drawing needs a DOM, so the visitor below stands in for
// bpmn-js's BpmnImporter and raises what that importer raises for an element it cannot place:
// a shape without bounds, a boundary event before its host, a flow before its ends, an unknown
// kind of DI. Everything else bpmn-js checks on import happens in the parser and the walker.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// bpmn-js ships extensionless ES module imports that Node cannot load directly: bundle in memory.
// bpmn-moddle is not in package.json on purpose: it is bpmn-js's own dependency, so this resolves
// to exactly the parser the viewer uses.
async function loadBpmnJsParts() {
  const bundled = await build({
    stdin: {
      contents: `export { BpmnModdle } from "bpmn-moddle";
                 export { default as BpmnTreeWalker } from "bpmn-js/lib/import/BpmnTreeWalker";`,
      resolveDir: root,
    },
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    logLevel: "error",
  });
  const code = bundled.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}

function describe(element) {
  return element ? `<${element.$type} id="${element.id ?? ""}">` : "<leeg>";
}

function importerStandIn(warnings) {
  const placed = new Set();
  const requirePlaced = (semantic, ref, side) => {
    if (!ref) throw new Error(`${describe(semantic)}#${side} niet opgegeven`);
    if (!placed.has(ref.id)) throw new Error(`${describe(ref)} (${side} van ${describe(semantic)}) nog niet getekend`);
  };
  const add = (semantic, di) => {
    if (di.$instanceOf("bpmndi:BPMNPlane")) {
      // the root of a diagram: nothing to place
    } else if (di.$instanceOf("bpmndi:BPMNShape")) {
      if (!di.bounds) throw new Error(`${describe(di)} heeft geen dc:Bounds`);
      if (semantic.$instanceOf("bpmn:BoundaryEvent")) requirePlaced(semantic, semantic.attachedToRef, "attachedToRef");
    } else if (di.$instanceOf("bpmndi:BPMNEdge")) {
      if (!di.waypoint || di.waypoint.length < 2) throw new Error(`${describe(di)} heeft minder dan twee waypoints`);
      if (semantic.sourceRef !== undefined || semantic.targetRef !== undefined) {
        requirePlaced(semantic, semantic.sourceRef, "sourceRef");
        requirePlaced(semantic, semantic.targetRef, "targetRef");
      }
    } else {
      throw new Error(`onbekende DI ${describe(di)} voor ${describe(semantic)}`);
    }
    placed.add(semantic.id);
    return semantic;
  };
  return {
    root: (semantic, di) => add(semantic, di),
    element: (semantic, di) => add(semantic, di),
    error: (message) => warnings.push(message),
  };
}

export async function importWarnings(xml, parts) {
  const moddle = new parts.BpmnModdle();
  let parsed;
  try {
    parsed = await moddle.fromXML(xml, "bpmn:Definitions");
  } catch (error) {
    return [`niet te lezen: ${error.message}`];
  }
  const warnings = parsed.warnings.map((warning) => warning.message);
  const definitions = parsed.rootElement;
  const diagram = definitions.diagrams && definitions.diagrams[0];
  if (!diagram || !diagram.plane) {
    return [...warnings, "geen diagram (bpmndi:BPMNDiagram) om te tonen"];
  }
  const walker = new parts.BpmnTreeWalker(importerStandIn(warnings));
  // bpmn-js walks the main diagram and the planes of collapsed subprocesses beneath it.
  for (const each of definitions.diagrams) {
    walker.handleDefinitions(definitions, each);
  }
  return warnings;
}

async function main(files) {
  if (files.length === 0) {
    console.error("gebruik: npm run --silent check-diagrams -- BESTAND.bpmn [...]");
    return 2;
  }
  // bpmn-js's walker also writes every failure to console.error; the report below says it once.
  console.error = () => {};
  const parts = await loadBpmnJsParts();
  let failed = false;
  for (const file of files) {
    const warnings = await importWarnings(await readFile(file, "utf-8"), parts);
    console.log(`${file}: ${warnings.length} waarschuwingen bij importeren in bpmn-js`);
    for (const warning of warnings) console.log(`  ${warning}`);
    failed ||= warnings.length > 0;
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
