"""The case page's diagram: the case's own version, where it stands, and the built bpmn-js viewer."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.engine.test_import_validation import diagram as other_diagram
from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from tests.workflows.test_basismodel_2019 import (
    PUPILS,
    report_after_help_proved_impossible,
)
from webapp.audit.models import AuditEntry
from webapp.definitions.service import import_version
from webapp.roles import Role
from webapp.web import load_diagram_assets

BUILD_HINT = ("De diagramweergave (bpmn-js) is niet gebouwd: draai `npm ci --include=dev && npm run build` "
              "(of `python3 scripts/dev.py test`, dat dit zelf doet).")


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


@pytest.fixture
def scenario(session, services, database, school):
    s = Scenario.start(session, services, database, school)
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False}, role=Role.LEERKRACHT)
    return s


@pytest.fixture
def coordinator(app, school):
    return WebUser(app, "ib@testschool.test")


def position(user: WebUser, case_id: int) -> dict:
    response = user.get(f"/zaken/{case_id}/diagram.json")
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.json


def test_position_shows_open_task_as_current_and_the_path_as_completed(scenario, coordinator, session):
    data = position(coordinator, scenario.case_id)
    assert data["versie"] == 1
    assert data["bpmn"] == scenario.case.process_version.bpmn_xml
    assert data["huidig"] == ["Stap1_ZorgDelen"]
    assert "Stap1_Signaleren" in data["afgerond"]
    assert "GW_Stap1_Medewerker" in data["afgerond"]
    assert "Stap1_ZorgDelen" not in data["afgerond"]
    # Acute danger can be raised at any moment: a possibility, not where the case stands.
    assert not any("Acuut" in element for element in data["huidig"])
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.diagram_view")).all()
    assert [(a.case_id, a.user_id) for a in audit] == [(scenario.case_id, scenario.setup.users[Role.INTERN_BEGELEIDER])]


def test_waiting_timer_is_current_and_a_step_opened_again_is_not_completed(scenario, coordinator):
    scenario.walk(
        ("Stap1_ZorgDelen", {"veiligheid_in_geding": False, "tijdslimiet_fase1": {"amount": 1, "unit": "maanden"}}),
        "Stap1_GesprekOuders", "Stap1_GesprekLeerling",
        ("Stap1_Besluit", {"uitkomst_fase1": "geen_bevestiging", "herbeoordeling": {"amount": 6, "unit": "weken"}}),
    )
    waiting = position(coordinator, scenario.case_id)
    assert waiting["huidig"] == ["Stap1_Herbeoordeling"]
    assert "Stap1_Besluit" in waiting["afgerond"]

    scenario.advance_clock(weeks=6, hours=1)  # re-reading the notes brings a decision back
    coordinator.login("ib@testschool.test")  # six weeks idle: the session has ended
    assert position(coordinator, scenario.case_id)["huidig"] == ["Stap1_Herbeoordelen"]
    scenario.complete("Stap1_Herbeoordelen", {"uitkomst_fase1": "geen_bevestiging",
                                              "herbeoordeling": {"amount": 4, "unit": "weken"}})
    scenario.advance_clock(weeks=4, hours=1)  # and once more: the same step opened again
    coordinator.login("ib@testschool.test")
    again = position(coordinator, scenario.case_id)
    assert "Stap1_Herbeoordelen" in again["huidig"]
    assert "Stap1_Herbeoordelen" not in again["afgerond"]
    assert "Stap1_Herbeoordeling" in again["afgerond"]


def test_closed_case_has_no_current_position(session, services, database, school, coordinator):
    s = Scenario.start(session, services, database, school)
    s.walk(
        ("Stap1_Signaleren", {"signalen_over_medewerker": False}),
        ("Stap1_ZorgDelen", {"veiligheid_in_geding": True}),
        "Stap1_GesprekLeerling", ("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"}),
        ("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": True}),
    )
    assert s.is_closed
    data = position(coordinator, s.case_id)
    assert data["huidig"] == []
    assert "Afsluiten_Ongegrond" in data["afgerond"]


def test_case_keeps_drawing_the_version_it_started_on(scenario, coordinator, session, services, school):
    import_version(session, school.definitions["meldcode"], other_diagram(), filename="nieuw.bpmn",
                   forms=services.forms, now=services.now())
    session.commit()
    data = position(coordinator, scenario.case_id)
    assert data["versie"] == 1
    assert "Stap1_Signaleren" in data["bpmn"] and "Task_1" not in data["bpmn"]
    download = coordinator.get(f"/zaken/{scenario.case_id}/diagram.bpmn")
    assert download.status_code == 200 and download.text == data["bpmn"]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "case.diagram_download")) is not None


def test_viewer_is_built():
    static = Path(__file__).resolve().parents[2] / "webapp" / "static"
    assets = load_diagram_assets(static)
    assert assets is not None, BUILD_HINT
    for name in [assets["js"], *assets["css"]]:
        assert (static / name).is_file(), f"{name} ontbreekt. {BUILD_HINT}"


def test_case_page_loads_the_built_viewer_from_our_own_files(app, scenario, coordinator):
    assert app.jinja_env.globals["diagram_assets"] is not None, BUILD_HINT
    page = coordinator.get(f"/zaken/{scenario.case_id}")
    assert page.status_code == 200
    assert f'data-diagram-url="/zaken/{scenario.case_id}/diagram.json"' in page.text
    assert "Het diagram verschijnt hier als JavaScript aanstaat." in page.text
    assert "Huidige stap: open taak" in page.text and "Afgerond" in page.text  # the legend
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts and all('src="/static/' in attributes for attributes in scripts), "inline script breaks the CSP"
    script = re.search(r'<script src="(/static/build/case-diagram-[^"]+\.js)"', page.text).group(1)
    styles = re.findall(r'<link rel="stylesheet" href="(/static/build/[^"]+\.css)"', page.text)
    assert styles
    for url in [script, *styles]:
        asset = coordinator.get(url)
        assert asset.status_code == 200 and len(asset.data) > 1000, url
        asset.close()
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'self' covers it
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_without_a_build_the_page_says_so_and_loads_no_script(app, scenario, coordinator):
    app.jinja_env.globals["diagram_assets"] = None
    page = coordinator.get(f"/zaken/{scenario.case_id}")
    assert page.status_code == 200
    assert "De diagramweergave is op deze server niet geïnstalleerd." in page.text
    assert "/static/build/" not in page.text


def test_waiting_between_events_shows_the_gateway_and_what_it_waits_for(app, session, services, database):
    school = setup_school(session, services, "basismodel_2019", slug="volgen", pupil_birthdays=PUPILS)
    s = Scenario.start(session, services, database, school, pupil="Sam")
    report_after_help_proved_impossible(s)
    ib = WebUser(app, "ib@volgen.test")  # after the walk: weeks pass in it

    current = position(ib, s.case_id)["huidig"]
    # Aftercare runs in parallel: a task for staff, a four-month wait, and half a year of following
    # the pupil that ends early when the pupil leaves the school or the teacher sees new signals.
    assert set(current) == {"Stap6_NazorgMedewerkers", "Stap6_VierMaanden",
                            "GW_Stap6_Volgen", "Stap6_HalfJaar", "Stap6_Vertrek", "Stap6_NieuweSignalen"}
