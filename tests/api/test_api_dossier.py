"""The API offers what the case page offers: the case list, notes, attachments, acute danger,
events and the diagram — every answer checked against the OpenAPI document."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.api.test_api import SIGNALEREN, start_case
from tests.support.api import ApiUser
from tests.support.scenario import Scenario, setup_school
from tests.workflows.test_basismodel_2019 import report_after_help_proved_impossible
from webapp.audit.models import AuditEntry
from webapp.cases.models import Attachment, CaseNote
from webapp.roles import Role


@pytest.fixture
def case_id(teacher, school):
    started = start_case(teacher, school)
    teacher.post(f"/api/v1/taken/{started['eerste_taak_id']}/afronden", {"waarden": SIGNALEREN})
    return started["id"]


def _audited(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_case_list_shows_what_the_cases_page_shows(teacher, coordinator, case_id, session):
    listed = coordinator.get("/api/v1/zaken").get_json()["zaken"]
    assert [c["id"] for c in listed] == [case_id]
    assert listed[0]["leerling"] == {"naam": "Sam de Vries", "groep": "5"}
    assert coordinator.get("/api/v1/zaken?status=closed").get_json()["zaken"] == []
    assert coordinator.get("/api/v1/zaken?status=verkeerd").status_code == 422
    assert [e.detail["via"] for e in _audited(session, "caselist.view")] == ["api", "api"]


def test_notes_facts_hypotheses_sources_and_follow_ups(coordinator, case_id, session):
    fact = coordinator.post(f"/api/v1/zaken/{case_id}/notities",
                            {"soort": "feit", "tekst": "Blauwe plek gezien", "bron": "gymleraar"})
    assert fact.status_code == 201 and fact.get_json()["bron"] == "gymleraar"
    hypothesis = coordinator.post(f"/api/v1/zaken/{case_id}/notities",
                                  {"soort": "hypothese", "tekst": "Mogelijk thuis gevallen"}).get_json()
    no_verdict = coordinator.post(f"/api/v1/zaken/{case_id}/notities",
                                  {"soort": "feit", "tekst": "Navraag gedaan", "vervolg_op": hypothesis["id"]})
    assert no_verdict.status_code == 422 and "oordeel" in no_verdict.get_json()["errors"]
    follow_up = coordinator.post(f"/api/v1/zaken/{case_id}/notities", {
        "soort": "feit", "tekst": "Moeder bevestigt de val", "vervolg_op": hypothesis["id"], "oordeel": "bevestigd"})
    assert follow_up.status_code == 201
    assert follow_up.get_json()["vervolg_op"] == hypothesis["id"] and follow_up.get_json()["oordeel"] == "bevestigd"

    case = coordinator.get(f"/api/v1/zaken/{case_id}").get_json()
    assert [n["tekst"] for n in case["notities"]] == [
        "Blauwe plek gezien", "Mogelijk thuis gevallen", "Moeder bevestigt de val"]
    assert case["mag_toevoegen"] is True
    assert len(_audited(session, "case.note_add")) == 3
    bad_kind = coordinator.post(f"/api/v1/zaken/{case_id}/notities", {"soort": "gerucht", "tekst": "x"})
    assert bad_kind.status_code == 422
    assert session.scalar(select(CaseNote.id).where(CaseNote.body == "x")) is None


def test_attachments_upload_download_and_use_in_a_form(app, session, services, database):
    setup = setup_school(session, services, "oostpoort_delft")
    s = Scenario.start(session, services, database, setup)
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False})
    ib = ApiUser(app, "ib@testschool.test")
    name = "ĳsje 日本語の報告.txt"
    uploaded = ib.post(f"/api/v1/zaken/{s.case_id}/bijlagen",
                       files={"bestand": (io.BytesIO(b"verslag van het gesprek"), name, "text/plain")})
    assert uploaded.status_code == 201
    attachment = uploaded.get_json()
    assert attachment["bestandsnaam"] == "ĳsje 日本語の報告.txt" and attachment["grootte"] == 23

    download = ib.get(f"/api/v1/zaken/{s.case_id}/bijlagen/{attachment['id']}")
    assert download.status_code == 200 and download.data == b"verslag van het gesprek"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(name)}" in disposition
    disposition.encode("latin-1")  # the header itself stays within what HTTP allows

    task_id = s.task("Stap1_Signaleringsinstrument").id
    done = ib.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": {
        "instrument": "signaleringslijst", "ingevuld_met_leerkracht": True, "ingevuld_instrument": [attachment["id"]],
        "uitkomst_instrument": "Geen zorgen gebleken", "uitkomst_stap1": "geen_zorgen"}})
    assert done.status_code == 200

    empty = ib.post(f"/api/v1/zaken/{s.case_id}/bijlagen", files={"bestand": (io.BytesIO(b""), "leeg.pdf",
                                                                              "application/pdf")})
    assert empty.status_code == 422 and empty.get_json()["errors"] == {"bestand": ["Het bestand is leeg."]}
    missing = ib.post(f"/api/v1/zaken/{s.case_id}/bijlagen", files={"iets": "anders"})
    assert missing.status_code == 422
    assert session.scalar(select(Attachment.id).where(Attachment.filename == "leeg.pdf")) is None
    assert [e.detail["via"] for e in _audited(session, "case.attachment_download")] == ["api"]


def test_acute_danger_through_the_api(teacher, case_id, session):
    raised = teacher.post(f"/api/v1/zaken/{case_id}/acuut-gevaar", {})
    assert raised.status_code == 200 and raised.get_json()["acuut_gemeld_op"] is not None
    again = teacher.post(f"/api/v1/zaken/{case_id}/acuut-gevaar", {})
    assert again.status_code == 409
    case = teacher.get(f"/api/v1/zaken/{case_id}").get_json()
    assert case["acuut_gemeld_op"] is not None and case["mag_acuut_melden"] is False
    assert any(t["soort"] == "acute_danger" for t in case["tijdlijn"])
    [entry] = _audited(session, "case.signal")
    assert entry.detail == {"signal": "acuut_gevaar", "via": "api"}


def test_events_through_the_api(app, teacher, school, session, services, database):
    s = Scenario.start(session, services, database, school)
    report_after_help_proved_impossible(s)
    s.advance_clock(weeks=6)

    teacher = ApiUser(app, "leerkracht@testschool.test")  # the earlier session has long expired
    coordinator = ApiUser(app, "ib@testschool.test")
    case = coordinator.get(f"/api/v1/zaken/{s.case_id}").get_json()
    assert {"naam": "leerling_vertrekt", "label": "Leerling verlaat de school"} in case["gebeurtenissen"]
    assert teacher.post(f"/api/v1/zaken/{s.case_id}/gebeurtenissen",
                        {"gebeurtenis": "leerling_vertrekt"}).status_code == 403
    assert coordinator.post(f"/api/v1/zaken/{s.case_id}/gebeurtenissen",
                            {"gebeurtenis": "acuut_gevaar"}).status_code == 400
    assert coordinator.post(f"/api/v1/zaken/{s.case_id}/gebeurtenissen",
                            {"gebeurtenis": "bestaat_niet"}).status_code == 409
    sent = coordinator.post(f"/api/v1/zaken/{s.case_id}/gebeurtenissen", {"gebeurtenis": "leerling_vertrekt"})
    assert sent.status_code == 200
    assert s.open_elements() == ["Stap6_NazorgMedewerkers", "Stap6_Overdracht"]
    refused = [e for e in _audited(session, "case.refused") if e.detail["attempt"] == "case.signal"]
    assert [e.user_id for e in refused] == [school.users[Role.LEERKRACHT]]


def test_the_case_diagram_through_the_api(teacher, case_id, session):
    diagram = teacher.get(f"/api/v1/zaken/{case_id}/diagram").get_json()
    assert diagram["versie"] == 1 and "<bpmn:definitions" in diagram["bpmn"]
    assert diagram["huidig"] == ["Stap1_ZorgDelen"] and "Stap1_Signaleren" in diagram["afgerond"]
    assert len(_audited(session, "case.diagram_view")) == 1


def test_another_school_sees_none_of_it(app, case_id, session, services):
    setup_school(session, services, "basismodel_2019", slug="andere")
    stranger = ApiUser(app, "ib@andere.test")
    for method, path, body in [("GET", f"/api/v1/zaken/{case_id}", None),
                               ("GET", f"/api/v1/zaken/{case_id}/diagram", None),
                               ("POST", f"/api/v1/zaken/{case_id}/notities", {"soort": "feit", "tekst": "x"}),
                               ("POST", f"/api/v1/zaken/{case_id}/acuut-gevaar", {})]:
        assert stranger.request(method, path, body).status_code == 404
    assert stranger.get("/api/v1/zaken").get_json()["zaken"] == []
    assert len(_audited(session, "case.refused")) == 4
