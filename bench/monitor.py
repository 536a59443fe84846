"""Server time of the monitor's dashboard with many stored cases (mostly closed, many schools).

    .venv/bin/python bench/monitor.py --cases 10000
    .venv/bin/python bench/monitor.py --cases 10000 --database-url postgresql://postgres@127.0.0.1:5432/test

Fills a fresh database: cases / `--per-school` schools (so one school's size stays the same
whatever the total), the cases spread evenly over them,
every `--open-every`-th open (one open task each, a third of those overdue) and the rest closed
(two completed tasks each); index rows only, inserted in bulk, then ANALYZE. Then one school's
director asks for the dashboard (`/monitor`) and the process view's data (`/monitor/proces.json`,
what the viewer fetches; the page around it is a small template) through the Flask test client:
p50 and p95 of the request, in ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select, text  # noqa: E402

from bench.harness import BenchDatabase, machine_facts  # noqa: E402
from tests.support.scenario import setup_school  # noqa: E402
from tests.support.web import WebUser  # noqa: E402
from webapp.app import create_app  # noqa: E402
from webapp.cases.models import Case, CaseTask  # noqa: E402
from webapp.db import get_database  # noqa: E402
from webapp.schools.models import School  # noqa: E402
from webapp.services import get_services  # noqa: E402

REAL_SCHOOLS = 10  # with users, routes and pupils; the others are bare rows borrowing a real school's route


def fill(session, services, schools: int, cases: int, open_every: int, chunk: int = 5000) -> None:
    setups = [setup_school(session, services, "basismodel_2019", slug=f"school-{i}")
              for i in range(min(schools, REAL_SCHOOLS))]
    if schools > len(setups):
        session.execute(insert(School), [{"name": f"School {i}", "slug": f"school-{i}", "variant": "basismodel_2019"}
                                         for i in range(len(setups), schools)])
    school_ids = [setup.school.id for setup in setups] + list(session.scalars(
        select(School.id).where(School.id.not_in([setup.school.id for setup in setups])).order_by(School.id)))
    now = services.now()
    case_rows, task_rows = [], []
    next_id = 1

    def flush():
        if case_rows:
            session.execute(insert(Case), case_rows)
        if task_rows:
            session.execute(insert(CaseTask), task_rows)
        case_rows.clear()
        task_rows.clear()

    for n in range(cases):
        school_id = school_ids[n % schools]
        setup = setups[n % schools % len(setups)]
        definition = setup.definitions["meldcode"]
        pupil = next(iter(setup.pupils.values()))
        is_open = (n // schools) % open_every == 0
        started = now - timedelta(days=1 + n % 700)
        case_rows.append({
            "id": next_id, "reference": f"B-{next_id}", "school_id": school_id, "pupil_id": pupil.id,
            "definition_id": definition.id, "process_version_id": definition.published_version_id,
            "status": "open" if is_open else "closed", "current_step": "Stap 2: consultatie" if is_open else "",
            "outcome": None if is_open else "Vermoeden ongegrond", "outcome_kind": None if is_open else "ongegrond",
            "started_at": started, "updated_at": started, "progressed_at": started,
            "closed_at": None if is_open else started + timedelta(days=20), "acute_raised_at": None, "lock_version": 0,
        })
        for k in range(1 if is_open else 2):
            task_rows.append({
                "case_id": next_id, "school_id": school_id, "spiff_task_id": str(uuid.uuid4()),
                "element_id": "Stap2_Consultatie" if is_open else f"Stap1_{k}", "name": "Stap 2: consultatie",
                "lane": "intern_begeleider", "form_key": "basismodel_2019/x",
                "status": "open" if is_open else "completed",
                "due_at": now + timedelta(days=(n % 3) * 5 - 3), "created_at": started,
                "completed_at": None if is_open else started + timedelta(days=3 + k),
            })
        next_id += 1
        if len(case_rows) >= chunk:
            flush()
    flush()
    session.commit()
    session.execute(text("ANALYZE"))
    session.commit()


def print_slowest(engine, request, count: int) -> None:
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append(((time.perf_counter() - conn.info.pop("bench_started")) * 1000, statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    total = sum(ms for ms, _ in statements)
    print(f"  one dashboard request: {len(statements)} statements, {total:.1f} ms in the database")
    for ms, statement in sorted(statements, reverse=True)[:count]:
        print(f"  {ms:7.1f} ms  {' '.join(statement.split())[:400]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--per-school", type=int, default=200, help="cases per school (schools = cases / this)")
    parser.add_argument("--open-every", type=int, default=5)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--slowest", type=int, default=0,
                        help="after timing, print the N slowest SQL statements of one dashboard request")
    args = parser.parse_args()
    schools = max(args.cases // args.per_school, 1)
    database = BenchDatabase(args.database_url)
    try:
        from tests.conftest import TEST_PASSWORD_HASH_PARAMETERS

        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": database.url,
                          "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH_PARAMETERS})
        with app.app_context():
            started = time.perf_counter()
            with get_database().session() as session:
                fill(session, get_services(), schools, args.cases, args.open_every)
            print(f"filled {args.cases} cases over {schools} schools in {time.perf_counter() - started:.1f} s")
        director = WebUser(app, "directeur@school-0.test")
        facts = machine_facts(database)
        print(f"{database.backend}: {args.cases} cases over {schools} schools, one open in {args.open_every}; "
              f"school-0 holds {args.cases // schools} ({facts['database']}; {facts['load_average']})")
        for label, path in (("dashboard", "/monitor"), ("process view", "/monitor/proces.json")):
            assert director.get(path).status_code == 200
            timings = []
            for _ in range(args.samples):
                t0 = time.perf_counter()
                response = director.get(path)
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
            print(f"  {label}: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")
        if args.slowest:
            with app.app_context():
                print_slowest(get_database().engine, lambda: director.get("/monitor"), args.slowest)
    finally:
        database.drop()


if __name__ == "__main__":
    main()
