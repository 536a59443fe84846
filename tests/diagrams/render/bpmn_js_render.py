"""Render BPMN files with bpmn-js in headless Chromium: import warnings plus a PNG per file.

Offline on purpose: bpmn-js comes from the checkout's own ``node_modules`` (``npm ci``, the
same version the case page's viewer is built from), Chromium from Debian. Point ``BPMN_JS_DIST``
at another ``node_modules/bpmn-js/dist`` to try a different bpmn-js.

    python tests/diagrams/render/bpmn_js_render.py OUT_DIR FILE.bpmn [FILE.bpmn ...]
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIST = Path(__file__).resolve().parents[3] / "node_modules" / "bpmn-js" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MARGIN = 20


@dataclass
class Rendering:
    source: Path
    warnings: list[str]
    element_count: int
    png: Path


def bpmn_js_dist() -> Path | None:
    dist = Path(os.environ.get("BPMN_JS_DIST", DEFAULT_DIST))
    return dist if (dist / "bpmn-viewer.production.min.js").exists() else None


def _page_html(dist: Path) -> str:
    assets = dist / "assets"
    styles = "".join(
        f'<link rel="stylesheet" href="{(assets / name).as_uri()}">'
        for name in ("diagram-js.css", "bpmn-js.css", "bpmn-font/css/bpmn.css")
    )
    return (
        f'<!doctype html><html><head><meta charset="utf-8">{styles}'
        "<style>html,body,#canvas{margin:0;width:100%;height:100%;background:#fff}</style>"
        f'<script src="{(dist / "bpmn-viewer.production.min.js").as_uri()}"></script>'
        '</head><body><div id="canvas"></div></body></html>'
    )


_IMPORT = """async (xml) => {
    window.viewer = new BpmnJS({container: '#canvas'});
    const result = await viewer.importXML(xml);
    return {
        warnings: result.warnings.map(w => String(w.message || w)),
        elements: viewer.get('elementRegistry').getAll().length,
        inner: viewer.get('canvas').viewbox().inner,
    };
}"""

_FRAME = """(box) => { const canvas = viewer.get('canvas'); canvas.resized(); canvas.viewbox(box); }"""


def render(paths: list[Path], out_dir: Path) -> list[Rendering]:
    """Import each file into a bpmn-js viewer and screenshot the whole diagram at 100 %."""
    from playwright.sync_api import sync_playwright

    dist = bpmn_js_dist()
    if dist is None:
        raise FileNotFoundError("bpmn-js not found; run `npm ci --include=dev` in the checkout or set BPMN_JS_DIST")
    out_dir.mkdir(parents=True, exist_ok=True)
    page_file = out_dir / "bpmn-js-viewer.html"
    page_file.write_text(_page_html(dist), encoding="utf-8")
    renderings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for path in paths:
                renderings.append(_render_one(browser, page_file, path, out_dir))
        finally:
            browser.close()
    return renderings


def _render_one(browser, page_file: Path, path: Path, out_dir: Path) -> Rendering:
    page = browser.new_page(viewport={"width": 4000, "height": 3000})
    try:
        page.goto(page_file.as_uri())
        result = page.evaluate(_IMPORT, path.read_text(encoding="utf-8"))
        inner = result["inner"]
        width, height = int(inner["width"]) + 2 * MARGIN, int(inner["height"]) + 2 * MARGIN
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(_FRAME, {"x": inner["x"] - MARGIN, "y": inner["y"] - MARGIN, "width": width, "height": height})
        png = out_dir / f"{path.stem}.png"
        page.screenshot(path=str(png))
        return Rendering(path, result["warnings"], result["elements"], png)
    finally:
        page.close()


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    failed = False
    for rendering in render([Path(a) for a in argv[1:]], Path(argv[0])):
        print(f"{rendering.source}: {len(rendering.warnings)} import warnings -> {rendering.png}")
        for warning in rendering.warnings:
            print(f"  {json.dumps(warning)}")
        failed = failed or bool(rendering.warnings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
