"""File fields carry attachment ids: only attachments of the task's own case may be linked."""
from __future__ import annotations

import pytest

from tests.support.attachments import (
    attach_instrument,
    cases_at_the_signaleringsinstrument,
)
from tests.support.forms import fill_form
from webapp.audit.actor import Actor
from webapp.cases import lifecycle, task_actions
from webapp.cases.errors import InvalidSubmission
from webapp.cases.models import CaseTask, TaskStatus
from webapp.roles import Role


@pytest.fixture
def two_cases(session, services, database):
    return cases_at_the_signaleringsinstrument(session, services, database)


def _answers(services, task, attachment_ids):
    return fill_form(services.forms.get(task.form_key), (), {"ingevuld_instrument": attachment_ids})


def test_completing_with_another_cases_attachment_is_refused(two_cases, session, services):
    own, other = two_cases
    other_file = attach_instrument(session, services, other)
    task = own.task("Stap1_Signaleringsinstrument")
    with pytest.raises(InvalidSubmission) as invalid:
        lifecycle.complete_task(session, services, Actor(own.setup.users[Role.INTERN_BEGELEIDER]), task_id=task.id,
                                   submitted=_answers(services, task, [other_file]))
    assert invalid.value.errors == {"ingevuld_instrument": ["Deze bijlage hoort niet bij deze zaak."]}
    assert own.open_elements() == ["Stap1_Signaleringsinstrument"]


def test_completing_with_own_attachment_links_it(two_cases, session, services):
    own, _ = two_cases
    own_file = attach_instrument(session, services, own)
    task = own.task("Stap1_Signaleringsinstrument")
    lifecycle.complete_task(session, services, Actor(own.setup.users[Role.INTERN_BEGELEIDER]), task_id=task.id,
                               submitted=_answers(services, task, [own_file]))
    session.expire_all()
    assert session.get(CaseTask, task.id).data["ingevuld_instrument"] == [own_file]


@pytest.mark.parametrize("bad", ["other", "missing", "huge", "text"])
def test_a_draft_cannot_link_a_foreign_or_unknown_attachment(bad, two_cases, session, services):
    own, other = two_cases
    task = own.task("Stap1_Signaleringsinstrument")
    value = {"other": lambda: [attach_instrument(session, services, other)], "missing": lambda: [987654],
             "huge": lambda: [10**30], "text": lambda: ["abc"]}[bad]()
    with pytest.raises(InvalidSubmission) as invalid:
        task_actions.save_draft(session, services, Actor(own.setup.users[Role.INTERN_BEGELEIDER]), task_id=task.id,
                                values={"ingevuld_instrument": value, "uitkomst_instrument": "half"})
    assert "ingevuld_instrument" in invalid.value.errors
    session.expire_all()
    stored = session.get(CaseTask, task.id)
    assert stored.draft is None and stored.status == TaskStatus.OPEN


def test_a_draft_may_link_the_cases_own_attachment(two_cases, session, services):
    own, _ = two_cases
    own_file = attach_instrument(session, services, own)
    task = own.task("Stap1_Signaleringsinstrument")
    task_actions.save_draft(session, services, Actor(own.setup.users[Role.INTERN_BEGELEIDER]), task_id=task.id,
                            values={"ingevuld_instrument": [str(own_file)]})
    session.expire_all()
    assert session.get(CaseTask, task.id).draft == {"ingevuld_instrument": [str(own_file)]}
