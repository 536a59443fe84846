"""Compliance hints against the 2019 basismodel: each on a small diagram, none on the basismodel itself."""
from __future__ import annotations

import pytest

from tests.engine.test_import_validation import FORM, FORMS, diagram
from webapp.config import PROJECT_ROOT
from webapp.engine import compile_bpmn
from webapp.modeler.compliance import compliance_hints


def hints_of(data: bytes) -> list[str]:
    hints = compliance_hints(compile_bpmn(data, filename="t.bpmn", forms=FORMS))
    assert all(h.severity == "warning" for h in hints)
    return [h.message for h in hints]


def task(name: str, doc: str = "") -> str:
    return f"""
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1"/>
    <bpmn:userTask id="Task_1" name="{name}" meldroute:formKey="{FORM}"><bpmn:documentation>{doc}</bpmn:documentation></bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>"""


def test_the_2019_basismodel_needs_only_its_old_names_updated():
    data = (PROJECT_ROOT / "workflows" / "basismodel_2019" / "meldcode.bpmn").read_bytes()
    hints = hints_of(data)
    assert len(hints) == 1 and "Veilig Thuis" in hints[0] and "AMK" in hints[0]


@pytest.mark.parametrize("variant", ["oostpoort_delft", "symbio_hengelo"])
def test_a_school_on_the_old_5a_5b_model_sees_what_to_update(variant):
    data = (PROJECT_ROOT / "workflows" / variant / "meldcode.bpmn").read_bytes()
    assert any(m.startswith("oud model (vóór 2019)") for m in hints_of(data))


def test_a_bare_route_gets_every_hint():
    messages = hints_of(diagram(task("Besluit")))
    starts = sorted(m.split(" ")[0] + " " + m.split(" ")[1] for m in messages)
    assert len(messages) == 5
    assert any("twee beslissingen" in m for m in messages)
    assert any("afwegingskader is verplicht" in m for m in messages)
    assert any("acuut gevaar moet op elk moment" in m for m in messages)
    assert any("signalen over een medewerker" in m for m in messages)
    assert any("ongegrond vermoeden" in m for m in messages)
    assert starts


def test_each_hint_goes_when_the_diagram_answers_it():
    assert not any("afwegingskader" in m for m in hints_of(diagram(task("Stap 4: afwegingskader"))))
    assert not any("medewerker" in m for m in hints_of(diagram(task("Signalen over een medewerker?"))))
    unfounded = hints_of(diagram(task("Vermoeden ongegrond: afsluiten")))
    assert any("zeg dat in de handreiking" in m for m in unfounded)
    assert not any("ongegrond" in m for m in hints_of(diagram(task(
        "Vermoeden ongegrond: afsluiten", "Vernietig de werkaantekeningen."))))
    old = hints_of(diagram(task("5b: melden bij het AMK")))
    assert any(m.startswith("oud model") for m in old) and any("Veilig Thuis (0800-2000)" in m for m in old)
