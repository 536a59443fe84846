"""What every benchmark needs: a throw-away database, and the facts of the machine it ran on."""
from __future__ import annotations

import os
import platform
import re
import subprocess
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from webapp.migrations import upgrade_database

ROOT = Path(__file__).resolve().parent.parent


class BenchDatabase:
    """A database of our own: a temp SQLite file, or a fresh PostgreSQL schema dropped at the end."""

    def __init__(self, url: str | None):
        self.backend = "postgresql" if url and url.startswith("postgres") else "sqlite"
        self._admin = None
        self._schema = None
        if self.backend == "sqlite":
            self._tmp = tempfile.TemporaryDirectory(prefix="meldroute-bench-")
            self.url = f"sqlite:///{self._tmp.name}/bench.db"
        else:
            base = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)
            self._schema = f"meldroute_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            self._admin = create_engine(base)
            with self._admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{self._schema}"'))
            separator = "&" if "?" in base else "?"
            self.url = f"{base}{separator}options=-csearch_path%3D{self._schema}"
        upgrade_database(self.url)

    def server_version(self) -> str:
        engine = create_engine(self.url)
        with engine.connect() as connection:
            if self.backend == "sqlite":
                version = "SQLite " + connection.execute(text("select sqlite_version()")).scalar()
            else:
                version = connection.execute(text("show server_version")).scalar()
                version = "PostgreSQL " + version.split()[0]
        engine.dispose()
        return version

    def drop(self) -> None:
        if self._admin is not None:
            with self._admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{self._schema}" CASCADE'))
            self._admin.dispose()
        else:
            self._tmp.cleanup()


def machine_facts(database: BenchDatabase) -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import SpiffWorkflow
    import sqlalchemy

    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu, "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "database": database.server_version(),
        "spiffworkflow": getattr(SpiffWorkflow, "__version__", "3.2.0"),
        "sqlalchemy": sqlalchemy.__version__,
        "load_average": subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip(),
        "git_commit": subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True, check=False).stdout.strip(),
    }
