"""`meldroute demo` (the README's run command) serves the app, runs the worker, and stops both."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def _wait_for_page(url: str, process: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def test_demo_serves_the_login_page_runs_the_worker_and_stops_both_on_sigterm(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "MELDROUTE_"))}
    env["MELDROUTE_INSTANCE_PATH"] = str(tmp_path)
    demo = subprocess.Popen(
        [sys.executable, "-m", "webapp.cli", "demo", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    children: list[int] = []
    try:
        page = _wait_for_page(f"http://127.0.0.1:{port}/inloggen", demo, timeout=120)
        assert "Inloggen" in page
        assert (tmp_path / "meldroute.db").exists()
        children = _children(demo.pid)
        assert len(children) == 2, "web server and timer worker"
        commands = [Path(f"/proc/{child}/cmdline").read_text().split("\0") for child in children]
        assert sorted(command[3] for command in commands) == ["serve", "worker"]

        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=30) is not None
        deadline = time.monotonic() + 15
        while any(_running(child) for child in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_running(child) for child in children), "server or worker outlived 'meldroute demo'"
        output = demo.stdout.read()
        assert f"http://127.0.0.1:{port}/" in output
        assert "Demogebruikers" in output
    finally:
        for pid in [demo.pid, *children]:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        demo.wait()
