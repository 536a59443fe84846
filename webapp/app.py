"""The application factory: configuration, database, services, and every blueprint."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import db, web
from webapp import models as _all_models  # noqa: F401 — every mapper registered before first use
from webapp.api.views import blueprint as api
from webapp.auth import session as auth_session
from webapp.auth.passwords import make_hasher
from webapp.auth.user_views import blueprint as user_pages
from webapp.auth.views import blueprint as auth_pages
from webapp.cases.views import blueprint as case_pages
from webapp.config import load_config
from webapp.forms import blueprint as form_templates
from webapp.home.views import blueprint as home_pages
from webapp.ids import IdConverter
from webapp.modeler.views import blueprint as modeler_pages
from webapp.monitor.views import blueprint as monitor_pages
from webapp.notifications.deadline_notices import NoticeSettings
from webapp.notifications.views import blueprint as notification_pages
from webapp.privacy.views import blueprint as privacy_pages
from webapp.school_calendar.views import blueprint as calendar_pages
from webapp.services import EXTENSION_KEY, build_services
from webapp.tasks.views import blueprint as task_pages


def _transport_security(app: Flask) -> None:
    https = str(app.config.get("PUBLIC_URL", "")).startswith("https://")
    secure = app.config.get("SECURE_COOKIES")
    secure = https if secure is None else secure
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config["HSTS"] = https
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def create_app(overrides: dict | None = None) -> Flask:
    instance_path = os.environ.get("MELDROUTE_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path)
    # Before any route is added: every <int:…> in a URL is a bounded database id (see webapp.ids).
    app.url_map.converters["int"] = IdConverter
    app.config.update(load_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)

    _transport_security(app)
    # Refuse to start on settings the worker would only trip over later.
    NoticeSettings.from_config(app.config)
    db.init_app(app, db.Database(app.config["DATABASE_URL"]))
    app.extensions[EXTENSION_KEY] = build_services(app.config)
    app.extensions["meldroute.password_hasher"] = make_hasher(app.config.get("PASSWORD_HASH_PARAMETERS"))
    auth_session.init_app(app)
    web.init_app(app)
    for blueprint in (home_pages, auth_pages, task_pages, case_pages, notification_pages, privacy_pages,
                      monitor_pages, modeler_pages, calendar_pages, form_templates, user_pages, api):
        app.register_blueprint(blueprint)
    return app
