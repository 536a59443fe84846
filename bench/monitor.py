"""Server time of the monitor's dashboard and process view with many stored cases (mostly closed,
over many schools), at two sizes side by side.

    .venv/bin/python bench/monitor.py                                   # SQLite: 10k and 1M
    .venv/bin/python bench/monitor.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/monitor.py --sizes 2000,20000 --rounds 2     # a quick look
    .venv/bin/python bench/monitor.py --sizes 10000 --explain           # the plans of every query

For each size a fresh database: cases / `--per-school` schools (so one school's size stays the
same whatever the total), the cases spread evenly over them, every `--open-every`-th open (one
open task each, a third of those overdue) and the rest closed (two completed tasks each; in a
tenth of them the second is a melding); index
rows only, inserted in bulk, then ANALYZE. Then one school's director asks for the dashboard
(`/monitor`) and the process view's data (`/monitor/proces.json`, what the viewer fetches; the
page around it is a small template) through the Flask test client, i.e. server time without the
network. The sizes take turns, round after round (ABBA order), so a change of load on this shared
machine falls on both sizes alike; p50 and p95 of the wall time and the CPU p50 per request, in ms,
and the ratio of the largest size to the smallest. `--explain` prints the plan of every SELECT
of one request of each page per size (PostgreSQL: EXPLAIN ANALYZE; SQLite: EXPLAIN QUERY PLAN).
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
PAGES = (("dashboard", "/monitor"), ("process view", "/monitor/proces.json"))

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
            melding = not is_open and k == 1 and n % 10 == 0  # a tenth of the closed cases made a melding
            task_rows.append({
                "case_id": next_id, "school_id": school_id, "spiff_task_id": str(uuid.uuid4()),
                "element_id": "Stap2_Consultatie" if is_open else ("Stap5b_Melden" if melding else f"Stap1_{k}"),
                "name": "Stap 2: consultatie", "melding": melding,
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


def capture_statements(engine, request) -> list[tuple[float, str, object]]:
    """The SQL statements one request runs: (ms, statement, parameters)."""
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append(((time.perf_counter() - conn.info.pop("bench_started")) * 1000, statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return statements


def print_slowest(engine, request, count: int) -> None:
    statements = capture_statements(engine, request)
    total = sum(ms for ms, _, _ in statements)
    print(f"  one dashboard request: {len(statements)} statements, {total:.1f} ms in the database")
    for ms, statement, _ in sorted(statements, key=lambda s: s[0], reverse=True)[:count]:
        print(f"  {ms:7.1f} ms  {' '.join(statement.split())[:400]}")


def print_plans(engine, backend: str, label: str, request) -> None:
    """The plan of every SELECT the request runs, with its own parameters."""
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if backend == "postgresql" else "EXPLAIN QUERY PLAN "
    selects = [(ms, st, params) for ms, st, params in capture_statements(engine, request)
               if st.lstrip().upper().startswith(("SELECT", "WITH"))]
    print(f"  -- {label}: {len(selects)} SELECT statements")
    with engine.connect() as connection:
        for ms, statement, parameters in selects:
            print(f"  [{ms:.1f} ms] {' '.join(statement.split())[:300]}")
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            for row in rows:
                print("      " + (row[0] if backend == "postgresql" else " ".join(str(v) for v in row[1:])))
            connection.rollback()


class Size:
    """One database of `cases` cases and its director's client."""

    def __init__(self, args, cases: int):
        self.cases = cases
        self.schools = max(cases // args.per_school, 1)
        self.database = BenchDatabase(args.database_url)
        from tests.conftest import TEST_PASSWORD_HASH_PARAMETERS

        self.app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": self.database.url,
                               "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH_PARAMETERS})
        with self.app.app_context():
            started = time.perf_counter()
            with get_database().session() as session:
                fill(session, get_services(), self.schools, cases, args.open_every)
            print(f"filled {cases} cases over {self.schools} schools in {time.perf_counter() - started:.1f} s",
                  flush=True)
        self.director = WebUser(self.app, "directeur@school-0.test")
        self.wall = {label: [] for label, _ in PAGES}
        self.cpu = {label: [] for label, _ in PAGES}
        for _, path in PAGES:  # warm: caches, compiled diagram, connection pool
            assert self.director.get(path).status_code == 200

    def measure(self, samples: int) -> None:
        for label, path in PAGES:
            for _ in range(samples):
                wall, cpu = time.perf_counter(), time.process_time()
                response = self.director.get(path)
                self.cpu[label].append((time.process_time() - cpu) * 1000)
                self.wall[label].append((time.perf_counter() - wall) * 1000)
                assert response.status_code == 200


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--sizes", default="10000,1000000", help="stored cases per database, comma-separated")
    parser.add_argument("--per-school", type=int, default=200, help="cases per school (schools = cases / this)")
    parser.add_argument("--open-every", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=6, help="rounds; each measures every size in turn")
    parser.add_argument("--samples", type=int, default=5, help="requests per page, size and round")
    parser.add_argument("--explain", action="store_true", help="print the plan of every SELECT of each page")
    parser.add_argument("--slowest", type=int, default=0,
                        help="print the N slowest SQL statements of one dashboard request per size")
    args = parser.parse_args()
    sizes: list[Size] = []
    try:
        for cases in sorted(int(n) for n in args.sizes.split(",")):
            sizes.append(Size(args, cases))
        facts = machine_facts(sizes[0].database)
        print(f"{sizes[0].database.backend} ({facts['database']}); one open in {args.open_every}; school-0 holds "
              f"{args.per_school} cases; {args.rounds} rounds x {args.samples} requests per page and size")
        print(f"before: {facts['load_average']}", flush=True)
        for round_number in range(args.rounds):
            for size in (sizes if round_number % 2 == 0 else reversed(sizes)):
                size.measure(args.samples)
        print(f"after:  {machine_facts(sizes[0].database)['load_average']}")
        for label, _ in PAGES:
            base = statistics.median(sizes[0].wall[label])
            for size in sizes:
                wall = size.wall[label]
                print(f"  {label:12} {size.cases:>9} cases ({size.schools} schools): p50 {statistics.median(wall):6.1f} ms, "
                      f"p95 {p95(wall):6.1f} ms, CPU p50 {statistics.median(size.cpu[label]):6.1f} ms"
                      + (f", {statistics.median(wall) / base:.2f}x of {sizes[0].cases}" if size is not sizes[0] else ""))
        for size in sizes:
            with size.app.app_context():
                engine = get_database().engine
                if args.slowest:
                    print(f"{size.cases} cases:")
                    print_slowest(engine, lambda: size.director.get("/monitor"), args.slowest)
                if args.explain:
                    print(f"plans at {size.cases} cases:")
                    for label, path in PAGES:
                        print_plans(engine, size.database.backend, label, lambda path=path: size.director.get(path))
    finally:
        for size in sizes:
            size.database.drop()


if __name__ == "__main__":
    main()
