"""Every change of a case goes through one door: checked under the lock, uploads in the same
transaction as the change that uses them, refusals on the record, no-ops unrecorded."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.support.attachments import (
    FILE_FIELD_TASK,
    cases_at_the_signaleringsinstrument,
)
from tests.support.scenario import hashed_test_password, setup_school
from tests.support.web import WebUser
from webapp.audit.actor import Actor
from webapp.audit.models import AuditEntry
from webapp.auth.models import Membership, User
from webapp.cases import task_actions
from webapp.cases.models import Attachment, CaseEvent, CaseTask, TaskStatus
from webapp.roles import Role

COMPLETE_FORM = {"instrument": "signaleringslijst", "ingevuld_met_leerkracht": "ja",
                 "uitkomst_instrument": "Geen zorgen gebleken", "uitkomst_stap1": "geen_zorgen"}


@pytest.fixture
def at_instrument(session, services, database):
    """A case waiting at the IB'er's signaleringsinstrument: a form with a file field."""
    [scenario] = cases_at_the_signaleringsinstrument(session, services, database, count=1)
    return scenario


def _count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _audit_actions(session, case_id) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)
                                .order_by(AuditEntry.id)))


def _pdf(name="instrument.pdf", content=b"%PDF-1.4 ingevuld instrument"):
    return (io.BytesIO(content), name, "application/pdf")


def test_a_claim_by_a_colleague_after_the_page_loaded_stops_the_completion(app, at_instrument, session,
                                                                            services):
    s = at_instrument
    task_id = s.task(FILE_FIELD_TASK).id
    colleague = User(email="ib2@testschool.test", display_name="Tweede IB'er", password_hash=hashed_test_password(),
                     active=True, created_at=services.now())
    session.add(colleague)
    session.flush()
    session.add(Membership(user_id=colleague.id, school_id=s.setup.school.id, role=Role.INTERN_BEGELEIDER))
    session.commit()
    ib = WebUser(app, "ib@testschool.test")
    token = ib.csrf_token(f"/taken/{task_id}")  # the page is open, with its form
    # Meanwhile the other coordinator takes the task on.
    task_actions.claim_task(session, services, Actor(colleague.id), task_id=task_id)
    before = _audit_actions(session, s.case_id)

    response = ib.client.post(f"/taken/{task_id}", data={
        **COMPLETE_FORM, "actie": "afronden", "csrf_token": token, "ingevuld_instrument__upload": _pdf()},
        content_type="multipart/form-data")

    assert response.status_code == 303
    page = ib.get(response.headers["Location"]).text
    assert "intussen door Tweede IB" in page and "opgepakt; er is niets gewijzigd" in page
    session.expire_all()
    task = session.get(CaseTask, task_id)
    assert task.status == TaskStatus.OPEN and task.data is None and task.draft is None
    assert task.claimed_by_id == colleague.id
    assert _count(session, Attachment, Attachment.case_id == s.case_id) == 0
    assert _count(session, CaseEvent, CaseEvent.case_id == s.case_id, CaseEvent.kind == "task_completed") == 1
    after = _audit_actions(session, s.case_id)[len(before):]
    assert "task.complete" not in after and "case.attachment_add" not in after
    refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.refused")).one()
    assert refused.user_id == s.setup.users[Role.INTERN_BEGELEIDER]
    assert refused.detail["attempt"] == "task.complete"


def test_an_invalid_form_keeps_its_file_with_the_draft_and_completes_without_choosing_it_again(
        app, at_instrument, session):
    s = at_instrument
    task_id = s.task(FILE_FIELD_TASK).id
    ib = WebUser(app, "ib@testschool.test")
    incomplete = {**COMPLETE_FORM, "uitkomst_instrument": ""}
    response = ib.client.post(f"/taken/{task_id}", data={
        **incomplete, "actie": "afronden", "csrf_token": ib.csrf_token(f"/taken/{task_id}"),
        "ingevuld_instrument__upload": _pdf()}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "bewaard bij het concept" in response.text
    session.expire_all()
    [attachment] = session.scalars(select(Attachment).where(Attachment.case_id == s.case_id)).all()
    assert attachment.case_task_id == task_id and attachment.school_id == s.setup.school.id
    assert f'name="ingevuld_instrument" value="{attachment.id}" checked' in response.text
    task = session.get(CaseTask, task_id)
    assert task.status == TaskStatus.OPEN and task.draft["ingevuld_instrument"] == [attachment.id]

    # Reloading the page shows the draft with its file; completing sends only the ticked id.
    assert f'value="{attachment.id}" checked' in ib.get(f"/taken/{task_id}").text
    done = ib.post(f"/taken/{task_id}", {**COMPLETE_FORM, "actie": "afronden",
                                         "ingevuld_instrument": str(attachment.id)}, token_from=f"/taken/{task_id}")
    assert done.status_code == 303
    session.expire_all()
    assert session.get(CaseTask, task_id).data["ingevuld_instrument"] == [attachment.id]
    assert _count(session, Attachment, Attachment.case_id == s.case_id) == 1


def test_an_upload_is_stored_in_the_completion_that_uses_it(app, at_instrument, session):
    s = at_instrument
    task_id = s.task(FILE_FIELD_TASK).id
    ib = WebUser(app, "ib@testschool.test")
    token = ib.csrf_token(f"/taken/{task_id}")
    first_new = session.scalar(select(func.max(AuditEntry.id)))
    response = ib.client.post(f"/taken/{task_id}", data={
        **COMPLETE_FORM, "actie": "afronden", "csrf_token": token,
        "ingevuld_instrument__upload": _pdf()}, content_type="multipart/form-data")
    assert response.status_code == 303
    session.expire_all()
    [attachment] = session.scalars(select(Attachment).where(Attachment.case_id == s.case_id)).all()
    task = session.get(CaseTask, task_id)
    assert task.status == TaskStatus.COMPLETED and task.data["ingevuld_instrument"] == [attachment.id]
    # One transaction: the file, the completion and their audit rows carry the same moment.
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.id > first_new, AuditEntry.action.in_(["case.attachment_add", "task.complete"]))).all()
    assert sorted(e.action for e in entries) == ["case.attachment_add", "task.complete"]
    assert len({e.at for e in entries}) == 1


def test_an_abandoned_form_leaves_nothing(app, at_instrument, session):
    s = at_instrument
    task_id = s.task(FILE_FIELD_TASK).id
    before = _audit_actions(session, s.case_id)
    ib = WebUser(app, "ib@testschool.test")
    ib.get(f"/taken/{task_id}")  # opened, a file chosen in the browser, then the tab closed
    assert _count(session, Attachment, Attachment.case_id == s.case_id) == 0
    assert _audit_actions(session, s.case_id)[len(before):] == ["task.view"]


def test_a_file_kept_with_a_draft_but_dropped_from_the_form_goes_on_completion(app, at_instrument, session):
    s = at_instrument
    task_id = s.task(FILE_FIELD_TASK).id
    ib = WebUser(app, "ib@testschool.test")
    ib.client.post(f"/taken/{task_id}", data={
        **COMPLETE_FORM, "actie": "opslaan", "csrf_token": ib.csrf_token(f"/taken/{task_id}"),
        "ingevuld_instrument__upload": _pdf()}, content_type="multipart/form-data")
    session.expire_all()
    [kept] = session.scalars(select(Attachment.id).where(Attachment.case_id == s.case_id)).all()
    assert session.get(CaseTask, task_id).draft["ingevuld_instrument"] == [kept]

    # Completed with the file's box unticked: it never became part of the dossier.
    done = ib.post(f"/taken/{task_id}", {**COMPLETE_FORM, "actie": "afronden"}, token_from=f"/taken/{task_id}")
    assert done.status_code == 303
    assert _count(session, Attachment, Attachment.case_id == s.case_id) == 0
    discard = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.attachment_discard")).one()
    assert discard.detail["attachment_ids"] == [kept]


def test_a_release_that_releases_nothing_writes_no_audit_row(app, at_instrument, session):
    s = at_instrument
    task_id = s.task(FILE_FIELD_TASK).id
    before = _audit_actions(session, s.case_id)
    ib = WebUser(app, "ib@testschool.test")
    response = ib.post(f"/taken/{task_id}/vrijgeven", token_from=f"/taken/{task_id}")
    assert response.status_code == 303
    assert "er is niets veranderd" in ib.get(response.headers["Location"]).text
    assert "task.release" not in _audit_actions(session, s.case_id)[len(before):]

    ib.post(f"/taken/{task_id}/oppakken", token_from=f"/taken/{task_id}")
    ib.post(f"/taken/{task_id}/vrijgeven", token_from=f"/taken/{task_id}")
    assert _audit_actions(session, s.case_id)[len(before):].count("task.release") == 1


def test_a_refused_attempt_on_another_schools_case_is_on_the_record(app, session, services, database):
    [own] = cases_at_the_signaleringsinstrument(session, services, database, count=1)
    setup_school(session, services, "oostpoort_delft", slug="andere-school")
    # Another school's coordinator is told the case does not exist; the attempt is recorded
    # with the case it was about.
    stranger = WebUser(app, "ib@andere-school.test")
    response = stranger.post(f"/zaken/{own.case_id}/notities", {"soort": "feit", "tekst": "x"})
    assert response.status_code == 404
    session.expire_all()
    refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.refused")).one()
    assert refused.case_id == own.case_id and refused.detail["attempt"] == "case.note_add"
