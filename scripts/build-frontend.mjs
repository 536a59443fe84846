// Bundle the case diagram viewer (bpmn-js) into webapp/static/build/, served as our own static
// files: schools' machines may have no internet, and the CSP only allows scripts from 'self'.
//
//   npm run build
//
// File names carry a content hash so browsers never combine a new page with an old bundle;
// build/manifest.json tells the web app (webapp/web.py) which files belong to this build.
import { build } from "esbuild";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "webapp", "static", "build");

// Stale hashed files from earlier builds would otherwise pile up next to the new ones.
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: [
    "webapp/static/src/case-diagram.js", "webapp/static/src/case-diagram.css",
    "webapp/static/src/modeler.js", "webapp/static/src/modeler.css",
  ],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outdir,
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file" },
  // diagram-js's popup menu imports "preact", the properties panel ships its own copy (same
  // version): map the one onto the other so the bundle holds a single preact.
  alias: { preact: "@bpmn-io/properties-panel/preact" },
  metafile: true,
  logLevel: "warning",
});

// The case viewer stays at the top level of the manifest (as webapp/web.py has always read it);
// the modeler, the policy owners' page, has its own entry.
const manifest = { js: null, css: [], modeler: { js: null, css: [] } };
const sizes = {};
for (const [output, info] of Object.entries(result.metafile.outputs)) {
  const name = path.relative(outdir, path.resolve(root, output));
  sizes[name] = info.bytes;
  if (info.entryPoint?.endsWith("case-diagram.js")) manifest.js = name;
  if (info.entryPoint?.endsWith("case-diagram.css")) manifest.css.push(name);
  if (info.entryPoint?.endsWith("modeler.js")) manifest.modeler.js = name;
  if (info.entryPoint?.endsWith("modeler.css")) manifest.modeler.css.push(name);
}
if (!manifest.js || manifest.css.length === 0 || !manifest.modeler.js || manifest.modeler.css.length === 0) {
  throw new Error(`build incomplete: ${JSON.stringify(manifest)}`);
}
await writeFile(path.join(outdir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
// One preact only: a second copy next to the properties panel's own breaks its hooks (useService).
const preacts = new Set(Object.keys(result.metafile.inputs)
  .map((input) => /(.*node_modules\/(?:@bpmn-io\/properties-panel\/)?preact)\//.exec(input)?.[1])
  .filter(Boolean));
if (preacts.size > 1) {
  throw new Error(`more than one preact in the bundle: ${[...preacts].join(", ")}`);
}

const kb = (name) => `${Math.round(sizes[name] / 1024)} kB`;
console.log(`diagramweergave gebouwd: ${manifest.js} (${kb(manifest.js)}), ${manifest.css.join(", ")}`);
console.log(`modeler gebouwd: ${manifest.modeler.js} (${kb(manifest.modeler.js)}), ${manifest.modeler.css.map((c) => `${c} (${kb(c)})`).join(", ")}`);
