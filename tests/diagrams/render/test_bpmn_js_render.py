"""Laid-out fixtures and shipped diagrams import into the real bpmn-js viewer without a single warning."""

from pathlib import Path

import pytest
from bpmn_js_render import CHROMIUM, bpmn_js_dist, render

from webapp.diagrams import layout_bpmn

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHIPPED = sorted((Path(__file__).parents[3] / "workflows").glob("*/*.bpmn"))

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _bpmn_js_and_chromium():
    # Both are installed by `python3 scripts/dev.py test`: missing ones are a broken setup, not a skip.
    if bpmn_js_dist() is None:
        pytest.fail("bpmn-js ontbreekt: draai `npm ci --include=dev` (of zet BPMN_JS_DIST)")
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium ontbreekt ({CHROMIUM}): sudo apt-get install chromium")


def test_laid_out_fixtures_render_in_bpmn_js_without_warnings(tmp_path):
    laid_out = []
    for fixture in sorted(FIXTURES.glob("*.bpmn")):
        target = tmp_path / fixture.name
        target.write_bytes(layout_bpmn(fixture.read_bytes()))
        laid_out.append(target)
    renderings = render(laid_out, tmp_path / "png")
    for rendering in renderings:
        assert rendering.warnings == [], rendering.source.name
        assert rendering.element_count > 20
        assert rendering.png.stat().st_size > 10_000


def test_shipped_diagrams_render_in_bpmn_js_without_warnings(tmp_path):
    assert SHIPPED
    for rendering in render(SHIPPED, tmp_path / "png"):
        assert rendering.warnings == [], rendering.source
        assert rendering.element_count > 50, rendering.source
