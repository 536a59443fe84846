"""How fast is the engine path? Measured through the web app's own code, with 10 000 open cases.

Run on demand (not part of the test suite):

    .venv/bin/python bench/engine.py                                   # SQLite in a temp dir
    .venv/bin/python bench/engine.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Each run creates its own database (a temp SQLite file, or a fresh PostgreSQL schema it drops
afterwards), fills it with `--cases` open cases, measures, stores the numbers in
`bench/results/<label>-<backend>.json` and regenerates the table in `bench/RESULTS.md`.
See bench/README.md.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    insert,
    select,
    text,
    update,
)
from werkzeug.datastructures import MultiDict

from bench.harness import BenchDatabase, machine_facts
from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.app import create_app
from webapp.audit.actor import Actor, Channel
from webapp.cases.lifecycle import start_case
from webapp.cases.locking import lock_case
from webapp.cases.models import (
    Case,
    CaseEvent,
    CaseState,
    CaseTask,
    CaseTimer,
    TaskStatus,
)
from webapp.cases.read_models import load_workflow
from webapp.clock import SCHOOL_TIMEZONE, MovableClock
from webapp.db import get_database
from webapp.definitions.spec_cache import compiled_process
from webapp.engine.timer_definitions import DeadlineDateTimer, DeadlineDurationTimer
from webapp.forms.submission import validate_submission, values_from_form_post
from webapp.schools.models import Pupil
from webapp.services import get_services

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
START = datetime(2026, 3, 2, 9, 0, tzinfo=SCHOOL_TIMEZONE)
FAST_HASHING = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}
SCHOOLS_PER_VARIANT = 4
BENCH_VARIANT = "basismodel_2019"  # the variant whose first task is completed over HTTP
LONGEST_VARIANT = "fedra_2019"  # the largest diagram; its longest scenario fills the state
FIRST_TASK_FORM = "basismodel_2019/stap1_signaleren"
FIRST_TASK_ANSWERS = {
    "datum_signalering": "2026-03-02", "situatie": "In de klas, tijdens rekenen",
    "bron_vermoeden": "zelf", "signalen": ["letsel"], "beschrijving": "Blauwe plek op de arm",
    "signalen_over_medewerker": "nee", "actie": "afronden",
}
TARGETS = {
    "complete_task_p50_ms": 20.0,
    "state_load_save_p50_ms": 5.0,
    "state_bytes": 64 * 1024,
    "overhead_ratio": 2.0,
}


# -- filling it ------------------------------------------------------------------------------


def create_schools(app) -> list:
    """Schools on every variant, each with one user per role (the demo accounts' roles)."""
    services = get_services(app)
    setups = []
    with get_database(app).session() as session:
        for variant in sorted(services.variants):
            for number in range(SCHOOLS_PER_VARIANT):
                setups.append(setup_school(session, services, variant, slug=f"{variant}-{number}"))
    return setups


def fill_open_cases(app, setups, total: int) -> None:
    """`total` open cases: one started through the engine per route, then cloned in bulk.

    Each clone gets its own case, pupil and school (spread over every school of its variant) and
    copies of the template's state, open tasks, waiting timers and timeline, as a real open case has.
    """
    services = get_services(app)
    database = get_database(app)
    templates = []
    with database.session() as session:
        for setup in setups[::SCHOOLS_PER_VARIANT]:
            for definition in setup.definitions.values():
                pupil = next(iter(setup.pupils.values()))
                case = start_case(session, services, Actor(None, channel=Channel.CLI), definition_id=definition.id,
                                  pupil_id=pupil.id)
                templates.append((setup.school.variant, definition.route_key, case.id))
        by_variant = {}
        for setup in setups:
            by_variant.setdefault(setup.school.variant, []).append(setup)
        now = services.now()
        per_template = max(total - len(templates), 0) // len(templates) + 1
        made = len(templates)
        for variant, route, template_id in templates:
            template = session.get(Case, template_id)
            state = session.get(CaseState, template_id).state
            tasks = session.scalars(select(CaseTask).where(CaseTask.case_id == template_id)).all()
            timers = session.scalars(select(CaseTimer).where(CaseTimer.case_id == template_id)).all()
            events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == template_id)).all()
            count = min(per_template, total - made)
            if count <= 0:
                continue
            schools = by_variant[variant]
            rows = []
            for n in range(count):
                setup = schools[n % len(schools)]
                rows.append((setup, n))
            pupil_ids = session.scalars(insert(Pupil).returning(Pupil.id, sort_by_parameter_order=True), [
                {"school_id": setup.school.id, "name": f"Leerling {variant} {route} {n}", "group_name": str(3 + n % 6),
                 "date_of_birth": date(2014 + n % 6, 1 + n % 12, 1 + n % 28), "created_at": now}
                for setup, n in rows
            ]).all()
            case_ids = session.scalars(insert(Case).returning(Case.id, sort_by_parameter_order=True), [
                {"reference": f"bench-{variant}-{route}-{n}", "school_id": setup.school.id, "pupil_id": pupil_id,
                 "definition_id": setup.definitions[route].id,
                 "process_version_id": setup.definitions[route].published_version_id,
                 "status": template.status, "current_step": template.current_step,
                 "started_by_id": setup.users[next(iter(setup.users))], "started_at": now, "updated_at": now,
                 "lock_version": 0}
                for (setup, n), pupil_id in zip(rows, pupil_ids, strict=True)
            ]).all()
            school_of = {case_id: setup.school.id for case_id, (setup, _) in zip(case_ids, rows, strict=True)}
            session.execute(insert(CaseState), [
                {"case_id": case_id, "school_id": school_of[case_id], "state": state, "updated_at": now}
                for case_id in case_ids
            ])
            session.execute(insert(CaseTask), [
                {"case_id": case_id, "school_id": school_of[case_id], "spiff_task_id": t.spiff_task_id,
                 "element_id": t.element_id, "name": t.name, "lane": t.lane, "form_key": t.form_key,
                 "status": t.status, "due_at": t.due_at, "created_at": now}
                for case_id in case_ids for t in tasks
            ])
            if timers:
                session.execute(insert(CaseTimer), [
                    {"case_id": case_id, "school_id": school_of[case_id], "spiff_task_id": t.spiff_task_id,
                     "element_id": t.element_id, "name": t.name, "fires_at": t.fires_at, "status": t.status, "created_at": now}
                    for case_id in case_ids for t in timers
                ])
            session.execute(insert(CaseEvent), [
                {"case_id": case_id, "school_id": school_of[case_id], "at": now, "kind": e.kind, "actor_id": e.actor_id,
                 "element_id": e.element_id, "title": e.title, "detail": e.detail}
                for case_id in case_ids for e in events
            ])
            made += count
        session.commit()
        session.execute(text("ANALYZE"))  # fresh planner statistics, as a long-running database has
        session.commit()


def count_open_cases(app) -> int:
    with get_database(app).session() as session:
        return session.scalar(select(func.count()).select_from(Case).where(Case.status == "open"))


# -- timing ----------------------------------------------------------------------------------


class Timings:
    """Wall-clock and CPU milliseconds per sample. CPU time is this process only (not the
    PostgreSQL server's), but it barely moves when other jobs share the machine."""

    def __init__(self):
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __len__(self) -> int:
        return len(self.wall)


def timed(samples: int, operation: Callable[[int], None], warmup: int = 3,
          between: Callable[[], None] | None = None) -> Timings:
    """Run `operation` warmup + samples times; `between` runs after each one, untimed."""
    for n in range(warmup):
        operation(-1 - n)
        if between:
            between()
    timings = Timings()
    gc.collect()
    for n in range(samples):
        started, started_cpu = time.perf_counter(), time.process_time()
        operation(n)
        timings.cpu.append((time.process_time() - started_cpu) * 1000)
        timings.wall.append((time.perf_counter() - started) * 1000)
        if between:
            between()
    return timings


def read_flashes(user: WebUser) -> Callable[[], None]:
    """What the page after the redirect does: take the flashed message out of the session.
    Without it every POST adds a message to the session cookie and later samples get slower."""
    def clear() -> None:
        with user.client.session_transaction() as session:
            session.pop("_flashes", None)
    return clear


def percentiles(timings: Timings) -> dict[str, float]:
    ordered = sorted(timings.wall)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
        "cpu_p50": round(statistics.median(timings.cpu), 2),
        "n": len(ordered),
    }


# -- what we measure -------------------------------------------------------------------------


def bench_http(app, setup, samples: int) -> dict:
    """Start a case and complete its first task, each one HTTP POST through the Flask app."""
    teacher = WebUser(app, f"leerkracht@{setup.school.slug}.test")
    token = teacher.csrf_token("/zaken/nieuw")
    definition_id = setup.definitions["meldcode"].id
    started_tasks = []

    def start(n: int) -> None:
        response = teacher.client.post("/zaken/nieuw", data={
            "naam": f"Bench Leerling {n}", "groep": "5", "geboortedatum": "2017-03-14",
            "route": str(definition_id), "csrf_token": token,
        })
        assert response.status_code == 303, response.text[:2000]
        found = re.search(r"/taken/(\d+)", response.headers["Location"])
        assert found, response.headers["Location"]
        started_tasks.append(int(found.group(1)))

    start_ms = timed(samples, start, between=read_flashes(teacher))
    pending = list(started_tasks)

    def complete(_n: int) -> None:
        task_id = pending.pop()
        response = teacher.client.post(f"/taken/{task_id}", data={**FIRST_TASK_ANSWERS, "csrf_token": token})
        assert response.status_code == 303, response.text[:2000]

    complete_ms = timed(min(samples, len(pending) - 3), complete, between=read_flashes(teacher))
    with get_database(app).session() as session:
        done = session.scalar(select(func.count()).select_from(CaseTask).where(
            CaseTask.id.in_(started_tasks), CaseTask.status == TaskStatus.COMPLETED))
    assert done == len(complete_ms) + 3, "not every timed completion was stored"
    return {"start_case": percentiles(start_ms), "complete_task": percentiles(complete_ms)}


def walk_longest_variant(app, setups) -> int:
    """The longest scenario of the largest diagram, through the case layer (as the tests do)."""
    from tests.workflows import test_fedra_2019 as fedra

    services = get_services(app)
    setup = next(s for s in setups if s.school.variant == LONGEST_VARIANT)
    database = get_database(app)
    with database.session() as session:
        scenario = fedra.scenario_direct_report_then_help_with_veilig_thuis(
            lambda: Scenario.start(session, services, database, setup))
    services.environment.clock.set(START)
    return scenario.case_id


def bench_state(app, case_id: int, samples: int) -> dict:
    """Load and save one case's workflow state the way every case change does."""
    services = get_services(app)
    database = get_database(app)

    def load_and_save(_n: int) -> None:
        with database.session() as session:
            case = lock_case(session, case_id)
            workflow = load_workflow(session, services, case)
            state = session.get(CaseState, case.id)
            state.state = workflow.dump()
            session.commit()

    durations = timed(samples, load_and_save)
    with database.session() as session:
        stored = session.get(CaseState, case_id).state
    return {"load_save": percentiles(durations), "state_bytes": len(stored.encode("utf-8"))}


def bench_floor(app, case_id: int, samples: int) -> dict:
    """SpiffWorkflow's own serializer and one plain row: what any app on this engine pays at least."""
    services = get_services(app)
    database = get_database(app)
    floor = Table("bench_floor_states", MetaData(), Column("id", Integer, primary_key=True),
                  Column("state", Text))
    floor.create(database.engine, checkfirst=True)
    serializer = stock_serializer()
    with database.session() as session:
        case = session.get(Case, case_id)
        walked = load_workflow(session, services, case).workflow
        basis = session.scalars(select(Case).where(Case.reference.like(f"bench-{BENCH_VARIANT}-meldcode-%"))).first()
        basis_compiled = compiled_process(basis.process_version)
    walked_state = serializer.serialize_json(walked)
    with database.engine.begin() as connection:
        connection.execute(insert(floor), [{"id": 1, "state": walked_state}])

    def load_and_save(_n: int) -> None:
        with database.engine.begin() as connection:
            stored = connection.execute(select(floor.c.state).where(floor.c.id == 1).with_for_update()).scalar_one()
            workflow = serializer.deserialize_json(stored)
            connection.execute(update(floor).where(floor.c.id == 1).values(state=serializer.serialize_json(workflow)))

    next_id = iter(range(1000, 10**9))
    started_ids = []

    def start(_n: int) -> None:
        workflow = BpmnWorkflow(basis_compiled.spec, basis_compiled.subprocess_specs)
        workflow.task_tree.data["leerling_geboortedatum"] = "2017-03-14"
        workflow.script_engine = services.environment.script_engine()
        workflow.do_engine_steps()
        row_id = next(next_id)
        with database.engine.begin() as connection:
            connection.execute(insert(floor).values(id=row_id, state=serializer.serialize_json(workflow)))
        started_ids.append(row_id)

    # The data the engine gets in our path: the form post, validated and converted.
    form = services.forms.get(FIRST_TASK_FORM)
    answers = validate_submission(form, values_from_form_post(form, MultiDict(FIRST_TASK_ANSWERS)),
                                  (), services.environment.deadlines).data

    def complete(_n: int) -> None:
        row_id = started_ids.pop()
        with database.engine.begin() as connection:
            stored = connection.execute(select(floor.c.state).where(floor.c.id == row_id).with_for_update()).scalar_one()
            workflow = serializer.deserialize_json(stored)
            workflow.script_engine = services.environment.script_engine()
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data.update(answers)
            task.run()
            workflow.do_engine_steps()
            connection.execute(update(floor).where(floor.c.id == row_id).values(state=serializer.serialize_json(workflow)))

    start_ms = timed(samples, start)
    complete_ms = timed(min(samples, len(started_ids) - 3), complete)
    return {
        "load_save": percentiles(timed(samples, load_and_save)),
        "state_bytes": len(walked_state.encode("utf-8")),
        "start_case": percentiles(start_ms),
        "complete_task": percentiles(complete_ms),
    }


def stock_serializer() -> BpmnWorkflowSerializer:
    """SpiffWorkflow's default serializer (spec embedded in every state), plus the converters any
    app needs for its own timer classes — Meldroute's deadlines — and nothing else."""
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure({
        **DEFAULT_CONFIG,
        DeadlineDateTimer: TimerConditionalEventDefinitionConverter,
        DeadlineDurationTimer: TimerConditionalEventDefinitionConverter,
    }))


# -- reporting -------------------------------------------------------------------------------


def _cell(numbers: dict) -> str:
    cpu = f" [{numbers['cpu_p50']}]" if "cpu_p50" in numbers else ""
    return f"{numbers['p50']} / {numbers['p95']}{cpu}"


def _floor_cell(numbers: dict) -> str:
    return f"{numbers['p50']}" + (f" [{numbers['cpu_p50']}]" if "cpu_p50" in numbers else "")


def _ratio(overhead: dict, key: str) -> str:
    cpu = f" [{overhead[key + '_cpu']}×]" if key + "_cpu" in overhead else ""
    return f"{overhead[key]}×{cpu}"


def render_results() -> str:
    runs = [json.loads(p.read_text()) for p in sorted(RESULTS_DIR.glob("*.json"))]
    order = {"before": 0, "after": 1}
    runs.sort(key=lambda r: (r["backend"], order.get(r["label"], 2), r["label"]))
    header = (
        "| backend | run | open cases | start case p50 / p95 [cpu p50] (ms) "
        "| complete task p50 / p95 [cpu p50] (ms) | state load+save p50 / p95 [cpu p50] (ms) "
        "| stored state (bytes) | floor: start / complete / load+save p50 [cpu p50] (ms) "
        "| floor state (bytes) | overhead complete / load+save, wall [cpu] |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        ours, floor, overhead = run["ours"], run["floor"], run["overhead"]
        lines.append(
            f"| {run['backend']} | {run['label']} | {run['open_cases']} "
            f"| {_cell(ours['start_case'])} | {_cell(ours['complete_task'])} | {_cell(ours['load_save'])} "
            f"| {ours['state_bytes']} "
            f"| {_floor_cell(floor['start_case'])} / {_floor_cell(floor['complete_task'])} / "
            f"{_floor_cell(floor['load_save'])} | {floor['state_bytes']} "
            f"| {_ratio(overhead, 'complete_task')} / {_ratio(overhead, 'load_save')} |"
        )
    lines += ["", "Machine and load for each run:", ""]
    for run in runs:
        facts = run["machine"]
        lines.append(
            f"- **{run['backend']} / {run['label']}** ({facts['date']}, commit {facts['git_commit']}): "
            f"{facts['cpu']} × {facts['cpu_count']}, Python {facts['python']}, {facts['database']}, "
            f"SpiffWorkflow {facts['spiffworkflow']}, SQLAlchemy {facts['sqlalchemy']}; "
            f"{run['samples']} samples; load: `{facts['load_average']}`"
        )
    return "\n".join(lines)


def write_results_file() -> None:
    begin, end = "<!-- results:begin (generated by bench/engine.py) -->", "<!-- results:end -->"
    current = RESULTS_FILE.read_text() if RESULTS_FILE.exists() else f"# Engine benchmark results\n\n{begin}\n{end}\n"
    if begin not in current:
        current += f"\n{begin}\n{end}\n"
    head, rest = current.split(begin, 1)
    tail = rest.split(end, 1)[1]
    RESULTS_FILE.write_text(f"{head}{begin}\n{render_results()}\n{end}{tail}")


def print_run(run: dict) -> None:
    ours, floor = run["ours"], run["floor"]
    print(f"\n{run['backend']} / {run['label']}: {run['open_cases']} open cases, {run['samples']} samples")
    print(f"{'operation (ms)':28} {'ours p50':>9} {'ours p95':>9} {'ours cpu':>9} "
          f"{'floor p50':>10} {'floor p95':>10} {'floor cpu':>10}")
    for key, label in (("start_case", "start case (HTTP POST)"), ("complete_task", "complete task (HTTP POST)"),
                       ("load_save", "state load+save")):
        print(f"{label:28} {ours[key]['p50']:9.2f} {ours[key]['p95']:9.2f} {ours[key]['cpu_p50']:9.2f} "
              f"{floor[key]['p50']:10.2f} {floor[key]['p95']:10.2f} {floor[key]['cpu_p50']:10.2f}")
    print(f"{'stored state (bytes)':28} {ours['state_bytes']:9d} {'':9} {floor['state_bytes']:10d}")
    overhead = run["overhead"]
    print(f"overhead over the floor (wall, cpu): complete task {overhead['complete_task']}× "
          f"{overhead['complete_task_cpu']}×, load+save {overhead['load_save']}× {overhead['load_save_cpu']}×")
    print(f"load: {run['machine']['load_average']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (a schema is created and dropped); default: SQLite")
    parser.add_argument("--cases", type=int, default=10_000, help="open cases in the database (default 10000)")
    parser.add_argument("--samples", type=int, default=200, help="timed repetitions per operation")
    parser.add_argument("--label", default="after", help="name of this run in RESULTS.md (e.g. before, after)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--profile", choices=["complete_task", "start_case", "load_save"],
                        help="instead of measuring, profile this operation with pyinstrument")
    args = parser.parse_args(argv)

    database = BenchDatabase(args.database_url)
    try:
        clock = MovableClock(START)
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": database.url,
                          "CLOCK": clock, "PASSWORD_HASH_PARAMETERS": FAST_HASHING})
        filling = time.perf_counter()
        setups = create_schools(app)
        fill_open_cases(app, setups, args.cases)
        open_cases = count_open_cases(app)
        print(f"{database.backend}: {open_cases} open cases in {time.perf_counter() - filling:.1f} s", flush=True)
        bench_setup = next(s for s in setups if s.school.variant == BENCH_VARIANT)
        if args.profile:
            return profile(app, bench_setup, args.profile, args.samples)
        ours = bench_http(app, bench_setup, args.samples)
        walked_case = walk_longest_variant(app, setups)
        ours.update(bench_state(app, walked_case, args.samples))
        floor = bench_floor(app, walked_case, args.samples)
        get_database(app).dispose()
        run = {
            "backend": database.backend, "label": args.label, "open_cases": open_cases,
            "samples": args.samples, "ours": ours, "floor": floor,
            "overhead": {
                **{key: round(ours[key]["p50"] / floor[key]["p50"], 2) for key in ("complete_task", "load_save")},
                **{f"{key}_cpu": round(ours[key]["cpu_p50"] / floor[key]["cpu_p50"], 2)
                   for key in ("complete_task", "load_save")},
            },
            "targets": TARGETS,
            "machine": machine_facts(database),
        }
        print_run(run)
        if not args.no_write:
            RESULTS_DIR.mkdir(exist_ok=True)
            (RESULTS_DIR / f"{args.label}-{database.backend}.json").write_text(json.dumps(run, indent=2) + "\n")
            write_results_file()
            print(f"written to {RESULTS_FILE.relative_to(ROOT)}")
        return 0
    finally:
        database.drop()


def profile(app, setup, operation: str, samples: int) -> int:
    """Profile one operation (pyinstrument, from the `bench` extra) over `samples` repetitions."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    if operation in ("start_case", "complete_task"):
        teacher = WebUser(app, f"leerkracht@{setup.school.slug}.test")
        token = teacher.csrf_token("/zaken/nieuw")
        task_ids = []
        if operation == "start_case":
            profiler.start()
        for n in range(samples):
            response = teacher.client.post("/zaken/nieuw", data={
                "naam": f"Profiel Leerling {n}", "groep": "5", "geboortedatum": "2017-03-14",
                "route": str(setup.definitions["meldcode"].id), "csrf_token": token})
            read_flashes(teacher)()
            task_ids.append(int(re.search(r"/taken/(\d+)", response.headers["Location"]).group(1)))
        if operation == "complete_task":
            profiler.start()
            for task_id in task_ids:
                teacher.client.post(f"/taken/{task_id}", data={**FIRST_TASK_ANSWERS, "csrf_token": token})
                read_flashes(teacher)()
    else:
        case_id = walk_longest_variant(app, [setup] if setup.school.variant == LONGEST_VARIANT else
                                       create_schools_for(app, LONGEST_VARIANT))
        profiler.start()
        bench_state(app, case_id, samples)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("BENCH_PROFILE_ALL") == "1"))
    return 0


def create_schools_for(app, variant: str) -> list:
    services = get_services(app)
    with get_database(app).session() as session:
        return [setup_school(session, services, variant, slug=f"profiel-{variant}")]


if __name__ == "__main__":
    sys.exit(main())
