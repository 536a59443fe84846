"""Every shipped diagram imports into bpmn-js (the viewer on the case page) without warnings.

Runs scripts/check-diagrams.mjs with Node: bpmn-js's own parser and tree walker, no browser.
Needs `npm ci --include=dev` (python3 scripts/dev.py test does it); fails, not skips, without it.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "workflows").glob("*/*.bpmn"))


def check_diagrams(*paths: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js ontbreekt: nodig om diagrammen met bpmn-js te controleren")
    if not (ROOT / "node_modules" / "bpmn-js").is_dir() or not (ROOT / "node_modules" / "esbuild").is_dir():
        pytest.fail("bpmn-js/esbuild ontbreken in node_modules: draai `npm ci --include=dev`")
    return subprocess.run([node, str(ROOT / "scripts" / "check-diagrams.mjs"), *map(str, paths)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_shipped_diagrams_import_into_bpmn_js_without_warnings():
    assert SHIPPED, "no diagrams found in workflows/"
    result = check_diagrams(*SHIPPED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": 0 waarschuwingen") == len(SHIPPED), result.stdout


def test_a_damaged_diagram_is_reported(tmp_path):
    xml = (ROOT / "workflows" / "basismodel_2019" / "meldcode.bpmn").read_text(encoding="utf-8")
    # Without the first task's shape, the flows to and from it cannot be drawn.
    without_shape = re.sub(r'<bpmndi:BPMNShape id="Stap1_Signaleren_di".*?</bpmndi:BPMNShape>', "", xml,
                           count=1, flags=re.DOTALL)
    assert without_shape != xml
    # A shape for an element that does not exist is an unresolved reference.
    dangling = xml.replace('bpmnElement="Stap1_Signaleren"', 'bpmnElement="Bestaat_Niet"', 1)
    damaged = [tmp_path / "zonder_vorm.bpmn", tmp_path / "verwijzing.bpmn"]
    damaged[0].write_text(without_shape, encoding="utf-8")
    damaged[1].write_text(dangling, encoding="utf-8")

    result = check_diagrams(*damaged)
    assert result.returncode == 1
    assert "zonder_vorm.bpmn: 2 waarschuwingen" in result.stdout, result.stdout
    assert 'id="Stap1_Signaleren"> (sourceRef van <bpmn:SequenceFlow id="Flow_S1_Signaleren_GW">) nog niet getekend' \
        in result.stdout
    assert "verwijzing.bpmn: 0 waarschuwingen" not in result.stdout
    assert "unresolved reference <Bestaat_Niet>" in result.stdout
