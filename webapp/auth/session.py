"""Who is making this request: Flask-Login sessions, CSRF protection, and the user's policy.

Login is required for every endpoint except the few listed as public: a new page cannot be left
open by forgetting a decorator.
"""
from __future__ import annotations

from flask import Flask, flash, g, jsonify, redirect, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from webapp.audit.actor import Actor, Channel
from webapp.auth import second_factor, server_sessions
from webapp.auth.models import User
from webapp.auth.policy import Policy
from webapp.db import get_session
from webapp.services import get_services

PUBLIC_ENDPOINTS = frozenset({
    "auth.login", "static", "home.health",
    # a forgotten password: asking for a link, and setting the password through it
    "auth.forgot_password", "auth.set_password",
    # the JSON API: a CSRF token (needed to log in), logging in, and the API's description
    "api.session", "api.login", "api.openapi",
})

# What a user whose school requires a second factor may still open before enrolling.
ENROLMENT_ENDPOINTS = frozenset({"auth.second_factor_page", "auth.logout", "api.logout", "api.session"})
MUST_ENROL = ("Uw school vereist tweestapsverificatie voor uw rol. Stel die eerst in; "
              "daarna kunt u verder.")

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in om verder te gaan."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_require_login)  # before CSRF: an anonymous visitor is sent to log in
    csrf.init_app(app)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The cookie names a user, but only an open server-side session makes the request theirs."""
    db = get_session()
    try:
        user = db.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active:
        return None
    if not server_sessions.validate(db, user.id, get_services().now()):
        return None
    return user


def _require_login():
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        return _require_enrolment()
    if request.path.startswith("/api/"):
        return jsonify({"fout": "U bent niet ingelogd. Log in met POST /api/v1/sessie."}), 401
    return login_manager.unauthorized()


def _require_enrolment():
    """A coordinator or director whose school requires the second factor, without one: only the
    enrolment page (and logging out) until it is set up."""
    if request.endpoint in ENROLMENT_ENDPOINTS or not second_factor.must_enrol(get_session(), current_user):
        return None
    if request.path.startswith("/api/"):
        return jsonify({"fout": MUST_ENROL + " Dat kan op de pagina Tweestapsverificatie."}), 403
    flash(MUST_ENROL, "info")
    return redirect(url_for("auth.second_factor_page"))


def current_policy() -> Policy:
    if "policy" not in g:
        g.policy = Policy.for_user(get_session(), current_user.id)
    return g.policy


API_BLUEPRINT = "api"


def request_actor(user_id: int | None) -> Actor:
    """This request's actor: the user (once known), the client's address, and web or API."""
    channel = Channel.API if request.blueprint == API_BLUEPRINT else Channel.WEB
    return Actor(user_id, request.remote_addr, channel)


def current_actor() -> Actor:
    return request_actor(current_user.id if current_user.is_authenticated else None)
