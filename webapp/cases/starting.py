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
from webapp.schools.models import School
from webapp.schools.service import InvalidPupil, find_or_create_pupil
from webapp.services import CaseServices

CHOOSE_ROUTE = "Kies een route."


@dataclass(frozen=True)
class PupilDetails:
    name: str = ""
    group: str = ""
    date_of_birth: str = ""


def startable_definitions(session: Session, policy: Policy) -> list[ProcessDefinition]:
    """Published routes at the schools where this user may report a concern."""
    school_ids = policy.schools_where(Action.START_CASE)
    if not school_ids:
        return []
    return list(session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.school_id.in_(school_ids),
                                        ProcessDefinition.published_version_id.is_not(None))
        .order_by(ProcessDefinition.school_id, ProcessDefinition.name)
    ))


def schools_of(session: Session, definitions: Sequence[ProcessDefinition]) -> dict[int, School]:
    """The schools of these routes, by id (the start page and the API's route list name them)."""
    ids = {d.school_id for d in definitions}
    return {school.id: school for school in session.scalars(select(School).where(School.id.in_(ids)))} if ids else {}


def start_reported_case(
    session: Session, services: CaseServices, actor: Actor, *, definitions: Sequence[ProcessDefinition],
    route_id: int | None, pupil: PupilDetails,
) -> Case:
    """Start a case on one of `definitions` for the pupil described, found or created at the route's school.

    Raises InvalidSubmission with Dutch messages per field; nothing is stored then."""
    errors: dict[str, list[str]] = {}
    definition = next((d for d in definitions if d.id == route_id), None)
    if definition is None:
        errors["route"] = [CHOOSE_ROUTE]
    chosen_pupil = None
    if definition is not None:
        try:
            chosen_pupil = find_or_create_pupil(
                session, school_id=definition.school_id, name=pupil.name, group=pupil.group,
                date_of_birth=pupil.date_of_birth, now=services.now(),
            )
        except InvalidPupil as invalid:
            errors.update(invalid.errors)
    if errors:
        session.rollback()
        raise InvalidSubmission(errors)
    return start_case(session, services, actor, definition_id=definition.id, pupil_id=chosen_pupil.id)
