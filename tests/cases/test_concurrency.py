"""Two people completing the same task: exactly one succeeds, nothing is lost or applied twice."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.support.forms import fill_form
from tests.support.scenario import Scenario, setup_school
from webapp.audit.actor import Actor
from webapp.cases import lifecycle
from webapp.cases.errors import InvalidSubmission, TaskAlreadyDone
from webapp.cases.models import CaseEvent, CaseTask, TaskStatus
from webapp.roles import Role


@pytest.fixture
def scenario(session, services, database):
    setup = setup_school(session, services, "basismodel_2019")
    return Scenario.start(session, services, database, setup)


def test_double_submit_completes_once(scenario, session, services):
    task = scenario.task("Stap1_Signaleren")
    answers = fill_form(services.forms.get(task.form_key), (), {"signalen_over_medewerker": False})
    lifecycle.complete_task(session, services, Actor(scenario.setup.users[Role.LEERKRACHT]), task_id=task.id, submitted=answers)
    with pytest.raises(TaskAlreadyDone):
        lifecycle.complete_task(session, services, Actor(scenario.setup.users[Role.LEERKRACHT]), task_id=task.id, submitted=answers)
    assert scenario.open_elements() == ["Stap1_ZorgDelen"]


@pytest.mark.parametrize("attempt", range(3))
def test_race_between_two_users(attempt, scenario, database, services):
    task = scenario.task("Stap1_Signaleren")
    answers = {
        user: fill_form(services.forms.get(task.form_key), (), {
            "signalen_over_medewerker": False, "beschrijving": f"ingevuld door {user}"})
        for user in (Role.LEERKRACHT, Role.INTERN_BEGELEIDER)
    }
    barrier = threading.Barrier(2)
    outcomes: dict[Role, str] = {}

    def submit(role: Role) -> None:
        with database.session() as own_session:
            barrier.wait()
            try:
                lifecycle.complete_task(own_session, services, Actor(scenario.setup.users[role]), task_id=task.id,
                                           submitted=answers[role])
                outcomes[role] = "done"
            except TaskAlreadyDone:
                outcomes[role] = "already done"

    threads = [threading.Thread(target=submit, args=(role,)) for role in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == ["already done", "done"]
    winner = next(role for role, outcome in outcomes.items() if outcome == "done")
    with database.session() as check:
        stored = check.get(CaseTask, task.id)
        assert stored.status == TaskStatus.COMPLETED
        assert stored.completed_by_id == scenario.setup.users[winner]
        assert stored.data["beschrijving"] == f"ingevuld door {winner}"
        completions = check.scalar(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id == scenario.case_id, CaseEvent.kind == "task_completed"))
        assert completions == 1
        next_tasks = check.scalars(select(CaseTask.element_id).where(
            CaseTask.case_id == scenario.case_id, CaseTask.status == TaskStatus.OPEN)).all()
        assert next_tasks == ["Stap1_ZorgDelen"]


def test_invalid_submission_changes_nothing(scenario, session, services):
    task = scenario.task("Stap1_Signaleren")
    with pytest.raises(InvalidSubmission) as invalid:
        lifecycle.complete_task(session, services, Actor(scenario.setup.users[Role.LEERKRACHT]), task_id=task.id,
                                   submitted={"signalen": ["bestaat-niet"]})
    assert invalid.value.errors["signalen_over_medewerker"] == ["Dit veld is verplicht."]
    assert "signalen" in invalid.value.errors
    assert scenario.open_elements() == ["Stap1_Signaleren"]
