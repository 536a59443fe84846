from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from webapp import get_services
from webapp.audit.log import record_audit
from webapp.audit.models import AuditEntry
from webapp.auth.models import User
from webapp.auth.passwords import hash_password, needs_rehash, verify_password
from webapp.auth.session import remote_addr
from webapp.db import get_session

blueprint = Blueprint("auth", __name__, template_folder="templates")

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


@blueprint.route("/inloggen", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.index"))
    email = ""
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        password = request.form.get("wachtwoord", "")
        error = _attempt_login(email, password)
        if error is None:
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", email=email, error=error), (401 if error else 200)


def _attempt_login(email: str, password: str) -> str | None:
    db = get_session()
    now = get_services().now()
    user = db.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if user is not None and _recent_failures(db, user.id, now) >= MAX_FAILED_LOGINS:
        record_audit(db, "auth.login_blocked", at=now, user_id=user.id, remote_addr=remote_addr())
        db.commit()
        return "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw."
    if user is None or not user.active or not verify_password(user.password_hash if user else None, password):
        record_audit(db, "auth.login_failed", at=now, user_id=user.id if user else None,
                     detail={"email": email[:254]}, remote_addr=remote_addr())
        db.commit()
        return "E-mailadres of wachtwoord onjuist."
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.clear()  # a fresh session on login: no fixation
    login_user(user)
    record_audit(db, "auth.login", at=now, user_id=user.id, remote_addr=remote_addr())
    db.commit()
    return None


def _recent_failures(db, user_id: int, now) -> int:
    last_success = db.scalar(select(func.max(AuditEntry.at)).where(
        AuditEntry.user_id == user_id, AuditEntry.action == "auth.login"))
    since = max(filter(None, [now - LOCKOUT, last_success]))
    return db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.user_id == user_id, AuditEntry.action == "auth.login_failed", AuditEntry.at > since))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never send a user on to another host after logging in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("tasks.index")


@blueprint.post("/uitloggen")
def logout():
    db = get_session()
    record_audit(db, "auth.logout", at=get_services().now(), user_id=current_user.id,
                 remote_addr=remote_addr())
    db.commit()
    logout_user()
    session.clear()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))
