"""Benchmark: finding due timers among 100 000 waiting ones, and firing them through the engine.

    .venv/bin/python bench/timers.py                                   # SQLite (temporary file)
    .venv/bin/python bench/timers.py --database-url postgresql://postgres@127.0.0.1:5432/test

Fills a fresh database (a temporary SQLite file, or a new schema on PostgreSQL that is dropped
afterwards) with `--timers` waiting timers: `--fire` of them due, each belonging to a complete
case copied from one walked for real through the basismodel diagram; the rest fall due over the
coming year. Then reports

- the worker's due query (`find_due_timers`, 100 rows) and its claim query (`claim_next_case`):
  p50/p95 over `--repeat` runs, with the query plan (EXPLAIN) to show the partial index is used;
- timers fired per second: the real worker (`run_once`, or `--workers N` OS processes) firing all
  due timers — lock, load state, fire, save state, index rows, timeline, commit per case.

Results are printed as a table and appended to bench/RESULTS-timers.md with the machine's facts.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text

from bench.harness import BenchDatabase, machine_facts
from tests.support.bulk import copy_waiting_case, walk_to_waiting_timer
from webapp.app import create_app
from webapp.cases.models import CaseEvent, CaseTimer, TimerStatus
from webapp.clock import SCHOOL_TIMEZONE, MovableClock
from webapp.db import get_database
from webapp.services import get_services
from webapp.worker.timer_firing import (
    claim_next_case,
    due_timers_query,
    find_due_timers,
    run_once,
)

RESULTS_FILE = ROOT / "bench" / "RESULTS-timers.md"
START = datetime(2026, 3, 2, 9, 0, tzinfo=SCHOOL_TIMEZONE)


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def query_plan(session, backend: str, now: datetime) -> str:
    statement = due_timers_query(now, 100).compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if backend == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {statement}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    rows = session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")).all()
    return "\n".join(row[0] for row in rows)


def fire_with_processes(url: str, now: datetime, workers: int) -> tuple[int, float]:
    """Fire with N worker processes at once; the time is the slowest worker's run, start-up excluded."""
    env = {**os.environ, "MELDROUTE_SECRET_KEY": "bench", "MELDROUTE_INSTANCE_PATH": tempfile.gettempdir()}
    processes = [subprocess.Popen([sys.executable, "-m", "tests.worker.worker_process", url, now.isoformat()],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(workers)]
    fired, slowest = 0, 0.0
    for process in processes:
        out, _ = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"worker process failed ({process.returncode})")
        count, seconds = out.split()[:2]
        fired, slowest = fired + int(count), max(slowest, float(seconds))
    return fired, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL base URL; default: a temporary SQLite file")
    parser.add_argument("--timers", type=int, default=100_000, help="waiting timers in total")
    parser.add_argument("--fire", type=int, default=1000, help="of which due (fired through the engine)")
    parser.add_argument("--repeat", type=int, default=200, help="repetitions of each query")
    parser.add_argument("--workers", type=int, default=1, help="worker OS processes (1: in this process)")
    parser.add_argument("--no-write", action="store_true", help="do not append to RESULTS-timers.md")
    args = parser.parse_args()
    if not 0 < args.fire <= args.timers:
        parser.error("--fire must be between 1 and --timers")

    bench_db = BenchDatabase(args.database_url)
    try:
        run(bench_db, args)
    finally:
        bench_db.drop()


def run(bench_db: BenchDatabase, args) -> None:
    clock = MovableClock(START)
    app = create_app({"DATABASE_URL": bench_db.url, "CLOCK": clock, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_PARAMETERS": {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}})
    database, services = get_database(app), get_services(app)
    with database.session() as session:
        print(f"[{bench_db.backend}] walking one case to its waiting timer …", flush=True)
        original = walk_to_waiting_timer(session, services, database)
        [timer] = original.waiting_timers()
        now = timer.fires_at + timedelta(minutes=1)

        started = time.perf_counter()
        copy_waiting_case(session, original.case_id, args.fire - 1)
        copy_waiting_case(session, original.case_id, args.timers - args.fire, with_state=False,
                          fires_at=now + timedelta(days=1), spread=timedelta(days=365))
        fill_seconds = time.perf_counter() - started
        session.execute(text("ANALYZE"))
        session.commit()
        waiting = session.scalar(select(func.count()).select_from(CaseTimer)
                                 .where(CaseTimer.status == TimerStatus.WAITING))
        print(f"[{bench_db.backend}] {waiting} waiting timers inserted in {fill_seconds:.1f}s", flush=True)

        clock.set(now)
        find_samples = timed(lambda: (find_due_timers(session, now, 100), session.rollback()), args.repeat)
        claim_samples = timed(lambda: (claim_next_case(session, now), session.rollback()), args.repeat)
        plan = query_plan(session, bench_db.backend, now)
        session.rollback()

    print(f"[{bench_db.backend}] firing {args.fire} due timers with {args.workers} worker(s) …", flush=True)
    if args.workers == 1:
        started = time.perf_counter()
        fired = run_once(database, services, batch_size=100)
        fire_seconds = time.perf_counter() - started
    else:
        fired, fire_seconds = fire_with_processes(bench_db.url, now, args.workers)
    with database.session() as session:
        events = session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "timer_fired"))
    if fired != args.fire or events != args.fire:
        raise SystemExit(f"expected {args.fire} fired timers, worker said {fired}, timeline has {events}")
    database.dispose()
    facts = machine_facts(bench_db)

    rows = [
        ("waiting timers", f"{waiting}"),
        ("due timers", f"{args.fire}"),
        ("find due (100 rows) p50 / p95", f"{percentile(find_samples, .5):.2f} / {percentile(find_samples, .95):.2f} ms"),
        ("claim next case p50 / p95", f"{percentile(claim_samples, .5):.2f} / {percentile(claim_samples, .95):.2f} ms"),
        (f"fire {args.fire} timers, {args.workers} worker(s)", f"{fire_seconds:.1f} s"),
        ("timers fired per second", f"{fired / fire_seconds:.0f}"),
    ]
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    print("\nQuery plan of the due query:\n" + plan)
    for key, value in facts.items():
        print(f"  {key}: {value}")
    if not args.no_write:
        write_results(bench_db.backend, args, rows, plan, facts)


def write_results(backend: str, args, rows, plan: str, facts: dict[str, str]) -> None:
    if not RESULTS_FILE.exists():
        RESULTS_FILE.write_text("# Timer benchmark results\n\nAppended by `bench/timers.py`; newest last.\n")
    lines = [
        "",
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {backend}, {args.workers} worker(s)",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in rows),
        "",
        *(f"- {key}: {value}" for key, value in facts.items()),
        "",
        "Plan of the due query:",
        "",
        "```",
        plan,
        "```",
        "",
    ]
    with RESULTS_FILE.open("a") as results:
        results.write("\n".join(lines))
    print(f"\nappended to {RESULTS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
