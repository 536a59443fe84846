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
  entryPoints: ["webapp/static/src/case-diagram.js", "webapp/static/src/case-diagram.css"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outdir,
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file" },
  metafile: true,
  logLevel: "warning",
});

const manifest = { js: null, css: [] };
for (const [output, info] of Object.entries(result.metafile.outputs)) {
  const name = path.relative(outdir, path.resolve(root, output));
  if (info.entryPoint?.endsWith("case-diagram.js")) manifest.js = name;
  if (info.entryPoint?.endsWith("case-diagram.css")) manifest.css.push(name);
}
if (!manifest.js || manifest.css.length === 0) {
  throw new Error(`build incomplete: ${JSON.stringify(manifest)}`);
}
await writeFile(path.join(outdir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`diagramweergave gebouwd: ${manifest.js}, ${manifest.css.join(", ")}`);
