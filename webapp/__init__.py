"""Meldroute: the meldcode huiselijk geweld en kindermishandeling as executable BPMN for schools."""
from __future__ import annotations

import os
from datetime import datetime, time
from pathlib import Path

from flask import Flask

from webapp import db
from webapp import models as _all_models  # noqa: F401 — every mapper registered before first use
from webapp.auth.passwords import make_hasher
from webapp.cases.service import CaseServices
from webapp.clock import SystemClock
from webapp.config import load_config
from webapp.engine import EngineEnvironment
from webapp.engine.due_dates import WorkingDayCalendar
from webapp.forms.catalog import FormCatalog
from webapp.ids import IdConverter
from webapp.schools.variants import load_variants


def create_app(overrides: dict | None = None) -> Flask:
    instance_path = os.environ.get("MELDROUTE_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path)
    # Before any route is added: every <int:…> in a URL is a bounded database id (see webapp.ids).
    app.url_map.converters["int"] = IdConverter
    app.config.update(load_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)

    _check_settings(app.config)
    db.init_app(app, db.Database(app.config["DATABASE_URL"]))
    app.extensions["meldroute.services"] = build_services(app.config)
    app.extensions["meldroute.password_hasher"] = make_hasher(app.config.get("PASSWORD_HASH_PARAMETERS"))
    _init_web(app)
    return app


def _check_settings(config) -> None:
    """Refuse to start on settings the worker would only trip over later."""
    from webapp.notifications.deadline_notices import NoticeSettings

    NoticeSettings.from_config(config)


def _init_web(app: Flask) -> None:
    from webapp import web
    from webapp.api import blueprint as api
    from webapp.auth import session as auth_session
    from webapp.auth.views import blueprint as auth_pages
    from webapp.cases.views import blueprint as case_pages
    from webapp.forms import blueprint as form_templates
    from webapp.home import blueprint as home_pages
    from webapp.notifications.views import blueprint as notification_pages
    from webapp.tasks.views import blueprint as task_pages

    auth_session.init_app(app)
    web.init_app(app)
    for blueprint in (home_pages, auth_pages, task_pages, case_pages, notification_pages, form_templates, api):
        app.register_blueprint(blueprint)


def build_services(config) -> CaseServices:
    day_end = datetime.strptime(config["SCHOOL_DAY_END"], "%H:%M").time()
    environment = EngineEnvironment(
        clock=config.get("CLOCK") or SystemClock(),
        calendar=WorkingDayCalendar(),
        school_day_end=time(day_end.hour, day_end.minute),
    )
    return CaseServices(
        environment=environment,
        forms=FormCatalog.from_directory(config["FORMS_DIR"]),
        variants=load_variants(config["WORKFLOWS_DIR"]),
    )


def get_services(app: Flask | None = None) -> CaseServices:
    from flask import current_app

    return (app or current_app).extensions["meldroute.services"]
