"""The policy answers one question one way, whichever door asks it.

On a generated grid of users × tasks and users × cases × actions: the task lists (SQL), the
single-task check (`may_work_on`), the school-level shortcut (`schools_where`, Python) and the
case door itself (a claim, run under the lock) all agree.
"""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from tests.support.databases import restore_database, snapshot_database
from tests.support.scenario import Scenario, hashed_test_password, setup_school
from webapp.audit.actor import Actor
from webapp.auth.models import Membership, User
from webapp.auth.policy import CASE_ACTIONS, Policy
from webapp.cases import task_actions
from webapp.cases.errors import CaseNotFound, NotAllowed, TaskAlreadyDone
from webapp.cases.models import Case, CaseTask
from webapp.roles import Role
from webapp.tasks.listing import TaskListFilters, task_list


@pytest.fixture
def grid(session, services, database):
    """Two schools; at A: a fresh case, one a coordinator has claimed, one with a board task, one
    closed; a second teacher and a user with two roles. At B: one case."""
    a = setup_school(session, services, "fedra_2019", slug="a")
    b = setup_school(session, services, "fedra_2019", slug="b")
    extra = []
    for email, roles in (("collega@a.test", [Role.LEERKRACHT]),
                         ("ib-en-directeur@a.test", [Role.INTERN_BEGELEIDER, Role.DIRECTEUR])):
        user = User(email=email, display_name=email, password_hash=hashed_test_password(), active=True,
                    created_at=services.now())
        session.add(user)
        session.flush()
        session.add_all(Membership(user_id=user.id, school_id=a.school.id, role=role) for role in roles)
        extra.append(user.id)
    session.commit()
    Scenario.start(session, services, database, a)  # a fresh case, nobody has done anything yet
    claimed = Scenario.start(session, services, database, a)
    claimed.complete("Stap1_Signaleren", {"vermoeden_personeelslid": False})
    open_task = claimed.open_tasks()[0]
    task_actions.claim_task(session, services, Actor(a.users[Role.INTERN_BEGELEIDER]), task_id=open_task.id)
    board = Scenario.start(session, services, database, a)
    board.complete("Stap1_Signaleren", {"vermoeden_personeelslid": True})
    Scenario.start(session, services, database, b)
    users = [*a.users.values(), *b.users.values(), *extra]
    return users


def _tasks(session) -> list[CaseTask]:
    session.expire_all()
    return list(session.scalars(select(CaseTask).order_by(CaseTask.id)))


def test_the_lists_and_the_single_task_check_agree(grid, session, services):
    tasks = _tasks(session)
    assert len(tasks) >= 5
    for user_id in grid:
        policy = Policy.for_user(session, user_id)
        listed = {row.task.id for chosen in ("mijn", "rol")
                  for row in task_list(session, policy, TaskListFilters(chosen=chosen), services.now())}
        workable = {task.id for task in tasks if policy.may_work_on(session, task)}
        assert listed == workable, f"user {user_id}"


def test_the_school_shortcut_and_the_case_filter_agree(grid, session):
    cases = list(session.scalars(select(Case)))
    for user_id, action in itertools.product(grid, CASE_ACTIONS):
        policy = Policy.for_user(session, user_id)
        allowed = {case.id for case in cases if policy.may_on_case(action, session, case)}
        schools = set(policy.schools_where(action))
        assert {c.school_id for c in cases if c.id in allowed} <= schools, (user_id, action)
        if not schools:
            assert allowed == set(), (user_id, action)
        assert all(policy.visible_case(session, case_id) is not None for case_id in allowed), (user_id, action)


def test_the_door_agrees_with_the_policy(grid, session, services, database, database_url):
    """A claim through the case door succeeds exactly where the policy says the task is workable
    (and not already held): each attempt on a fresh copy of the grid."""
    snapshot = snapshot_database(database_url)
    outcomes = []
    for user_id, task in itertools.product(grid, _tasks(session)):
        session.rollback()
        restore_database(snapshot, database_url)
        session.expire_all()
        policy = Policy.for_user(session, user_id)
        expected = policy.may_work_on(session, task)
        try:
            task_actions.claim_task(session, services, Actor(user_id), task_id=task.id)
            outcome = True
        except (NotAllowed, CaseNotFound, TaskAlreadyDone):
            outcome = False
        assert outcome == expected, f"user {user_id}, task {task.id} ({task.lane}, {task.status})"
        outcomes.append(outcome)
    assert outcomes.count(True) >= 5 and outcomes.count(False) >= 20  # the grid tells both apart
