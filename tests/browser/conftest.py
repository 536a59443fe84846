"""What every browser test needs: the real app served on 127.0.0.1, Debian's Chromium, screenshots.

The app runs in a thread (werkzeug server) on the test's fresh database with the demo data.
Playwright's own browser download cannot work on these machines, so a missing Chromium fails the
test (with how to install it) instead of skipping it.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from webapp.schools.demo import DEMO_PASSWORD, load_demo
from webapp.web import load_diagram_assets

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

__all__ = ["DEMO_PASSWORD", "SCREENSHOTS", "is_problem", "log_in", "screenshot", "serving"]


@contextmanager
def serving(app) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 while the block runs; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app, session, services) -> Iterator[str]:
    """The app with the demo schools and users."""
    load_demo(session, services)
    with serving(app) as base_url:
        yield base_url


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium ontbreekt ({CHROMIUM}). Installeer het Debian-pakket: "
                    "sudo apt-get install chromium (python3 scripts/dev.py test doet dit als root).")
    if load_diagram_assets(ROOT / "webapp" / "static") is None:
        pytest.fail("De diagramweergave is niet gebouwd: draai `npm ci --include=dev && npm run build`.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def is_problem(console_message) -> bool:
    return console_message.type == "error"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
