"""Due timers are found by one indexed query and fired by the worker when the clock moves."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from tests.support.bulk import walk_to_waiting_timer
from tests.support.databases import postgresql_only
from webapp.cases.models import CaseTimer, TimerStatus
from webapp.worker.timer_firing import due_timers_query, find_due_timers, run_once


@pytest.fixture
def waiting_case(session, services, database):
    return walk_to_waiting_timer(session, services, database, slug="testschool")


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
    assert waiting_case.open_elements() == ["Stap1_Herbeoordelen"]
    assert run_once(database, services) == 0  # fired exactly once


def test_the_due_query_uses_the_index(session, services, database_url):
    statement = due_timers_query(services.now(), 100).compile(
        session.get_bind(), compile_kwargs={"literal_binds": True})
    if database_url.startswith("sqlite"):
        plan = session.execute(text(f"EXPLAIN QUERY PLAN {statement}")).all()
        assert any("ix_case_timers_waiting_fires_at" in str(row) for row in plan), plan
    else:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(r[0] for r in session.execute(text(f"EXPLAIN {statement}")))
        assert "ix_case_timers_waiting_fires_at" in plan, plan


def test_a_failing_case_is_retried_with_backoff_and_blocks_no_other(session, services, database):
    from tests.support.bulk import copy_waiting_case, walk_to_waiting_timer
    from webapp.cases.models import CaseState

    healthy = walk_to_waiting_timer(session, services, database)
    [broken_id] = copy_waiting_case(session, healthy.case_id, 1)
    waiting_state = session.get(CaseState, broken_id).state
    session.get(CaseState, broken_id).state = '{"kapot": true}'  # a state the engine cannot load
    session.commit()
    [timer] = healthy.waiting_timers()
    clock = services.environment.clock
    clock.set(timer.fires_at + timedelta(minutes=1))

    assert run_once(database, services) == 1  # the healthy case fires despite the broken one
    assert healthy.waiting_timers() == []

    def broken_timer():
        session.expire_all()
        return session.scalars(select(CaseTimer).where(CaseTimer.case_id == broken_id)).one()

    first = broken_timer()
    assert first.status == TimerStatus.WAITING and first.attempts == 1
    assert first.retry_at == services.now() + timedelta(minutes=1) and first.last_error
    assert find_due_timers(session, services.now(), 10) == []  # held back, not hammered
    assert run_once(database, services) == 0 and broken_timer().attempts == 1

    clock.advance(minutes=1)
    assert run_once(database, services) == 0
    assert broken_timer().attempts == 2
    assert broken_timer().retry_at == services.now() + timedelta(minutes=2)  # the pause doubles

    # Once the cause is repaired, the next retry fires the timer.
    session.get(CaseState, broken_id).state = waiting_state
    session.commit()
    clock.advance(minutes=2)
    assert run_once(database, services) == 1
    assert broken_timer().status == TimerStatus.FIRED


def test_retry_pauses_grow_to_a_ceiling():
    from webapp.worker.timer_firing import RetryPolicy

    policy = RetryPolicy(base=timedelta(minutes=1), longest=timedelta(minutes=10))
    assert [policy.pause_after(n).total_seconds() / 60 for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_an_index_row_the_workflow_disagrees_with_is_held_back_not_looped_on(waiting_case, session, services,
                                                                             database):
    [timer] = waiting_case.waiting_timers()
    timer.fires_at = services.now() - timedelta(hours=1)  # the row says due; the workflow says May
    session.commit()
    assert run_once(database, services) == 0  # returns instead of claiming the same case forever
    session.expire_all()
    held = session.get(CaseTimer, timer.id)
    assert held.status == TimerStatus.WAITING and held.attempts == 1 and "vuurde niet af" in held.last_error
    assert held.retry_at == services.now() + timedelta(minutes=1)


def broken_waiting_case(session, services, database):
    """One case whose due timer cannot fire: its stored state is one the engine cannot load."""
    from tests.support.bulk import walk_to_waiting_timer
    from webapp.cases.models import CaseState

    s = walk_to_waiting_timer(session, services, database)
    [timer] = s.waiting_timers()
    session.get(CaseState, s.case_id).state = '{"kapot": true}'
    session.commit()
    services.environment.clock.set(timer.fires_at + timedelta(minutes=1))
    return s, timer


def test_a_failed_firing_is_undone_and_recorded_in_one_go(session, services, database):
    from webapp.cases.models import Case

    s, timer = broken_waiting_case(session, services, database)
    lock_version = session.get(Case, s.case_id).lock_version
    assert run_once(database, services) == 0
    session.expire_all()
    held = session.get(CaseTimer, timer.id)
    assert held.attempts == 1 and held.status == TimerStatus.WAITING and held.last_error
    assert held.retry_at == services.now() + timedelta(minutes=1)
    # The firing's own case lock was rolled back with it; only the postponement's remains.
    assert session.get(Case, s.case_id).lock_version == lock_version + 1


@postgresql_only
def test_a_failing_case_stays_claimed_until_its_failure_is_recorded(session, services, database, monkeypatch):
    from webapp.worker import timer_firing as worker

    _, timer = broken_waiting_case(session, services, database)
    claims_by_another_worker = []
    record_failure = worker._postpone

    def another_worker_looks_first(*args, **kwargs):
        with database.session() as other:
            claims_by_another_worker.append(worker.claim_next_case(other, services.now()))
            other.rollback()
        record_failure(*args, **kwargs)

    monkeypatch.setattr(worker, "_postpone", another_worker_looks_first)
    assert run_once(database, services) == 0
    assert claims_by_another_worker == [None]  # the failing case was still held: skipped
    session.expire_all()
    assert session.get(CaseTimer, timer.id).attempts == 1
