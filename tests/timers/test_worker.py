"""Due timers are found by one indexed query and fired by the worker when the clock moves."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.support.scenario import Scenario, setup_school
from webapp.cases.models import CaseTimer, TimerStatus
from webapp.timers.worker import find_due_timers, run_once


@pytest.fixture
def waiting_case(session, services, database):
    setup = setup_school(session, services, "basismodel_2019")
    s = Scenario.start(session, services, database, setup)
    s.walk(
        ("Stap1_Signaleren", {"signalen_over_medewerker": False}),
        ("Stap1_ZorgDelen", {"veiligheid_in_geding": True}),
        "Stap1_GesprekLeerling",
        ("Stap1_Besluit", {"uitkomst_fase1": "geen_bevestiging",
                           "herbeoordeling": {"amount": 2, "unit": "maanden"}}),
    )
    return s


def test_waiting_timer_is_indexed_with_its_absolute_time(waiting_case, services):
    [timer] = waiting_case.waiting_timers()
    assert timer.element_id == "Stap1_Herbeoordeling"
    assert timer.fires_at == services.now() + timedelta(days=61)  # 2 March + 2 calendar months


def test_worker_fires_the_timer_once_the_clock_passes_it(waiting_case, session, services, database):
    [timer] = waiting_case.waiting_timers()
    assert find_due_timers(session, services.now(), 10) == []
    assert run_once(database, services) == 0

    services.environment.clock.set(timer.fires_at + timedelta(minutes=1))
    assert [t.id for t in find_due_timers(session, services.now(), 10)] == [timer.id]
    assert run_once(database, services) == 1

    session.expire_all()
    fired = session.get(CaseTimer, timer.id)
    assert fired.status == TimerStatus.FIRED and fired.fired_at == services.now()
    assert waiting_case.open_elements() == ["Stap1_Besluit"]
    assert run_once(database, services) == 0  # fired exactly once


def test_the_due_query_uses_the_index(session, services, database_url):
    statement = str(
        find_due_query_sql(session, services)
    )
    if database_url.startswith("sqlite"):
        plan = session.execute(text(f"EXPLAIN QUERY PLAN {statement}")).all()
        assert any("ix_case_timers_waiting_fires_at" in str(row) for row in plan), plan
    else:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(r[0] for r in session.execute(text(f"EXPLAIN {statement}")))
        assert "ix_case_timers_waiting_fires_at" in plan, plan


def find_due_query_sql(session, services):
    from sqlalchemy import select

    from webapp.timers.worker import _WAITING

    query = select(CaseTimer).where(_WAITING, CaseTimer.fires_at <= services.now()).order_by(
        CaseTimer.fires_at).limit(100)
    return query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
