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
from webapp.definitions.service import VariantFileRejected
from webapp.forms.definition import FormDefinitionError
from webapp.schools.variants import VariantError
from webapp.services import get_services


class MeldrouteGroup(FlaskGroup):
    """Our commands; a variant folder, form or diagram that does not load is reported by file,
    element and problem, without a traceback, and the command stops with exit code 1 (whatever
    it was storing is rolled back with its session)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except VariantFileRejected as rejected:
            for line in rejected.report_lines():
                click.echo(line, err=True)
        except (VariantError, FormDefinitionError) as error:
            click.echo(f"ERROR: {error}", err=True)
        click.echo("Niets geladen: verbeter het bestand en probeer het opnieuw.", err=True)
        ctx.exit(1)


@click.group(cls=MeldrouteGroup, create_app=create_app, set_debug_flag=False)
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


@main.group("diagram")
def diagram() -> None:
    """Diagrammen van een school of bestuur publiceren, hun versies tonen en exporteren (voor beheerders)."""


def _owner(session, school_slug: str | None, board_name: str | None):
    """The school (--school SLUG) or board (--bestuur NAAM) a diagram command is about: its label,
    the condition on its routes, and the columns a new route of it gets."""
    from sqlalchemy import select

    from webapp.definitions.models import ProcessDefinition
    from webapp.schools.models import Board, School

    if bool(school_slug) == bool(board_name):
        raise click.UsageError("geef --school of --bestuur (één van beide)")
    if school_slug:
        school = session.scalar(select(School).where(School.slug == school_slug))
        if school is None:
            raise click.ClickException(f"school '{school_slug}' bestaat niet")
        return f"school '{school_slug}'", ProcessDefinition.school_id == school.id, {"school_id": school.id}
    board = session.scalar(select(Board).where(Board.name == board_name))
    if board is None:
        raise click.ClickException(f"bestuur '{board_name}' bestaat niet")
    return f"bestuur '{board_name}'", ProcessDefinition.board_id == board.id, {"board_id": board.id}


def _definition(session, owner, route_key: str, *, create_for_board: bool = False):
    """The owner's route; a board's is made on first publish, named as its schools' route of that key."""
    from sqlalchemy import select

    from webapp.definitions.models import ProcessDefinition
    from webapp.schools.models import School

    label, of_owner, columns = owner
    definition = session.scalar(select(ProcessDefinition).where(of_owner, ProcessDefinition.route_key == route_key))
    if definition is None and create_for_board and "board_id" in columns:
        name = session.scalar(select(ProcessDefinition.name).where(
            ProcessDefinition.route_key == route_key,
            ProcessDefinition.school_id.in_(select(School.id).where(School.board_id == columns["board_id"]))))
        if name is not None:
            definition = ProcessDefinition(route_key=route_key, name=name, **columns)
            session.add(definition)
            session.flush()
    if definition is None:
        raise click.ClickException(f"{label} heeft geen route '{route_key}'")
    return definition


_SCHOOL = click.option("--school", "school_slug", default=None, help="slug van de school")
_BOARD = click.option("--bestuur", "board_name", default=None,
                      help="naam van het bestuur: de route van het bestuur, in plaats van --school")


@diagram.command("publish")
@_SCHOOL
@_BOARD
@click.option("--route", "route_key", required=True, help="sleutel van de route (bijv. meldcode)")
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="map met de formulieren (standaard: de formulieren van deze installatie)")
@click.option("--note", required=True, help="wijzigingsnotitie: wat verandert er")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@with_appcontext
def diagram_publish(school_slug: str | None, board_name: str | None, route_key: str, forms_dir: Path | None,
                    note: str, file: Path) -> None:
    """Publiceer FILE als nieuwe versie van een route; ongeldig: niets opgeslagen, exitcode 1.

    Met --bestuur: de route van het bestuur (gemaakt bij de eerste publicatie, als een school van het
    bestuur een route met die sleutel heeft); die geldt op elke school van het bestuur zonder eigen
    route met die sleutel."""
    from webapp.audit.actor import Actor, Channel
    from webapp.engine import DiagramRejected
    from webapp.forms.catalog import FormCatalog
    from webapp.forms.definition import FormDefinitionError
    from webapp.modeler.drafts import PublishRefused, publish_file

    services = get_services()
    try:
        forms = FormCatalog.from_directory(forms_dir) if forms_dir else services.forms
    except FormDefinitionError as exc:
        click.echo(f"{forms_dir}: ERROR: {exc}", err=True)
        sys.exit(1)
    with get_database().session() as session:
        definition = _definition(session, _owner(session, school_slug, board_name), route_key,
                                 create_for_board=True)
        try:
            version = publish_file(session, forms, Actor(None, None, Channel.CLI), definition=definition,
                                   bpmn=file.read_bytes(), filename=file.name, note=note, now=services.now())
        except DiagramRejected as rejected:
            for problem in rejected.problems:
                click.echo(problem.format(str(file)), err=True)
            sys.exit(1)
        except PublishRefused as refused:
            click.echo(f"{file}: ERROR: {refused.message}", err=True)
            sys.exit(1)
        for warning in version_warnings(version):
            click.echo(warning.format(str(file)))
        click.echo(f"{school_slug or board_name}/{route_key}: versie {version.number} gepubliceerd")


def version_warnings(version):
    from webapp.definitions.spec_cache import compiled_process

    return compiled_process(version).warnings


@diagram.command("versions")
@_SCHOOL
@_BOARD
@with_appcontext
def diagram_versions(school_slug: str | None, board_name: str | None) -> None:
    """Toon per route de versies: nummer, wie, wanneer, notitie; * = gepubliceerd."""
    from sqlalchemy import select

    from webapp.definitions.models import ProcessDefinition

    with get_database().session() as session:
        _label, of_owner, _columns = _owner(session, school_slug, board_name)
        for definition in session.scalars(select(ProcessDefinition).where(of_owner)
                                          .order_by(ProcessDefinition.route_key)):
            click.echo(f"{definition.route_key} ({definition.name})")
            for version in definition.versions:
                mark = "*" if version.id == definition.published_version_id else " "
                who = version.created_by.display_name if version.created_by else "beheer (opdrachtregel)"
                click.echo(f"  {mark} v{version.number}  {version.created_at:%Y-%m-%d %H:%M}  {who}  "
                           f"{version.comment or ''}")


@diagram.command("export")
@_SCHOOL
@_BOARD
@click.option("--route", "route_key", required=True)
@click.option("--version", "number", required=True, type=int)
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, path_type=Path),
              help="schrijf ook de formulieren van deze versie in deze map")
@with_appcontext
def diagram_export(school_slug: str | None, board_name: str | None, route_key: str, number: int,
                   forms_dir: Path | None) -> None:
    """Schrijf de BPMN van een versie naar stdout (en met --forms haar formulieren naar een map)."""
    from webapp.audit.actor import Actor, Channel
    from webapp.modeler.drafts import export_version

    services = get_services()
    with get_database().session() as session:
        definition = _definition(session, _owner(session, school_slug, board_name), route_key)
        version = next((v for v in definition.versions if v.number == number), None)
        if version is None:
            raise click.ClickException(f"route '{route_key}' heeft geen versie {number}")
        export = export_version(session, Actor(None, None, Channel.CLI), version, services.now())
    if forms_dir:
        for key, text in export.forms.items():
            target = forms_dir / f"{key}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    click.echo(export.bpmn_xml, nl=False)


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
    from webapp.school_calendar.service import school_calendars
    from webapp.schools.models import School

    services = get_services()
    with get_database().session() as session:
        school = session.scalar(select(School).where(School.slug == slug))
        if school is None:
            raise click.BadParameter(f"onbekende school: {slug}", param_hint="--school")
        figures = read_figures(session, [school], year,
                               school_calendars(session, [school.id], services.environment.calendar), suppressed=False)
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
