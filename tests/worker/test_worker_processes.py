"""Several timer workers at once on PostgreSQL: every due timer fires exactly once.

SQLite runs one worker (the issue asks no more of it), so these tests run on PostgreSQL only
(TEST_DATABASE_URL; `.ci/run` sets it whenever a server answers) and show as skipped without it.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.support.bulk import copy_waiting_case, walk_to_waiting_timer
from tests.support.databases import postgresql_only
from webapp.cases.models import CaseEvent, CaseTask, CaseTimer, TaskStatus, TimerStatus
from webapp.config import PROJECT_ROOT
from webapp.worker.timer_firing import run_once

DUE_TIMERS = 2000



def _worker(database_url: str, now, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "MELDROUTE_SECRET_KEY": "worker-process", "MELDROUTE_INSTANCE_PATH": str(tmp_path)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.worker.worker_process", database_url, now.isoformat()],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _fired_events(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "timer_fired"))


@pytest.mark.slow
@postgresql_only
def test_two_worker_processes_fire_every_timer_exactly_once(
        session, services, database, database_url, tmp_path):
    original = walk_to_waiting_timer(session, services, database)
    [timer] = original.waiting_timers()
    copies = copy_waiting_case(session, original.case_id, DUE_TIMERS - 1)
    case_ids = [original.case_id, *copies]
    now = timer.fires_at + timedelta(minutes=1)

    # A first worker is killed mid-batch: what it did not commit must not be lost.
    doomed = _worker(database_url, now, tmp_path)
    deadline = time.monotonic() + 120
    while _fired_events(session) < 20 and time.monotonic() < deadline and doomed.poll() is None:
        time.sleep(0.05)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    fired_before = _fired_events(session)
    assert 0 < fired_before < DUE_TIMERS, "the first worker should die halfway"

    started = time.monotonic()
    workers = [_worker(database_url, now, tmp_path) for _ in range(2)]
    outputs = [w.communicate(timeout=900) for w in workers]
    elapsed = time.monotonic() - started
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]
    fired_by_each = [int(out.split()[0]) for out, _ in outputs]
    print(f"two workers fired {fired_by_each} timers in {elapsed:.1f}s "
          f"({sum(fired_by_each) / elapsed:.0f}/s) after {fired_before} by the killed one")

    assert fired_before + sum(fired_by_each) == DUE_TIMERS
    assert all(n > 0 for n in fired_by_each), "both workers should have taken a share"
    session.expire_all()
    per_case = dict(session.execute(
        select(CaseEvent.case_id, func.count()).where(CaseEvent.kind == "timer_fired")
        .group_by(CaseEvent.case_id)).all())
    assert per_case == {case_id: 1 for case_id in case_ids}  # every case's timer, exactly once
    statuses = dict(session.execute(
        select(CaseTimer.status, func.count()).where(CaseTimer.case_id.in_(case_ids),
                                                    CaseTimer.element_id == timer.element_id)
        .group_by(CaseTimer.status)).all())
    assert statuses == {TimerStatus.FIRED: DUE_TIMERS}
    # Firing brings the decision back: one new open task per case, never two.
    reopened = dict(session.execute(
        select(CaseTask.case_id, func.count()).where(
            CaseTask.case_id.in_(case_ids), CaseTask.status == TaskStatus.OPEN,
            CaseTask.element_id == "Stap1_Herbeoordelen").group_by(CaseTask.case_id)).all())
    assert reopened == {case_id: 1 for case_id in case_ids}
    assert run_once(database, services) == 0

@postgresql_only
def test_a_case_held_elsewhere_is_skipped_not_waited_for(session, services, database, database_url):
    first = walk_to_waiting_timer(session, services, database)
    [second_id] = copy_waiting_case(session, first.case_id, 1)
    [timer] = first.waiting_timers()
    services.environment.clock.set(timer.fires_at + timedelta(minutes=1))

    holder = create_engine(database_url).connect()
    try:
        holder.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": first.case_id})
        started = time.monotonic()
        assert run_once(database, services) == 1  # the second case; the held one is left
        assert time.monotonic() - started < 10
        assert [t.case_id for t in first.waiting_timers()] == [first.case_id]
    finally:
        holder.rollback()
        holder.close()
    assert run_once(database, services) == 1  # released: now it fires
    assert first.waiting_timers() == []
    session.expire_all()
    assert session.scalar(select(CaseTimer.status).where(CaseTimer.case_id == second_id)) == TimerStatus.FIRED
