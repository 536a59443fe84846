"""The diff between two versions names added, removed and changed elements and their attributes, in Dutch."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.engine.test_import_validation import FORM, diagram

SCRIPT = Path(__file__).with_name("diff_versions.mjs")
OTHER_FORM = "basismodel_2019/stap1_gesprek_ouders"

OLD = f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    <bpmn:userTask id="Task_1" name="Besluit" meldroute:formKey="{FORM}"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="Task_2"/>
    <bpmn:userTask id="Task_2" name="Oud overleg" meldroute:formKey="{FORM}"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_2" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""
NEW = f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    <bpmn:userTask id="Task_1" name="Besluit nemen" meldroute:formKey="{OTHER_FORM}" meldroute:dueDate="werkdagen(5)">
      <bpmn:documentation>Bespreek eerst met de IB'er.</bpmn:documentation></bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="Task_3"/>
    <bpmn:userTask id="Task_3" name="Nieuw overleg" meldroute:formKey="{FORM}"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_3" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""


def changes(tmp_path, old: bytes, new: bytes) -> list[dict]:
    (tmp_path / "a.bpmn").write_bytes(old)
    (tmp_path / "b.bpmn").write_bytes(new)
    result = subprocess.run(["node", str(SCRIPT), str(tmp_path / "a.bpmn"), str(tmp_path / "b.bpmn")],
                            capture_output=True, text=True, timeout=60, cwd=SCRIPT.parents[2])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_added_removed_and_changed_with_their_attributes(tmp_path):
    rows = {row["id"]: row for row in changes(tmp_path, diagram(OLD), diagram(NEW))}
    assert rows["Task_3"]["soort"] == "toegevoegd" and rows["Task_3"]["tekst"] == "Toegevoegd: taak 'Nieuw overleg'"
    assert rows["Task_2"]["soort"] == "verwijderd" and rows["Task_2"]["tekst"] == "Verwijderd: taak 'Oud overleg'"
    changed = rows["Task_1"]["tekst"]
    assert changed.startswith("Gewijzigd: taak 'Besluit nemen'")
    assert f"formulier: {FORM} → {OTHER_FORM}" in changed
    assert "termijn: (leeg) → werkdagen(5)" in changed
    assert "naam: Besluit → Besluit nemen" in changed
    assert "handreiking" in changed
    assert rows["Flow_2"]["soort"] == "gewijzigd" and "naar" in rows["Flow_2"]["tekst"]


def test_the_same_version_has_no_changes(tmp_path):
    assert changes(tmp_path, diagram(OLD), diagram(OLD)) == []
