"""One timer worker as its own OS process, on the test's moved clock (used by the load tests).

    python -m tests.worker.worker_process DATABASE_URL NOW_ISO

Runs the real `run_once` against the database and prints how many timers it fired and how many
seconds the run took (without the process's start-up).
"""
from __future__ import annotations

import sys
import time
from datetime import datetime

from webapp.app import create_app
from webapp.clock import MovableClock
from webapp.db import get_database
from webapp.services import get_services
from webapp.worker.timer_firing import run_once


def main(database_url: str, now_iso: str) -> None:
    app = create_app({"DATABASE_URL": database_url, "CLOCK": MovableClock(datetime.fromisoformat(now_iso)),
                      "SECRET_KEY": "worker-process"})
    started = time.perf_counter()
    fired = run_once(get_database(app), get_services(app), batch_size=50)
    print(fired, f"{time.perf_counter() - started:.3f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
