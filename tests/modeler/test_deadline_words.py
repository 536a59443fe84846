"""The panel's deadline choice writes what the engine counts: every counted unit round-trips, and
what it writes passes the server's import check (school days included, issue 15 item 22)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.engine.test_import_validation import FORM, diagram
from webapp.config import PROJECT_ROOT
from webapp.engine import compile_bpmn
from webapp.forms.catalog import FormCatalog

SCRIPT = Path(__file__).with_name("deadline_words.mjs")
EXPRESSIONS = ["werkdagen(5)", "schooldagen(3)", "dagen(10)", "weken(2)", "maanden(1)", "dezelfde_dag()",
               "tijdslimiet_einde", "termijn(tijdslimiet)"]


def panel(*texts: str) -> dict:
    result = subprocess.run(["node", str(SCRIPT), *texts], capture_output=True, text=True, check=True,
                            cwd=PROJECT_ROOT, timeout=60)
    return json.loads(result.stdout)


def test_each_deadline_reads_back_as_written():
    read = panel(*EXPRESSIONS)
    assert {text: entry["written"] for text, entry in read.items()} == {text: text for text in EXPRESSIONS}
    assert read["schooldagen(3)"]["parsed"] == {"unit": "schooldagen", "amount": 3, "field": ""}
    assert read["schooldagen(3)"]["described"] == "3 schooldagen"
    assert read["termijn(tijdslimiet)"]["parsed"]["unit"] == "anders"


@pytest.mark.parametrize("expression", ["werkdagen(5)", "schooldagen(3)", "dagen(10)", "weken(2)", "maanden(1)",
                                        "dezelfde_dag()"])
def test_what_the_panel_writes_passes_the_import_check(expression):
    body = f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    <bpmn:userTask id="Task_1" name="Besluit" meldroute:formKey="{FORM}" meldroute:dueDate="{expression}"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""
    compiled = compile_bpmn(diagram(body), filename="t.bpmn", forms=FormCatalog.from_directory(PROJECT_ROOT / "forms"))
    assert compiled.element("Task_1").due_date == expression
