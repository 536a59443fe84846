"""Issue 14 item 5: a draft of the wrong type used to break the task page (500 for every
colleague). Drafts are now reduced to what each field type can hold (unknown fields dropped), and
the page renders whatever is stored defensively."""
from __future__ import annotations

import pytest

from tests.api.test_api import start_case
from tests.support.web import WebUser
from webapp.cases.models import CaseTask

ODD_VALUES = [
    {"datum_signalering": {"a": [1, 2]}, "situatie": ["x", {"y": 1}], "bron_vermoeden": 17,
     "signalen": 5, "signalen_over_medewerker": [None], "beschrijving": 3.5},
    {"signalen": {"letsel": True}, "datum_signalering": 20260302},
    {"signalen": [{"x": 1}, ["y"], 5], "situatie": None, "datum_signalering": True},
    {"situatie": "x" * 100_000, "signalen": ["letsel"] * 5000},
]


@pytest.mark.parametrize("values", ODD_VALUES)
def test_a_draft_of_the_wrong_type_does_not_break_the_task_page(app, teacher, school, session, values):
    task_id = start_case(teacher, school)["eerste_taak_id"]
    assert teacher.put(f"/api/v1/taken/{task_id}/concept", {"waarden": values}).status_code == 200
    stored = session.get(CaseTask, task_id).draft
    assert len(str(stored)) < 60_000
    page = WebUser(app, "leerkracht@testschool.test").get(f"/taken/{task_id}")
    assert page.status_code == 200
    assert teacher.get(f"/api/v1/taken/{task_id}").status_code == 200


def test_a_draft_already_stored_with_odd_values_still_renders(app, teacher, school, session):
    """Drafts written before this check (or by hand) are rendered defensively too."""
    task_id = start_case(teacher, school)["eerste_taak_id"]
    task = session.get(CaseTask, task_id)
    task.draft = {**ODD_VALUES[0], "onbekend_veld": {"x": [1]}}
    session.commit()
    assert WebUser(app, "leerkracht@testschool.test").get(f"/taken/{task_id}").status_code == 200
    assert teacher.get(f"/api/v1/taken/{task_id}").status_code == 200


def test_a_draft_keeps_what_was_typed_in_the_right_shape(teacher, school, session):
    task_id = start_case(teacher, school)["eerste_taak_id"]
    teacher.put(f"/api/v1/taken/{task_id}/concept", {"waarden": {
        "datum_signalering": "31-02-2026", "signalen": ["letsel", "bestaat-niet"], "situatie": "half"}})
    assert session.get(CaseTask, task_id).draft == {
        "datum_signalering": "31-02-2026", "signalen": ["letsel", "bestaat-niet"], "situatie": "half"}


def test_unknown_fields_are_dropped_from_a_draft(teacher, school, session, services):
    """The API refuses unknown names (422); the command itself drops them for every caller."""
    from webapp.audit.actor import Actor
    from webapp.cases import task_actions
    from webapp.roles import Role
    task_id = start_case(teacher, school)["eerste_taak_id"]
    draft = task_actions.save_draft(session, services, Actor(school.users[Role.LEERKRACHT]), task_id=task_id,
                                    values={"situatie": "half", "onbekend_veld": "weg",
                                            "leerling_geboortedatum": "1999-01-01"})
    assert draft == {"situatie": "half"}
    assert session.get(CaseTask, task_id).draft == {"situatie": "half"}
