"""Walking a case through a variant's diagram, the way the app does: through the case layer.

`Scenario` starts a real case in the test database, completes tasks by element id with form
data (validated like a user's submission), moves the clock and runs the timer worker. It also
records every element the case passed, so variant tests can prove they visit the whole diagram.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tests.support.forms import fill_form
from webapp.audit.actor import Actor
from webapp.auth.passwords import make_hasher
from webapp.cases import lifecycle
from webapp.cases.models import (
    Case,
    CaseStatus,
    CaseTask,
    CaseTimer,
    TaskStatus,
    TimerStatus,
)
from webapp.cases.read_models import load_workflow
from webapp.definitions.models import ProcessDefinition
from webapp.definitions.service import install_variant
from webapp.roles import Lane, Role
from webapp.schools.demo import DEMO_ROLES
from webapp.schools.models import Pupil, School
from webapp.worker.timer_firing import run_once


@dataclass
class SchoolSetup:
    school: School
    users: dict[Role, int]
    pupils: dict[str, Pupil]
    definitions: dict[str, ProcessDefinition]


TEST_PASSWORD = "geheim-wachtwoord"

# Who does a lane's task when a test does not say: the role the protocol has in mind for it.
LANE_ACTORS = {
    Lane.LEERKRACHT.value: Role.LEERKRACHT, Lane.INTERN_BEGELEIDER.value: Role.INTERN_BEGELEIDER,
    Lane.ZORGTEAM.value: Role.INTERN_BEGELEIDER, Lane.DIRECTIE.value: Role.DIRECTEUR,
    Lane.BESTUUR.value: Role.BESTUUR,
}


@functools.cache
def hashed_test_password() -> str:
    """Hashed once per test run, with the test suite's Argon2 parameters."""
    from tests.conftest import TEST_PASSWORD_HASH_PARAMETERS

    return make_hasher(TEST_PASSWORD_HASH_PARAMETERS).hash(TEST_PASSWORD)


def setup_school(session, services, variant_key: str, slug: str = "testschool",
                 pupil_birthdays: dict[str, date] | None = None) -> SchoolSetup:
    """A school on a variant, with one user per role and pupils of the given birthdays."""
    from webapp.auth.models import Membership, User

    now = services.now()
    school = School(slug=slug, name=f"School {slug}", variant=variant_key)
    session.add(school)
    session.flush()
    install_variant(session, school, services.variants[variant_key], forms=services.forms, now=now)
    users = {}
    for role, prefix, name in DEMO_ROLES:
        user = User(email=f"{prefix}@{slug}.test", display_name=name, password_hash=hashed_test_password(),
                    active=True, created_at=now)
        session.add(user)
        session.flush()
        session.add(Membership(user_id=user.id, school_id=school.id, role=role))
        users[role] = user.id
    pupils = {}
    for name, born in (pupil_birthdays or {"Sam": date(2017, 3, 14)}).items():
        pupil = Pupil(school_id=school.id, name=name, group_name="5", date_of_birth=born, created_at=now)
        session.add(pupil)
        session.flush()
        pupils[name] = pupil
    definitions = {
        d.route_key: d for d in session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.school_id == school.id)
        )
    }
    session.commit()
    return SchoolSetup(school, users, pupils, definitions)


@dataclass
class Scenario:
    session: object
    services: object
    database: object
    setup: SchoolSetup
    case_id: int
    visited: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, session, services, database, setup: SchoolSetup, route: str = "meldcode",
              pupil: str | None = None) -> Scenario:
        pupil_obj = setup.pupils[pupil] if pupil else next(iter(setup.pupils.values()))
        case = lifecycle.start_case(
            session, services, Actor(setup.users[Role.LEERKRACHT]), definition_id=setup.definitions[route].id,
            pupil_id=pupil_obj.id,
        )
        return cls(session, services, database, setup, case.id)

    # -- reading ---------------------------------------------------------------------------

    @property
    def case(self) -> Case:
        self.session.expire_all()
        return self.session.get(Case, self.case_id)

    def open_tasks(self) -> list[CaseTask]:
        self.session.expire_all()
        return list(self.session.scalars(
            select(CaseTask).where(CaseTask.case_id == self.case_id, CaseTask.status == TaskStatus.OPEN)
            .order_by(CaseTask.id)
        ))

    def open_elements(self) -> list[str]:
        return sorted(t.element_id for t in self.open_tasks())

    def waiting_timers(self) -> list[CaseTimer]:
        self.session.expire_all()
        return list(self.session.scalars(
            select(CaseTimer).where(CaseTimer.case_id == self.case_id, CaseTimer.status == TimerStatus.WAITING)
        ))

    def task(self, element_id: str) -> CaseTask:
        matches = [t for t in self.open_tasks() if t.element_id == element_id]
        assert matches, f"{element_id} is not open; open tasks: {self.open_elements()}"
        return matches[0]

    @property
    def is_closed(self) -> bool:
        return self.case.status == CaseStatus.CLOSED

    def path(self) -> list[str]:
        workflow = load_workflow(self.session, self.services, self.case)
        return workflow.completed_elements()

    # -- acting ----------------------------------------------------------------------------

    def actor(self, role: Role) -> Actor:
        return Actor(self.setup.users[role])

    def complete(self, element_id: str, answers: dict | None = None, role: Role | None = None) -> CaseTask:
        """Complete an open task with the given answers; other required fields get sample values.

        As `role`, or as the lane's own role (LANE_ACTORS): the policy is checked as for a user."""
        task = self.task(element_id)
        variant = self.services.variants[self.setup.school.variant]
        submitted = fill_form(self.services.forms.get(task.form_key), variant.contacts, answers)
        done = lifecycle.complete_task(
            self.session, self.services, self.actor(role or LANE_ACTORS[task.lane]), task_id=task.id,
            submitted=submitted,
        )
        self._record()
        return done

    def walk(self, *steps) -> None:
        """Complete tasks in order; a step is an element id or (element id, answers)."""
        for step in steps:
            element_id, answers = (step, None) if isinstance(step, str) else step
            self.complete(element_id, answers)

    def compiled(self):
        from webapp.definitions.spec_cache import compiled_process

        return compiled_process(self.case.process_version)

    def raise_acute_danger(self, role: Role | None = None) -> None:
        """As the teacher — or the director, in a case about a staff member that only they still see."""
        role = role or (Role.DIRECTEUR if self.case.concerns_staff_member else Role.LEERKRACHT)
        lifecycle.raise_acute_danger(self.session, self.services, self.actor(role), case_id=self.case_id)
        self._record()

    def send_signal(self, name: str) -> None:
        role = Role.DIRECTEUR if self.case.concerns_staff_member else Role.INTERN_BEGELEIDER
        lifecycle.send_case_signal(self.session, self.services, self.actor(role), case_id=self.case_id, signal=name)
        self._record()

    def advance_clock(self, **delta) -> int:
        """Move time on and let the timer worker run, as it would in production."""
        self.services.environment.clock.advance(**delta)
        fired = run_once(self.database, self.services)
        self._record()
        return fired

    def _record(self) -> None:
        self.visited.update(self.path())
