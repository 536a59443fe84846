"""The modeler knows the monitor's marks (`meldroute:outcome`, `meldroute:melding`): bpmn-js reads
them as typed properties of its descriptor, not as unknown attributes, and writes them back."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("monitor_marks.mjs")
WORKFLOWS = SCRIPT.parents[2] / "workflows"


def read_marks(path: Path) -> dict:
    if shutil.which("node") is None:
        pytest.fail("Node.js ontbreekt: de modeler-beschrijving wordt in Node gelezen (npm ci && npm run build)")
    result = subprocess.run(["node", str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60,
                            cwd=SCRIPT.parents[2])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*/*.bpmn")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_modeler_reads_and_keeps_the_marks(path):
    text = path.read_text()
    marks = read_marks(path)
    assert marks["unknown"] == []  # known to the descriptor, so the properties panel can edit them
    assert marks["outcomes"] == dict(re.findall(r'<bpmn:endEvent id="([^"]*)"[^>]* meldroute:outcome="([^"]*)"', text))
    assert marks["meldingen"] == {element: True for element in
                                  re.findall(r'<bpmn:userTask id="([^"]*)"[^>]* meldroute:melding="true"', text)}
    # One "melding doen" step per diagram; Fedra's afweging 2B reports directly in a second one.
    assert len(marks["meldingen"]) == (2 if path.parent.name == "fedra_2019" else 1)
    written = marks["written"]
    for element, kind in marks["outcomes"].items():
        assert re.search(rf'<bpmn:endEvent id="{element}"[^>]* meldroute:outcome="{kind}"', written)
    for element in marks["meldingen"]:
        assert re.search(rf'<bpmn:userTask id="{element}"[^>]* meldroute:melding="true"', written)
