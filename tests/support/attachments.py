"""Cases whose open task has a file field: the ground for attachment-ownership tests."""
from __future__ import annotations

from tests.support.scenario import Scenario, setup_school
from webapp.audit.actor import Actor
from webapp.cases.dossier_actions import Upload, add_attachment
from webapp.roles import Role

FILE_FIELD_TASK = "Stap1_Signaleringsinstrument"  # oostpoort_delft: the IB'er's filled-in instrument


def cases_at_the_signaleringsinstrument(session, services, database, count: int = 2) -> list[Scenario]:
    """Cases of one school, each waiting at the IB'er's signaleringsinstrument."""
    setup = setup_school(session, services, "oostpoort_delft")
    cases = []
    for _ in range(count):
        scenario = Scenario.start(session, services, database, setup)
        scenario.complete("Stap1_Signaleren", {"signalen_over_medewerker": False}, role=Role.LEERKRACHT)
        cases.append(scenario)
    return cases


def attach_instrument(session, services, scenario: Scenario) -> int:
    """Upload a filled-in instrument to the scenario's case, as its IB'er; returns the attachment id."""
    return add_attachment(
        session, services, Actor(scenario.setup.users[Role.INTERN_BEGELEIDER]), case_id=scenario.case_id,
        upload=Upload("instrument.pdf", "application/pdf", b"%PDF-1.4 instrument"),
    ).id
