"""Care coordinators at work, through the Flask test client: log in, start a case, fill forms."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests.support.scenario import setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.cases.models import Attachment, CaseEvent, CaseTask, TaskStatus


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


@pytest.fixture
def teacher(app, school):
    return WebUser(app, "leerkracht@testschool.test")


@pytest.fixture
def coordinator(app, school):
    return WebUser(app, "ib@testschool.test")


def start_case(user: WebUser, name="Sam de Vries", born="2017-03-14") -> str:
    response = user.post("/zaken/nieuw", {"naam": name, "groep": "5", "geboortedatum": born,
                                          "route": "1"}, token_from="/zaken/nieuw")
    assert response.status_code == 303, response.text
    return response.headers["Location"]


def task_id(location: str) -> int:
    return int(re.search(r"/taken/(\d+)", location).group(1))


SIGNALEREN = {"datum_signalering": "2026-03-02", "situatie": "In de klas, tijdens rekenen",
              "bron_vermoeden": "zelf", "signalen": ["letsel"], "beschrijving": "Blauwe plek op de arm",
              "signalen_over_medewerker": "nee", "actie": "afronden"}


def test_login_page_is_dutch_and_wrong_password_keeps_the_email(app, school, session):
    user = WebUser(app)
    page = user.get("/inloggen")
    assert page.status_code == 200 and 'lang="nl"' in page.text and "Wachtwoord" in page.text
    response = user.login("leerkracht@testschool.test", "fout")
    assert response.status_code == 401
    assert "E-mailadres, wachtwoord of code onjuist." in response.text
    assert 'value="leerkracht@testschool.test"' in response.text
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "auth.login_failed")) == 1


def test_repeated_failures_slow_the_account_down_for_a_while(app, school, clock):
    user = WebUser(app)
    for _ in range(5):
        user.login("leerkracht@testschool.test", "fout")
    blocked = user.login("leerkracht@testschool.test")  # even the right password
    assert "Te veel mislukte pogingen" in blocked.text
    clock.advance(minutes=16)
    assert user.login("leerkracht@testschool.test").status_code == 302


def test_pages_need_a_login(app, school):
    anonymous = app.test_client()
    response = anonymous.get("/taken")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert anonymous.get("/api/v1/taken").status_code in (401, 404)


def test_post_without_csrf_token_is_refused(teacher):
    response = teacher.client.post("/zaken/nieuw", data={"naam": "X", "groep": "5", "geboortedatum": "2017-01-01", "route": "1"})
    assert response.status_code == 400


def test_teacher_starts_a_case_and_completes_the_first_task(teacher, session):
    location = start_case(teacher)
    page = teacher.get(location)
    assert "Stap 1: observeren en signalen vastleggen" in page.text
    assert "Wat zegt de meldcode?" in page.text and "Breng de signalen" in page.text  # guidance
    assert "Acuut gevaar melden" in page.text

    response = teacher.post(location, SIGNALEREN, token_from=location)
    assert response.status_code == 303
    task = session.get(CaseTask, task_id(location))
    assert task.status == TaskStatus.COMPLETED
    assert task.data["beschrijving"] == "Blauwe plek op de arm"
    case_page = teacher.get(f"/zaken/{task.case_id}")
    assert "Stap 1: observeren en signalen vastleggen afgerond" in case_page.text
    assert "Blauwe plek op de arm" in case_page.text  # the dossier shows what was entered


def test_invalid_form_comes_back_with_values_and_messages(teacher, session):
    location = start_case(teacher)
    response = teacher.post(location, {**SIGNALEREN, "beschrijving": "", "signalen": [],
                                       "situatie": "Op het schoolplein"}, token_from=location)
    assert response.status_code == 422
    assert "Op het schoolplein" in response.text  # what the user typed is kept
    assert response.text.count("Dit veld is verplicht.") == 2
    assert 'class="field has-error' in response.text
    assert session.get(CaseTask, task_id(location)).status == TaskStatus.OPEN


def test_draft_survives_logging_out_and_in(teacher, session):
    location = start_case(teacher)
    saved = teacher.post(location, {"situatie": "Half ingevuld", "actie": "opslaan"}, token_from=location)
    assert saved.status_code == 303
    teacher.post("/uitloggen", token_from=location)
    assert teacher.get(location).status_code == 302  # logged out
    teacher.login("leerkracht@testschool.test")
    page = teacher.get(location)
    assert "Half ingevuld" in page.text and "Concept opgeslagen" in page.text
    assert session.get(CaseTask, task_id(location)).status == TaskStatus.OPEN


def test_double_submit_completes_once(teacher, session):
    location = start_case(teacher)
    token = teacher.csrf_token(location)
    first = teacher.client.post(location, data={**SIGNALEREN, "csrf_token": token})
    second = teacher.client.post(location, data={**SIGNALEREN, "csrf_token": token})
    assert first.status_code == second.status_code == 303
    task = session.get(CaseTask, task_id(location))
    completions = session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == task.case_id, CaseEvent.kind == "task_completed"))
    assert completions == 1
    assert "al afgerond" in teacher.get(second.headers["Location"]).text


def test_completing_a_task_you_may_not_do_is_refused_and_changes_nothing(app, teacher, coordinator, session):
    location = start_case(teacher)
    teacher.post(location, SIGNALEREN, token_from=location)
    zorgteam_task = session.scalar(select(CaseTask).where(CaseTask.status == TaskStatus.OPEN))
    assert zorgteam_task.element_id == "Stap1_ZorgDelen"  # zorgteam lane: not for a teacher
    refused = teacher.post(f"/taken/{zorgteam_task.id}", {"actie": "afronden", "datum_besproken": "2026-03-02"},
                           token_from="/taken")
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(CaseTask, zorgteam_task.id).status == TaskStatus.OPEN
    assert coordinator.get(f"/taken/{zorgteam_task.id}").status_code == 200


def test_other_school_sees_nothing(app, session, services, teacher):
    location = start_case(teacher)
    setup_school(session, services, "basismodel_2019", slug="andere")
    outsider = WebUser(app, "ib@andere.test")
    task = task_id(location)
    case_id = session.get(CaseTask, task).case_id
    assert outsider.get(f"/zaken/{case_id}").status_code == 404
    assert outsider.get(f"/taken/{task}").status_code == 404
    assert "Sam de Vries" not in outsider.get("/taken?lijst=rol").text
    assert "Sam de Vries" not in outsider.get("/zaken").text


def test_task_lists_claim_and_counts(coordinator, teacher, session):
    location = start_case(teacher)
    teacher.post(location, SIGNALEREN, token_from=location)
    role_list = coordinator.get("/taken?lijst=rol")
    assert "Stap 1: zorg delen met directie en IB" in role_list.text
    task = session.scalar(select(CaseTask).where(CaseTask.status == TaskStatus.OPEN))
    coordinator.post(f"/taken/{task.id}/oppakken", token_from="/taken")
    mine = coordinator.get("/taken?lijst=mijn")
    assert "Stap 1: zorg delen met directie en IB" in mine.text
    assert re.search(r"Mijn taken <span class=\"count\">1</span>", mine.text)
    overdue_filter = coordinator.get("/taken?lijst=mijn&termijn=verlopen")
    assert "zorg delen" not in overdue_filter.text


def test_acute_danger_from_the_case_page(teacher, session):
    location = start_case(teacher)
    case_id = session.get(CaseTask, task_id(location)).case_id
    confirm = teacher.get(f"/zaken/{case_id}/acuut")
    assert re.search(r"Bel direct .*Veilig Thuis \(voorheen AMK en SHG\)</strong> \(0800-2000\).* of .*Politie</strong> \(112\)",
                     confirm.text)
    assert "Stap 1: observeren en signalen vastleggen" in confirm.text  # what will lapse
    unconfirmed = teacher.post(f"/zaken/{case_id}/acuut", token_from=f"/zaken/{case_id}")
    assert unconfirmed.status_code == 200 and "Ja, start de acute route" in unconfirmed.text
    response = teacher.post(f"/zaken/{case_id}/acuut", {"bevestig": "ja"}, token_from=f"/zaken/{case_id}")
    assert response.status_code == 303
    page = teacher.get(f"/zaken/{case_id}")
    assert "Acuut gevaar gemeld" in page.text
    assert "Acuut: direct advies vragen of melden bij AMK / SHG" in page.text
    again = teacher.post(f"/zaken/{case_id}/acuut", {"bevestig": "ja"}, token_from=f"/zaken/{case_id}")
    assert "loopt al" in teacher.get(again.headers["Location"]).text


def test_notes_with_fact_hypothesis_source_and_follow_up(coordinator, teacher, session):
    location = start_case(teacher)
    case_id = session.get(CaseTask, task_id(location)).case_id
    teacher.post(f"/zaken/{case_id}/notities", {"soort": "hypothese", "tekst": "Mogelijk spanningen thuis",
                                                "bron": "moeder van klasgenoot"}, token_from=f"/zaken/{case_id}")
    page = coordinator.get(f"/zaken/{case_id}")
    assert "Mogelijk spanningen thuis" in page.text and "bron: moeder van klasgenoot" in page.text
    hypothesis_id = re.search(r'<option value="(\d+)">', page.text).group(1)
    coordinator.post(f"/zaken/{case_id}/notities", {"soort": "feit", "tekst": "Vader bevestigt ruzies",
                                                    "vervolg_op": hypothesis_id, "oordeel": "bevestigd"},
                     token_from=f"/zaken/{case_id}")
    assert "Vervolgaantekening: hypothese bevestigd" in coordinator.get(f"/zaken/{case_id}").text


def test_attachment_upload_and_audited_download(teacher, session):
    location = start_case(teacher)
    case_id = session.get(CaseTask, task_id(location)).case_id
    teacher.post(f"/zaken/{case_id}/bijlagen", {"bestand": (io.BytesIO(b"%PDF-1.4 verslag"), "verslag ouders.pdf", "application/pdf")},
                 token_from=f"/zaken/{case_id}", content_type="multipart/form-data")
    attachment = session.scalar(select(Attachment))
    assert attachment.filename == "verslag ouders.pdf"
    download = teacher.get(f"/zaken/{case_id}/bijlagen/{attachment.id}")
    assert download.data == b"%PDF-1.4 verslag"
    assert "attachment" in download.headers["Content-Disposition"]
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.attachment_download")) == 1
    refused = teacher.post(f"/zaken/{case_id}/bijlagen", {"bestand": (io.BytesIO(b"MZ..."), "x.exe", "application/x-msdownload")},
                           token_from=f"/zaken/{case_id}", content_type="multipart/form-data")
    assert "Alleen PDF" in teacher.get(refused.headers["Location"]).text


def test_every_case_read_is_audited(teacher, session):
    location = start_case(teacher)
    case_id = session.get(CaseTask, task_id(location)).case_id
    teacher.get(f"/zaken/{case_id}")
    teacher.get(location)
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)).all()
    assert {"case.start", "case.view", "task.view"} <= set(actions)


def test_passwords_are_argon2id_with_the_configured_cost(app):
    from argon2 import PasswordHasher

    from webapp.auth.passwords import hash_password, verify_password

    with app.app_context():
        stored = hash_password("correct paard batterij niet")
        assert stored.startswith("$argon2id$") and "t=1" in stored  # the test configuration
        assert verify_password(stored, "correct paard batterij niet")
        assert not verify_password(stored, "fout")
        assert not verify_password(None, "wat dan ook")
    production = PasswordHasher()  # what an app without PASSWORD_HASH_PARAMETERS uses
    assert (production.time_cost, production.memory_cost) == (3, 65536)


def test_login_upgrades_a_hash_made_with_other_parameters(app, school, session):
    from argon2 import PasswordHasher

    from webapp.auth.models import User

    user = session.scalar(select(User).where(User.email == "leerkracht@testschool.test"))
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1).hash("oud")
    session.commit()
    assert WebUser(app).login("leerkracht@testschool.test", "oud").status_code == 302
    session.expire_all()
    assert "t=1" in session.get(User, user.id).password_hash
