from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth.login import LoginRefused, attempt_login, log_out

blueprint = Blueprint("auth", __name__, template_folder="templates")


@blueprint.route("/inloggen", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.index"))
    email = ""
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        outcome = attempt_login(email, request.form.get("wachtwoord", ""))
        if not isinstance(outcome, LoginRefused):
            return redirect(_safe_next(request.args.get("next")))
        error = outcome.message
    return render_template("auth/login.html", email=email, error=error), (401 if error else 200)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never send a user on to another host after logging in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("tasks.index")


@blueprint.post("/uitloggen")
def logout():
    log_out(current_user.id)
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))
