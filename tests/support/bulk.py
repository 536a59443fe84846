"""Many waiting cases at once, for load tests and benchmarks.

Walking thousands of cases through the engine one by one takes minutes. Instead one case is
walked for real until a timer waits, and its rows (case, workflow state, waiting timer) are
copied in bulk: every copy is a complete case the worker fires through the real engine path.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from tests.support.scenario import Scenario, setup_school
from webapp.cases.models import Case, CaseState, CaseTimer, TimerStatus


def walk_to_waiting_timer(session, services, database, slug: str = "lastschool") -> Scenario:
    """A basismodel case waiting for its 're-read your notes' timer (two months)."""
    setup = setup_school(session, services, "basismodel_2019", slug=slug)
    scenario = Scenario.start(session, services, database, setup)
    scenario.walk(
        ("Stap1_Signaleren", {"signalen_over_medewerker": False}),
        ("Stap1_ZorgDelen", {"veiligheid_in_geding": True}),
        "Stap1_GesprekLeerling",
        ("Stap1_Besluit", {"uitkomst_fase1": "geen_bevestiging",
                           "herbeoordeling": {"amount": 2, "unit": "maanden"}}),
    )
    return scenario


def copy_waiting_case(session, case_id: int, copies: int, *, fires_at: datetime | None = None,
                      spread: timedelta = timedelta(0), with_state: bool = True,
                      chunk: int = 5000) -> list[int]:
    """Insert `copies` copies of a waiting case; returns the new case ids.

    `fires_at` overrides the index row's fire time (copy i fires at fires_at + i/copies × spread),
    for benchmarks that only query timers; copies the worker should fire keep the state's own
    moment (fires_at None) and need `with_state`.
    """
    original = session.get(Case, case_id)
    state = session.get(CaseState, case_id)
    [timer] = session.scalars(select(CaseTimer).where(
        CaseTimer.case_id == case_id, CaseTimer.status == TimerStatus.WAITING)).all()
    case_columns = {c.key: getattr(original, c.key) for c in Case.__table__.columns if c.key != "id"}
    new_ids: list[int] = []
    batch = uuid.uuid4().hex[:8]  # references stay unique over several calls
    for start in range(0, copies, chunk):
        count = min(chunk, copies - start)
        rows = [{**case_columns, "reference": f"bulk-{batch}-{start + i}"} for i in range(count)]
        ids = list(session.scalars(insert(Case).returning(Case.id, sort_by_parameter_order=True), rows))
        if with_state:
            session.execute(insert(CaseState), [
                {"case_id": new_id, "school_id": original.school_id, "state": state.state,
                 "updated_at": state.updated_at} for new_id in ids])
        session.execute(insert(CaseTimer), [
            {"case_id": new_id, "school_id": original.school_id, "spiff_task_id": timer.spiff_task_id, "element_id": timer.element_id,
             "name": timer.name, "status": TimerStatus.WAITING, "created_at": timer.created_at,
             "fires_at": (timer.fires_at if fires_at is None
                          else fires_at + spread * ((start + i) / max(copies, 1)))}
            for i, new_id in enumerate(ids)])
        session.commit()
        new_ids.extend(ids)
    return new_ids
