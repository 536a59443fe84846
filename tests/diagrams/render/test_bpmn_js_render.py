"""Laid-out fixtures import into the real bpmn-js viewer without a single warning."""

from pathlib import Path

import pytest

from bpmn_js_render import CHROMIUM, bpmn_js_dist, render
from webapp.diagrams import layout_bpmn

FIXTURES = Path(__file__).parents[1] / "fixtures"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bpmn_js_dist() is None, reason="bpmn-js not installed (npm install bpmn-js in /tmp/bpmnjs)"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


def test_laid_out_fixtures_render_in_bpmn_js_without_warnings(tmp_path):
    pytest.importorskip("playwright")
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
