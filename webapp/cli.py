"""The `meldroute` command: database, demo data, web server, timer worker, diagram checks."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from webapp.app import create_app
from webapp.config import PROJECT_ROOT
from webapp.db import get_database
from webapp.services import get_services


@click.group(cls=FlaskGroup, create_app=create_app, set_debug_flag=False)
def main() -> None:
    """Meldroute: de meldcode als uitvoerbaar proces voor scholen."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # SpiffWorkflow logs every task state change at INFO: far too much for operators.
    # Alembic announces each of its plugins at INFO; the migrations it runs stay visible.
    for name in ("spiff", "spiff.task", "spiff.workflow", "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(logging.WARNING)


@main.command("init-db")
@with_appcontext
def init_db() -> None:
    """Maak of actualiseer de database (Alembic-migraties)."""
    from webapp.migrations import upgrade_database

    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("Database is bijgewerkt.")


@main.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Laad demoscholen, demogebruikers voor elke rol en de meldcodes uit workflows/."""
    from webapp.schools.demo import DEMO_PASSWORD, load_demo

    with get_database().session() as session:
        installed = load_demo(session, get_services())
    for school, logins in installed:
        click.echo(f"{school}: {', '.join(logins)}")
    click.echo(f"Wachtwoord voor alle demogebruikers: {DEMO_PASSWORD}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int, threads: int) -> None:
    """Start de webserver (waitress)."""
    from waitress import serve as waitress_serve

    click.echo(f"Meldroute draait op http://{host}:{port}/")
    waitress_serve(current_app._get_current_object(), host=host, port=port, threads=threads)


@main.command("worker")
@click.option("--once", is_flag=True, help="Vuur één keer alle verlopen timers af, verstuur herinneringen en mail, en stop.")
@with_appcontext
def worker(once: bool) -> None:
    """Start de timerworker: termijnen afvuren, herinneren, escaleren, mail versturen."""
    from webapp.worker.cycle import WorkerSettings, run_cycle, run_forever

    database, services = get_database(), get_services()
    settings = WorkerSettings.from_config(current_app.config)
    if once:
        result = run_cycle(database, services, settings, until_done=True)
        click.echo(f"{result.timers_fired} timer(s) afgevuurd, {result.notices_sent} herinnering(en)/escalatie(s), "
                   f"{result.mails_sent} mail(s) verstuurd, {result.mails_failed} mislukt, "
                   f"{result.destroyed} vernietiging(en) volgens bewaartermijn")
        return
    run_forever(database, services, settings)


@main.command("check-bpmn")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=Path))
def check_bpmn(files: tuple[Path, ...]) -> None:
    """Controleer BPMN-bestanden precies zoals een import dat doet.

    Per bestand: `FILE: OK`, of per probleem `FILE: ERROR [element-id] line N: melding`.
    """
    from webapp.diagrams.checking import check_files

    forms_dir = Path(os.environ.get("MELDROUTE_FORMS_DIR", PROJECT_ROOT / "forms"))
    lines, failed = check_files(files, forms_dir)
    for line in lines:
        click.echo(line)
    sys.exit(1 if failed else 0)


@main.command("layout-bpmn", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def layout_bpmn_command(args: tuple[str, ...]) -> None:
    """Geef BPMN-bestanden een automatische, leesbare opmaak (banen, geen overlap); --check controleert alleen."""
    from webapp.diagrams.layout import main as layout_main

    sys.exit(layout_main(list(args)))


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def demo(host: str, port: int) -> None:
    """Database bijwerken, demodata laden, dan webserver én timerworker starten."""
    from webapp.migrations import upgrade_database
    from webapp.schools.demo import DEMO_PASSWORD, load_demo

    upgrade_database(current_app.config["DATABASE_URL"])
    with get_database().session() as session:
        installed = load_demo(session, get_services())
    executable = [sys.executable, "-m", "webapp.cli"]
    # The demo never mails real people: mail stays in the outbox, readable in the app.
    env = {**os.environ, "MELDROUTE_MAIL_SERVER": ""}
    worker_process = subprocess.Popen([*executable, "worker"], env=env)
    server = subprocess.Popen([*executable, "serve", "--host", host, "--port", str(port)], env=env)
    click.echo("")
    click.echo(f"  Meldroute draait op  http://{host}:{port}/")
    click.echo(f"  Database:            {current_app.config['DATABASE_URL']}")
    click.echo(f"  Demogebruikers (wachtwoord voor allemaal: {DEMO_PASSWORD}):")
    for school, logins in installed:
        click.echo(f"    {school}: {', '.join(logins)}")
    click.echo("  Mail wordt niet verstuurd: lees hem in de app onder Meldingen → Uitgaande mail.")
    click.echo("  Stoppen: Ctrl-C")
    click.echo("")
    # A service manager stops with SIGTERM: the children must stop with us, not linger.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while server.poll() is None and worker_process.poll() is None:
            try:
                server.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        pass
    finally:
        for process in (server, worker_process):
            if process.poll() is None:
                process.terminate()
        for process in (server, worker_process):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
