"""The app serves its pages; demo data loads and is idempotent."""
from __future__ import annotations

from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.definitions.models import ProcessVersion
from webapp.schools.demo import load_demo


def test_home_sends_visitors_to_the_dutch_login_page(app):
    client = app.test_client()
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert 'lang="nl"' in response.text and "Inloggen" in response.text
    assert client.get("/gezondheid").json == {"status": "ok"}


def test_demo_data_loads_once(session, services):
    installed = load_demo(session, services)
    assert installed, "at least one demo school must have its variant installed"
    users = session.scalar(select(func.count()).select_from(User))
    versions = session.scalar(select(func.count()).select_from(ProcessVersion))
    load_demo(session, services)
    assert session.scalar(select(func.count()).select_from(User)) == users
    assert session.scalar(select(func.count()).select_from(ProcessVersion)) == versions


def test_worker_runs_in_a_fresh_process(app, database_url, tmp_path):
    """A process that only starts the worker must know every mapped class (regression)."""
    import os
    import subprocess
    import sys

    from webapp.config import PROJECT_ROOT

    result = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "worker", "--once"],
        env={**os.environ, "DATABASE_URL": database_url, "MELDROUTE_INSTANCE_PATH": str(tmp_path)},
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "0 timer(s) afgevuurd" in result.stdout
