"""Closed means read-only (reopening is an audited act), need to know, corrections, and the inzage export."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support.api import ApiUser
from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.cases import dossier_actions
from webapp.cases.dossier_actions import Upload
from webapp.cases.models import Attachment, CaseCorrection, CaseNote, CaseStatus
from webapp.privacy import retention
from webapp.privacy.destruction import destroy_due
from webapp.roles import Role

NOTE = "Moeder vertelt dat vader vaak drinkt"


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def _close_unfounded(s: Scenario, destroy_notes: bool = False) -> None:
    s.walk(("Stap1_Signaleren", {"signalen_over_medewerker": False}),
           ("Stap1_ZorgDelen", {"veiligheid_in_geding": True}),
           "Stap1_GesprekLeerling", ("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"}),
           ("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": destroy_notes}))
    assert s.is_closed


def _count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_closed_case_refuses_every_change_through_pages_and_api(app, school, session, services, database):
    s = Scenario.start(session, services, database, school)
    _close_unfounded(s)
    ib_page, ib_api = WebUser(app, "ib@testschool.test"), ApiUser(app, "ib@testschool.test")
    page = ib_page.get(f"/zaken/{s.case_id}").text
    assert "Deze zaak is afgesloten" in page and "Notitie toevoegen" not in page and "Uploaden" not in page

    assert ib_page.post(f"/zaken/{s.case_id}/notities", {"soort": "feit", "tekst": "x"}).status_code == 403
    assert ib_page.client.post(f"/zaken/{s.case_id}/bijlagen", data={
        "csrf_token": ib_page.csrf_token(f"/zaken/{s.case_id}"),
        "bestand": (io.BytesIO(b"%PDF-1.4"), "x.pdf", "application/pdf")}).status_code == 403
    assert ib_api.post(f"/api/v1/zaken/{s.case_id}/notities", {"soort": "feit", "tekst": "x"}).status_code == 403
    assert ib_api.post(f"/api/v1/zaken/{s.case_id}/bijlagen", files={
        "bestand": (io.BytesIO(b"%PDF-1.4"), "x.pdf", "application/pdf")}).status_code == 403
    assert ib_api.post(f"/api/v1/zaken/{s.case_id}/acuut-gevaar", {}).status_code == 409
    assert ib_api.post(f"/api/v1/zaken/{s.case_id}/gebeurtenissen", {"gebeurtenis": "leerling_vertrekt"}).status_code == 409
    assert _count(session, CaseNote) == 0 and _count(session, Attachment) == 0
    refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.refused")).all()
    assert {e.detail["attempt"] for e in refused} == {"case.note_add", "case.attachment_add"}


def test_reopening_is_an_audited_act_of_a_coordinator_with_a_reason(app, school, session, services, database):
    s = Scenario.start(session, services, database, school)
    _close_unfounded(s)
    teacher = ApiUser(app, "leerkracht@testschool.test")
    assert teacher.post(f"/api/v1/zaken/{s.case_id}/heropenen", {"reden": "nieuwe signalen"}).status_code == 403
    ib = WebUser(app, "ib@testschool.test")
    assert ib.post(f"/zaken/{s.case_id}/heropenen", {"reden": ""}).status_code == 303
    assert s.is_closed  # no reason, no reopening
    ib.post(f"/zaken/{s.case_id}/heropenen", {"reden": "Nieuwe signalen: blauwe plekken na de vakantie"})
    assert s.case.status == CaseStatus.OPEN and s.case.closed_at is None and s.case.dossier_destroy_after is None
    assert s.open_elements() == ["Stap1_Signaleren"]
    [reopened] = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.reopen")).all()
    assert reopened.user_id == school.users[Role.INTERN_BEGELEIDER]
    assert reopened.detail == {"previous_outcome": "Vermoeden ongegrond: dossier afgesloten"}
    page = ib.get(f"/zaken/{s.case_id}").text
    assert "Zaak heropend: Nieuwe signalen" in page
    # The dossier so far stays: the steps done before closing are still in the timeline.
    assert "Stap 1: observeren en signalen vastleggen afgerond" in page and "Zaak afgesloten" in page


def test_a_teacher_sees_the_status_and_their_own_entries_only(app, school, session, services, database):
    s = Scenario.start(session, services, database, school)
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False, "beschrijving": "Blauwe plek op de arm"})
    dossier_actions.add_note(session, services, s.actor(Role.LEERKRACHT), case_id=s.case_id, kind="feit",
                             body="Eigen aantekening van de leerkracht")
    dossier_actions.add_note(session, services, s.actor(Role.INTERN_BEGELEIDER), case_id=s.case_id,
                             kind="hypothese", body=NOTE)
    ib_file = dossier_actions.add_attachment(session, services, s.actor(Role.INTERN_BEGELEIDER),
                                             case_id=s.case_id, upload=Upload("zorgteam.pdf", "application/pdf",
                                                                              b"%PDF-1.4 zorgteam"))
    zorg_delen = s.complete("Stap1_ZorgDelen", {"veiligheid_in_geding": True, "afspraken_fase1": "Gesprek met Sam"})

    teacher = WebUser(app, "leerkracht@testschool.test")
    page = teacher.get(f"/zaken/{s.case_id}").text
    assert "Blauwe plek op de arm" in page and "Eigen aantekening van de leerkracht" in page
    assert NOTE not in page and "zorgteam.pdf" not in page and "Gesprek met Sam" not in page
    assert "need to know" in page and "Stap 1: gesprek met de leerling" in page  # the status: open task
    assert teacher.get(f"/taken/{zorg_delen.id}").status_code == 404
    assert teacher.get(f"/zaken/{s.case_id}/bijlagen/{ib_file.id}").status_code == 404
    api_case = ApiUser(app, "leerkracht@testschool.test").get(f"/api/v1/zaken/{s.case_id}").get_json()
    assert api_case["volledig_dossier"] is False
    assert [n["tekst"] for n in api_case["notities"]] == ["Eigen aantekening van de leerkracht"]
    assert api_case["bijlagen"] == []

    assert NOTE in WebUser(app, "ib@testschool.test").get(f"/zaken/{s.case_id}").text
    school.school.teachers_see_whole_dossier = True  # the school widens it
    session.merge(school.school)
    session.commit()
    assert NOTE in teacher.get(f"/zaken/{s.case_id}").text


def test_a_case_about_a_staff_member_is_the_directors_and_boards_only(app, school, session, services, database):
    s = Scenario.start(session, services, database, school)
    teacher = WebUser(app, "leerkracht@testschool.test")
    task_id = s.task("Stap1_Signaleren").id
    form = {"datum_signalering": "2026-03-02", "situatie": "gym", "bron_vermoeden": "zelf", "signalen": "letsel",
            "beschrijving": "De gymleraar", "signalen_over_medewerker": "ja", "actie": "afronden"}
    done = teacher.post(f"/taken/{task_id}", form, token_from=f"/taken/{task_id}")
    assert done.status_code == 303 and done.headers["Location"].endswith("/taken")
    assert s.case.concerns_staff_member
    assert teacher.get(f"/zaken/{s.case_id}").status_code == 404
    ib = WebUser(app, "ib@testschool.test")
    assert ib.get(f"/zaken/{s.case_id}").status_code == 404
    assert f"/zaken/{s.case_id}" not in ib.get("/zaken").text
    assert WebUser(app, "directeur@testschool.test").get(f"/zaken/{s.case_id}").status_code == 200
    assert WebUser(app, "bestuur@testschool.test").get(f"/zaken/{s.case_id}").status_code == 200
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "case.restrict_to_management")).one()


def test_a_correction_is_kept_beside_the_original_also_on_a_closed_case(app, school, session, services, database):
    s = Scenario.start(session, services, database, school)
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False, "beschrijving": "Sam viel van de fiets"})
    s.walk(("Stap1_ZorgDelen", {"veiligheid_in_geding": True}), "Stap1_GesprekLeerling",
           ("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"}), "Afsluiten_Ongegrond")
    assert s.is_closed
    ib = WebUser(app, "ib@testschool.test")
    response = ib.post(f"/zaken/{s.case_id}/correcties", {
        "verzocht_door": "moeder", "verzocht_op": "2026-03-02", "betreft": "Stap 1: beschrijving",
        "tekst": "Sam viel niet van de fiets maar van de trap"})
    assert response.status_code == 303
    page = ib.get(f"/zaken/{s.case_id}").text
    assert "Sam viel van de fiets" in page and "Sam viel niet van de fiets maar van de trap" in page
    assert _count(session, CaseCorrection) == 1
    bad = ib.post(f"/zaken/{s.case_id}/correcties", {"verzocht_door": "", "verzocht_op": "2099-01-01",
                                                     "betreft": "", "tekst": ""})
    assert bad.status_code == 303 and _count(session, CaseCorrection) == 1
    assert "Deze datum ligt in de toekomst." in ib.get(f"/zaken/{s.case_id}").text


def _request_inzage(ib: WebUser, naam="Sam", geboortedatum="2017-03-14"):
    return ib.post("/inzage", {"naam": naam, "geboortedatum": geboortedatum, "verzocht_door": "moeder",
                               "verzocht_op": "2026-03-02"}, token_from="/inzage")


def test_the_inzage_export_before_and_after_destruction(app, school, session, services, database, clock):
    s = Scenario.start(session, services, database, school)
    dossier_actions.add_note(session, services, s.actor(Role.INTERN_BEGELEIDER), case_id=s.case_id, kind="feit",
                             body=NOTE)
    dossier_actions.add_attachment(session, services, s.actor(Role.INTERN_BEGELEIDER), case_id=s.case_id,
                                   upload=Upload("gespreksverslag ĳ.pdf", "application/pdf", b"%PDF-1.4 verslag"))
    _close_unfounded(s)
    dossier_actions.add_correction(session, services, s.actor(Role.INTERN_BEGELEIDER), case_id=s.case_id,
                                   requested_by="moeder", requested_on="2026-03-02", about="notitie",
                                   body="Vader drinkt niet")
    ib = WebUser(app, "ib@testschool.test")
    assert _request_inzage(ib, naam="Onbekend").status_code == 422
    assert _request_inzage(ib, naam="S%").status_code == 422  # a name, not a pattern
    assert _request_inzage(ib).status_code == 303
    listing = ib.get("/inzage").text
    assert "Sam" in listing and "02-04-2026" in listing  # answered within a month

    request_id = session.scalar(select(func.max(AuditEntry.detail["inzage_request_id"].as_integer())).where(
        AuditEntry.action == "inzage.request"))
    data = ib.get(f"/inzage/{request_id}/inzage.json").get_json()
    [case] = data["zaken"]
    assert [n["tekst"] for n in case["notities"]] == [NOTE]  # work notes are part of it
    assert case["correcties"][0]["tekst"] == "Vader drinkt niet"
    assert case["bijlagen"][0]["bestandsnaam"] == "gespreksverslag ĳ.pdf"
    assert any(a["vraag"].startswith("Datum van de observatie") for e in case["tijdlijn"] for a in e["antwoorden"])
    pdf = ib.get(f"/inzage/{request_id}/inzage.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    archive = zipfile.ZipFile(io.BytesIO(ib.get(f"/inzage/{request_id}/inzage.zip").data))
    names = archive.namelist()
    assert any(n.endswith(".pdf") and n.startswith("inzage-sam") for n in names)
    assert [n for n in names if n.startswith("bijlagen/")] == [case["bijlagen"][0]["in_zip"]]
    assert archive.read(case["bijlagen"][0]["in_zip"]) == b"%PDF-1.4 verslag"
    exports = session.scalars(select(AuditEntry).where(AuditEntry.action == "inzage.export")).all()
    assert len(exports) == 3 and all(e.detail["case_ids"] == [s.case_id] for e in exports)

    # After the attachments' term (five years by default) only what is left is in the export.
    clock.set(s.case.attachments_destroy_after + timedelta(minutes=1))
    session.expire_all()
    assert s.case.attachments_destroy_after == s.case.dossier_destroy_after  # same default term
    retention.set_term(session, s.actor(Role.BEHEERDER), clock.now(), school_id=school.school.id,
                       category=retention.DOSSIER, term="P10Y")
    destroy_due(database, services)
    ib = WebUser(app, "ib@testschool.test")
    after = ib.get(f"/inzage/{request_id}/inzage.json").get_json()
    assert after["zaken"][0]["bijlagen"] == [] and after["zaken"][0]["bijlagen_vernietigd_op"]
    assert [n["tekst"] for n in after["zaken"][0]["notities"]] == [NOTE]
    assert json.dumps(after).count("gespreksverslag") == 0


def test_a_teacher_cannot_handle_inzage(app, school):
    teacher = WebUser(app, "leerkracht@testschool.test")
    assert teacher.get("/inzage").status_code == 403
    assert "Inzage" not in teacher.get("/taken").text.split("<main")[0]


def test_reopen_and_corrections_through_the_api(app, school, session, services, database):
    s = Scenario.start(session, services, database, school)
    _close_unfounded(s)
    ib = ApiUser(app, "ib@testschool.test")
    case = ib.get(f"/api/v1/zaken/{s.case_id}").get_json()
    assert case["mag_heropenen"] is True and case["mag_toevoegen"] is False and case["volledig_dossier"] is True
    correction = ib.post(f"/api/v1/zaken/{s.case_id}/correcties", {
        "verzocht_door": "vader", "verzocht_op": "2026-03-02", "betreft": "Stap 1", "tekst": "Het was op dinsdag"})
    assert correction.status_code == 201 and correction.get_json()["verzocht_door"] == "vader"
    future = ib.post(f"/api/v1/zaken/{s.case_id}/correcties", {
        "verzocht_door": "vader", "verzocht_op": "2099-03-02", "betreft": "Stap 1", "tekst": "x"})
    assert future.status_code == 422 and "verzocht_op" in future.get_json()["errors"]
    assert [c["tekst"] for c in ib.get(f"/api/v1/zaken/{s.case_id}").get_json()["correcties"]] == ["Het was op dinsdag"]
    reopened = ib.post(f"/api/v1/zaken/{s.case_id}/heropenen", {"reden": "Nieuwe signalen"})
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "open"
    assert ib.post(f"/api/v1/zaken/{s.case_id}/heropenen", {"reden": "Nog eens"}).status_code == 409
    assert [e.detail["via"] for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "case.reopen"))] == ["api"]
