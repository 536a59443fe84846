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


@main.command("figures")
@click.option("--school", "slug", required=True, help="De school (slug), bijvoorbeeld school-a.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Het kalenderjaar.")
@click.option("--format", "output_format", type=click.Choice(["csv", "pdf"]), default="csv", show_default=True)
@with_appcontext
def figures_command(slug: str, year: int, output_format: str) -> None:
    """Schrijf de jaarcijfers van een school (interne evaluatie, anoniem) naar standaarduitvoer."""
    from sqlalchemy import select

    from webapp.audit.actor import Actor, Channel
    from webapp.audit.log import record_audit
    from webapp.monitor.figures import (
        figures_csv,
        figures_pdf,
        figures_title,
        read_figures,
    )
    from webapp.schools.models import School

    services = get_services()
    with get_database().session() as session:
        school = session.scalar(select(School).where(School.slug == slug))
        if school is None:
            raise click.BadParameter(f"onbekende school: {slug}", param_hint="--school")
        figures = read_figures(session, [school], year, services.environment.calendar, suppressed=False)
        body = figures_csv(figures) if output_format == "csv" else figures_pdf(figures, figures_title([school], year))
        record_audit(session, "monitor.figures_download", actor=Actor(None, None, Channel.CLI), at=services.now(),
                     school_id=school.id, detail={"jaar": year, "formaat": output_format})
        session.commit()
    click.echo(body, nl=False)  # bytes go to the binary stdout unchanged (the PDF, the CSV's BOM)


@main.group("school")
def school_group() -> None:
    """Scholen beheren."""


@school_group.command("create")
@click.option("--bestuur", "board", default=None, help="naam van het schoolbestuur (wordt zo nodig aangemaakt)")
@click.option("--naam", "name", required=True, help="naam van de school")
@click.option("--kort", "slug", required=True, help="korte naam (in adressen en e-mailadressen)")
@click.option("--variant", required=True, help="de map in workflows/ met de meldcode van de school")
@with_appcontext
def school_create(board, name, slug, variant) -> None:
    """Maak een school aan en installeer de routes van haar meldcode als versie 1."""
    from webapp.schools.onboarding import OnboardingError, create_school

    with get_database().session() as session:
        try:
            school, routes = create_school(session, get_services(), board=board, name=name, slug=slug,
                                           variant=variant)
        except OnboardingError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"School '{school.name}' ({school.slug}) aangemaakt met: {', '.join(routes)}")


@main.group("user")
def user_group() -> None:
    """Gebruikers beheren."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--naam", "name", required=True)
@click.option("--school", "school_slug", required=True, help="korte naam van de school")
@click.option("--rol", "role", default="beheerder", show_default=True,
              type=click.Choice(["leerkracht", "intern_begeleider", "directeur", "bestuur",
                                 "beleidseigenaar", "beheerder"]))
@with_appcontext
def user_create(email, name, school_slug, role) -> None:
    """Maak een gebruiker aan (bijvoorbeeld de eerste beheerder). Het wachtwoord wordt gevraagd,
    nooit op de opdrachtregel meegegeven (dan staat het in de shell-geschiedenis)."""
    from webapp.roles import Role
    from webapp.schools.onboarding import OnboardingError, create_user

    password = click.prompt("Wachtwoord", hide_input=True, confirmation_prompt="Herhaal het wachtwoord")
    with get_database().session() as session:
        try:
            user = create_user(session, get_services(), email=email, name=name, school_slug=school_slug,
                               role=Role(role), password=password)
        except OnboardingError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Gebruiker {user.email} aangemaakt ({role}).")
