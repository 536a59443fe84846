"""Issue 14 items 6–8 through the pages: attachment names outside Latin-1 download; reads and
refused attempts on other schools' ids are audited; starting a case cannot change another case."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.support.scenario import setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry

TEACHER, IB = "leerkracht@testschool.test", "ib@testschool.test"


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def _start(user: WebUser, school, group: str = "5") -> int:
    started = user.post("/zaken/nieuw", {"route": str(school.definitions["meldcode"].id), "naam": "Sam",
                                         "groep": group, "geboortedatum": "2017-03-14"},
                        token_from="/zaken/nieuw")
    assert started.status_code == 303, started.text
    return int(started.headers["Location"].rstrip("/").split("/")[-1])


def _case_of_task(session, task_id: int) -> int:
    from webapp.cases.models import CaseTask
    return session.get(CaseTask, task_id).case_id


# -- 8 -------------------------------------------------------------------------------------------

def test_starting_a_case_for_an_existing_pupil_does_not_change_what_other_cases_show(app, school, session):
    ib = WebUser(app, IB)
    ib_case = _case_of_task(session, _start(ib, school))
    teacher = WebUser(app, TEACHER)
    assert teacher.get(f"/zaken/{ib_case}").status_code == 404  # the teacher may not see it …
    _start(teacher, school, group="8 (verzonnen)")               # … and starts one for the same pupil
    page = ib.get(f"/zaken/{ib_case}")
    assert "(groep 5)" in page.text and "verzonnen" not in page.text


# -- 6 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ĳsje.txt", "日本語の報告.pdf"])
def test_attachments_named_outside_latin1_upload_and_download_through_the_page(app, school, session, name):
    ib = WebUser(app, IB)
    case_id = _case_of_task(session, _start(ib, school))
    content = b"%PDF-1.4 verslag" if name.endswith(".pdf") else b"verslag"
    uploaded = ib.post(f"/zaken/{case_id}/bijlagen", {"bestand": (io.BytesIO(content), name)},
                       token_from=f"/zaken/{case_id}", content_type="multipart/form-data")
    assert uploaded.status_code in (302, 303), uploaded.text
    page = ib.get(f"/zaken/{case_id}")
    assert name in page.text
    from webapp.cases.models import Attachment
    attachment = session.scalar(select(Attachment).where(Attachment.case_id == case_id))
    download = ib.get(f"/zaken/{case_id}/bijlagen/{attachment.id}")
    assert download.status_code == 200 and download.data == content
    disposition = download.headers["Content-Disposition"]
    assert disposition.isascii()
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    assert "filename=" in disposition.split(";")[1]  # the ASCII fallback


# -- 7 -------------------------------------------------------------------------------------------

def test_the_acute_danger_and_signal_confirmation_pages_are_audited_reads(app, school, session):
    ib = WebUser(app, IB)
    case_id = _case_of_task(session, _start(ib, school))
    assert ib.get(f"/zaken/{case_id}/acuut").status_code == 200
    ib.get(f"/zaken/{case_id}/gebeurtenis?gebeurtenis=leerling_vertrekt")
    views = session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == "case.signal_confirm", AuditEntry.case_id == case_id)).all()
    assert len(views) == 2 and "leerling_vertrekt" in {d["signal"] for d in views}, views


@pytest.mark.parametrize("path", [
    "/zaken/{case}", "/zaken/{case}/acuut", "/zaken/{case}/gebeurtenis?gebeurtenis=leerling_vertrekt",
    "/zaken/{case}/diagram.bpmn", "/zaken/{case}/diagram.json", "/taken/{task}",
    "/api/v1/zaken/{case}", "/api/v1/taken/{task}",
])
def test_refused_attempts_on_another_schools_ids_are_recorded(app, school, session, services, path):
    setup_school(session, services, "basismodel_2019", slug="andereschool")
    ib = WebUser(app, IB)
    task_id = _start(ib, school)
    case_id = _case_of_task(session, task_id)
    outsider = WebUser(app, "ib@andereschool.test")
    response = outsider.get(path.format(case=case_id, task=task_id))
    assert response.status_code == 404
    refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.refused")).all()
    assert refused and refused[-1].user_id is not None, path


@pytest.mark.parametrize("path", ["/zaken/999999", "/taken/999999", "/api/v1/zaken/999999"])
def test_probing_ids_that_do_not_exist_is_recorded_too(app, school, session, path):
    response = WebUser(app, IB).get(path)
    assert response.status_code == 404
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "case.refused")), path

