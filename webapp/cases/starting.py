"""Reporting a concern: pick the route, find or create the pupil, start the case.

Shared by the HTML page and the JSON API. Which routes a user may start comes from the policy
(the schools where they may start cases); the pupil always belongs to the route's school.
The pupil is only ever found from the name and date of birth the reporter already knows, never
picked by id: an id would let a reporter reach any pupil of the school, and see who it is.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.auth.policy import Action, Policy
from webapp.cases.errors import InvalidSubmission
from webapp.cases.lifecycle import start_case
from webapp.cases.models import Case
from webapp.definitions.models import ProcessDefinition
from webapp.definitions.service import published_routes_of_schools
from webapp.ids import parse_id
from webapp.schools.models import School
from webapp.schools.service import InvalidPupil, find_or_create_pupil
from webapp.services import CaseServices

CHOOSE_ROUTE = "Kies een route."
CHOOSE_SCHOOL = "Deze route geldt op meer van uw scholen: kies de route bij de school van de leerling."


@dataclass(frozen=True)
class PupilDetails:
    name: str = ""
    group: str = ""
    date_of_birth: str = ""


@dataclass(frozen=True)
class StartableRoute:
    """A route a case can be started on, at one school: the school's own, or its board's (then the
    same route may be offered at several schools of the board; the case is the chosen school's)."""
    definition: ProcessDefinition
    school_id: int

    @property
    def id(self) -> int:
        return self.definition.id

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def route_key(self) -> str:
        return self.definition.route_key

    @property
    def choice(self) -> str:
        """The start form's value: which route, at which school."""
        return f"{self.definition.id}:{self.school_id}"


def startable_definitions(session: Session, policy: Policy) -> list[StartableRoute]:
    """Published routes at the schools where this user may report a concern: each school's own, and
    its board's for the route keys the school has none of its own for."""
    return [StartableRoute(definition, school_id) for school_id, definition
            in published_routes_of_schools(session, policy.schools_where(Action.START_CASE))]


def parse_route_choice(text: str | None) -> tuple[int | None, int | None]:
    """The start form's route value ("route:school", or a route id alone) as (route id, school id)."""
    route, _, school = (text or "").partition(":")
    return parse_id(route), parse_id(school) if school else None


def schools_of(session: Session, routes: Sequence[StartableRoute]) -> dict[int, School]:
    """The schools of these routes, by id (the start page and the API's route list name them)."""
    ids = {r.school_id for r in routes}
    return {school.id: school for school in session.scalars(select(School).where(School.id.in_(ids)))} if ids else {}


def start_reported_case(
    session: Session, services: CaseServices, actor: Actor, *, definitions: Sequence[StartableRoute],
    route_id: int | None, pupil: PupilDetails, school_id: int | None = None,
) -> Case:
    """Start a case on one of `definitions` for the pupil described, found or created at the route's
    school (`school_id` says which, when a board's route is offered at more than one).

    Raises InvalidSubmission with Dutch messages per field; nothing is stored then."""
    errors: dict[str, list[str]] = {}
    matching = [r for r in definitions if r.id == route_id and school_id in (None, r.school_id)]
    route = matching[0] if len(matching) == 1 else None
    if not matching:
        errors["route"] = [CHOOSE_ROUTE]
    elif route is None:
        errors["route"] = [CHOOSE_SCHOOL]
    chosen_pupil = None
    if route is not None:
        try:
            chosen_pupil = find_or_create_pupil(
                session, school_id=route.school_id, name=pupil.name, group=pupil.group,
                date_of_birth=pupil.date_of_birth, now=services.now(),
            )
        except InvalidPupil as invalid:
            errors.update(invalid.errors)
    if errors:
        session.rollback()
        raise InvalidSubmission(errors)
    return start_case(session, services, actor, definition_id=route.id, pupil_id=chosen_pupil.id)
