"""Reporting a concern: pick the route, find or create the pupil, start the case.

Shared by the HTML page and the JSON API. Which routes a user may start comes from the policy
(the schools where they may start cases); the pupil always belongs to the route's school.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.policy import Action, Policy
from webapp.cases import service as case_service
from webapp.cases.models import Case
from webapp.definitions.models import ProcessDefinition
from webapp.schools.models import Pupil
from webapp.schools.service import InvalidPupil, find_or_create_pupil

CHOOSE_ROUTE = "Kies een route."
UNKNOWN_PUPIL = "Deze leerling bestaat niet op de school van deze route."


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


def start_reported_case(
    session: Session, services: case_service.CaseServices, *, definitions: Sequence[ProcessDefinition],
    route_id: int | None, pupil: PupilDetails | None = None, pupil_id: int | None = None,
    actor_id: int, remote_addr: str | None = None,
) -> Case:
    """Start a case on one of `definitions` for an existing pupil (`pupil_id`) or the pupil described.

    Raises InvalidSubmission with Dutch messages per field; nothing is stored then."""
    errors: dict[str, list[str]] = {}
    definition = next((d for d in definitions if d.id == route_id), None)
    if definition is None:
        errors["route"] = [CHOOSE_ROUTE]
    chosen_pupil = None
    try:
        if pupil_id is not None:
            chosen_pupil = session.get(Pupil, pupil_id)
            if chosen_pupil is None or definition is None or chosen_pupil.school_id != definition.school_id:
                errors["leerling_id"] = [UNKNOWN_PUPIL]
                chosen_pupil = None
        elif definition is not None:
            details = pupil or PupilDetails()
            chosen_pupil = find_or_create_pupil(
                session, school_id=definition.school_id, name=details.name, group=details.group,
                date_of_birth=details.date_of_birth, now=services.now(),
            )
    except InvalidPupil as invalid:
        errors.update(invalid.errors)
    if errors:
        session.rollback()
        raise case_service.InvalidSubmission(errors)
    return case_service.start_case(session, services, definition_id=definition.id, pupil_id=chosen_pupil.id,
                                   actor_id=actor_id, remote_addr=remote_addr)
