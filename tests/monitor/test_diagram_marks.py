"""Outcome and melding are read from the diagram (`meldroute:outcome`, `meldroute:melding`), with a
fallback for versions stored before the attributes existed."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.scenario import Scenario, setup_school
from tests.workflows.test_basismodel_2019 import report_after_help_proved_impossible
from webapp.cases.models import CaseTask
from webapp.cases.outcomes import (
    LEGACY_MELDING_ELEMENTS,
    classify_outcome,
    recorded_step_is_melding,
)
from webapp.definitions.service import import_version
from webapp.engine.import_checks import compile_bpmn
from webapp.engine.problems import DiagramRejected
from webapp.outcome_kinds import OUTCOME_KINDS
from webapp.roles import Role

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
DIAGRAMS = sorted(WORKFLOWS.glob("*/*.bpmn"))
BASISMODEL = WORKFLOWS / "basismodel_2019" / "meldcode.bpmn"
MARKS = re.compile(r' meldroute:(?:outcome|melding)="[^"]*"')


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_diagram_marks_its_outcomes_and_melding_steps(path, services):
    compiled = compile_bpmn(path.read_bytes(), filename=path.name, forms=services.forms)
    ends = compiled.elements_of_kind("endEvent")
    assert all(e.outcome in OUTCOME_KINDS for e in ends if e.name), [e.id for e in ends if e.name and not e.outcome]
    marked = {e.id for e in compiled.elements.values() if e.melding}
    # The "melding doen" step of each diagram; Fedra's afweging 2B reports directly in its own step.
    assert len(marked & LEGACY_MELDING_ELEMENTS) == 1 and marked - LEGACY_MELDING_ELEMENTS <= {"Melding_Direct"}
    assert compiled.marks_meldingen


def test_import_refuses_an_unknown_outcome_and_a_misplaced_or_odd_mark(services):
    xml = BASISMODEL.read_text()
    odd_outcome = xml.replace('meldroute:outcome="ongegrond"', 'meldroute:outcome="misschien"', 1)
    with pytest.raises(DiagramRejected) as refused:
        compile_bpmn(odd_outcome.encode(), filename="x.bpmn", forms=services.forms)
    assert any("onbekende uitkomst 'misschien'" in p.message and "ongegrond" in p.message
               for p in refused.value.problems)
    odd_melding = xml.replace('meldroute:melding="true"', 'meldroute:melding="ja"')
    with pytest.raises(DiagramRejected) as refused:
        compile_bpmn(odd_melding.encode(), filename="x.bpmn", forms=services.forms)
    assert any("meldroute:melding moet" in p.message for p in refused.value.problems)
    misplaced = xml.replace('<bpmn:userTask id="Stap1_Signaleren"',
                            '<bpmn:userTask meldroute:outcome="hulp" id="Stap1_Signaleren"')
    with pytest.raises(DiagramRejected) as refused:
        compile_bpmn(misplaced.encode(), filename="x.bpmn", forms=services.forms)
    assert any("alleen op een eindgebeurtenis" in p.message for p in refused.value.problems)


def test_the_declared_outcome_decides_over_the_label():
    assert classify_outcome("Gemeld bij Veilig Thuis", declared="hulp", acute=False, reported=False) == "hulp"
    assert classify_outcome("Hulp afgerond", declared="hulp", acute=False, reported=True) == "melding"
    assert classify_outcome("Melding gedaan", declared="buiten_meldcode", acute=False, reported=True) \
        == "buiten_meldcode"
    assert classify_outcome("Melding gedaan", declared="melding", acute=True, reported=True) == "acuut"
    assert classify_outcome("Vermoeden ongegrond", declared=None, acute=False, reported=False) == "ongegrond"


def test_task_rows_record_the_diagrams_melding_step(session, services, database):
    setup = setup_school(session, services, "basismodel_2019")
    s = Scenario.start(session, services, database, setup)
    report_after_help_proved_impossible(s)
    rows = session.scalars(select(CaseTask).where(CaseTask.case_id == s.case_id)).all()
    assert {r.element_id for r in rows if r.melding} == {"Stap5b_Melden"}
    assert len(rows) > 10


def test_an_outcome_changed_in_the_diagram_changes_the_category(session, services, database):
    setup = setup_school(session, services, "basismodel_2019")
    xml = BASISMODEL.read_text().replace(
        'name="Vermoeden ongegrond: dossier afgesloten" meldroute:outcome="ongegrond"',
        'name="Vermoeden ongegrond: dossier afgesloten" meldroute:outcome="anders"')
    import_version(session, setup.definitions["meldcode"], xml.encode(), filename="meldcode.bpmn",
                   forms=services.forms, now=services.now())
    session.commit()
    s = _closed_as_unfounded(Scenario.start(session, services, database, setup))
    assert (s.case.outcome, s.case.outcome_kind) == ("Vermoeden ongegrond: dossier afgesloten", "anders")


def test_a_version_stored_without_the_marks_still_counts(session, services, database):
    """A version stored before the attributes: the label decides the outcome, the legacy list the
    melding step."""
    setup = setup_school(session, services, "basismodel_2019")
    unmarked = MARKS.sub("", BASISMODEL.read_text())
    assert "meldroute:outcome" not in unmarked and "meldroute:melding" not in unmarked
    import_version(session, setup.definitions["meldcode"], unmarked.encode(), filename="meldcode.bpmn",
                   forms=services.forms, now=services.now())
    session.commit()
    closed = _closed_as_unfounded(Scenario.start(session, services, database, setup))
    assert closed.case.outcome_kind == "ongegrond"
    s = Scenario.start(session, services, database, setup)
    assert not s.compiled().marks_meldingen
    report_after_help_proved_impossible(s)
    rows = session.scalars(select(CaseTask).where(CaseTask.case_id == s.case_id)).all()
    assert {r.element_id for r in rows if r.melding} == {"Stap5b_Melden"}


def test_destroyed_dossiers_keep_the_mark_and_older_records_fall_back():
    assert recorded_step_is_melding({"element": "Stap1_Signaleren", "melding": True})
    assert not recorded_step_is_melding({"element": "Stap5b_Melden", "melding": False})
    assert recorded_step_is_melding({"element": "Stap5b_Melden"})
    assert not recorded_step_is_melding({"element": "Stap1_Signaleren"})


def _closed_as_unfounded(s: Scenario) -> Scenario:
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False}, role=Role.LEERKRACHT)
    s.walk(("Stap1_ZorgDelen", {"veiligheid_in_geding": True}), "Stap1_GesprekLeerling",
           ("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"}),
           ("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": True}))
    assert s.is_closed
    return s
