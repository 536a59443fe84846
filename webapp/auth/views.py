from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from webapp.audit.log import record_audit
from webapp.auth import accounts, password_links, second_factor, server_sessions
from webapp.auth.login import LoginRefused, attempt_login, log_out
from webapp.auth.models import User, UserSession
from webapp.auth.session import current_actor, current_policy, request_actor
from webapp.auth.throttle import email_fingerprint
from webapp.db import get_session
from webapp.services import get_services

blueprint = Blueprint("auth", __name__, template_folder="templates")


@blueprint.route("/inloggen", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("tasks.index"))
    email = ""
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        outcome = attempt_login(email, request.form.get("wachtwoord", ""), request.form.get("code", ""))
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


@blueprint.get("/sessies")
def sessions():
    db = get_session()
    now = get_services().now()
    rows = server_sessions.open_sessions(db, current_user.id, now)
    return render_template("auth/sessions.html", sessions=rows,
                           current_id=g.get("user_session_id"))


@blueprint.post("/sessies/beeindigen")
def end_sessions():
    """End one of one's own sessions (`sessie`), or all but this one (`alle_andere`)."""
    db = get_session()
    now = get_services().now()
    current_id = g.get("user_session_id")
    if request.form.get("alle_andere"):
        ended = server_sessions.end_all(db, current_user.id, now, "door gebruiker", keep=current_id)
    else:
        try:
            session_id = int(request.form.get("sessie", ""))
        except ValueError:
            abort(404)
        row = db.get(UserSession, session_id)
        if row is None or row.user_id != current_user.id:
            abort(404)
        ended = server_sessions.end_all(db, current_user.id, now, "door gebruiker", only=row.id)
    record_audit(db, "auth.sessions_ended", actor=current_actor(), at=now, detail={"aantal": ended})
    db.commit()
    if current_id is not None and db.get(UserSession, current_id).ended_at is not None:
        server_sessions.forget_in_browser()
        return redirect(url_for("auth.login"))
    flash("Sessie(s) beëindigd." if ended else "Er was geen sessie meer om te beëindigen.", "info")
    return redirect(url_for("auth.sessions"))


@blueprint.post("/gebruikers/<int:user_id>/sessies-beeindigen")
def end_user_sessions(user_id: int):
    """A beheerder ends every session of a user of one of their schools (a lost laptop)."""
    db = get_session()
    now = get_services().now()
    if current_policy().visible_user(db, user_id) is None:
        record_audit(db, "auth.refused", actor=current_actor(), at=now,
                     detail={"actie": "sessies_beeindigen", "gebruiker": user_id})
        db.commit()
        abort(404)
    ended = server_sessions.end_all(db, user_id, now, "door beheerder")
    record_audit(db, "auth.sessions_ended", actor=current_actor(), at=now,
                 detail={"gebruiker": user_id, "aantal": ended})
    db.commit()
    flash(f"{ended} sessie(s) van de gebruiker beëindigd.", "info")
    return redirect(url_for("users.show", user_id=user_id))


@blueprint.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password():
    """Ask for a link to set a new password. The answer is the same whether the address is known."""
    message, status = None, 200
    if request.method == "POST":
        db = get_session()
        now = get_services().now()
        email = request.form.get("email", "")
        message, wait = password_links.request_reset(
            db, email, request.remote_addr, now, password_links.LinkSettings.from_config(current_app.config))
        record_audit(db, "auth.reset_blocked" if wait else "auth.reset_requested", actor=request_actor(None),
                     at=now, detail={"email_hash": email_fingerprint(email)})
        db.commit()
        status = 429 if wait else 200
    return render_template("auth/forgot_password.html", message=message), status


@blueprint.route("/wachtwoord-instellen/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Set a password through a mailed link (reset, or a new account's first password)."""
    db = get_session()
    now = get_services().now()
    link = password_links.open_link(db, token, now)
    if link is None:
        return render_template("auth/set_password.html", error=password_links.LINK_GONE, gone=True), 410
    error = None
    if request.method == "POST":
        user, error = password_links.redeem(db, token, request.form.get("nieuw", ""),
                                            request.form.get("herhaling", ""), now)
        if user is not None:
            record_audit(db, "auth.password_set_by_link", actor=request_actor(user.id), at=now,
                         detail={"soort": link.purpose})
            db.commit()
            if current_user.is_authenticated:
                server_sessions.forget_in_browser()
            flash("Uw wachtwoord is ingesteld. Log in met uw nieuwe wachtwoord.", "info")
            return redirect(url_for("auth.login"))
        db.rollback()
    return render_template("auth/set_password.html", error=error, gone=False), (422 if error else 200)


@blueprint.route("/wachtwoord-wijzigen", methods=["GET", "POST"])
def change_password():
    """One's own password: the current one, the new one twice; the other sessions end."""
    error = None
    if request.method == "POST":
        db = get_session()
        now = get_services().now()
        user = db.get(User, current_user.id)
        error = accounts.change_own_password(
            db, user, request.form.get("huidig", ""), request.form.get("nieuw", ""),
            request.form.get("herhaling", ""), now, keep_session=g.get("user_session_id"))
        if error is None:
            record_audit(db, "auth.password_changed", actor=current_actor(), at=now)
            db.commit()
            flash("Uw wachtwoord is gewijzigd. Uw andere sessies zijn beëindigd.", "info")
            return redirect(url_for("auth.sessions"))
        record_audit(db, "auth.password_change_refused", actor=current_actor(), at=now)
        db.commit()
    return render_template("auth/change_password.html", error=error), (422 if error else 200)


PENDING_SECRET = "tweestaps_nieuw_geheim"


@blueprint.route("/tweestapsverificatie", methods=["GET", "POST"])
def second_factor_page():
    """Turn the second factor on (scan or type the secret, confirm with a code: then the recovery
    codes are shown once) or off (with a current code)."""
    db = get_session()
    now = get_services().now()
    user = db.get(User, current_user.id)
    error, recovery_codes = None, None
    if request.method == "POST":
        code = request.form.get("code", "")
        if user.totp_secret and second_factor.required_for(db, user.id):
            error = "Uw school vereist tweestapsverificatie voor uw rol: u kunt haar niet uitschakelen."
        elif user.totp_secret:
            if second_factor.accept(db, user, code, now):
                second_factor.disable(db, user, now)
                record_audit(db, "auth.second_factor_off", actor=current_actor(), at=now)
                db.commit()
                flash("Tweestapsverificatie is uitgeschakeld.", "info")
                return redirect(url_for("auth.second_factor_page"))
            db.rollback()
            error = "De code klopt niet."
        else:
            secret = session.get(PENDING_SECRET)
            recovery_codes = second_factor.enable(db, user, secret, code, now) if secret else None
            if recovery_codes is None:
                error = "De code klopt niet. Controleer de tijd op uw telefoon en probeer het opnieuw."
            else:
                session.pop(PENDING_SECRET, None)
                # whoever was logged in with the password alone is logged out now
                server_sessions.end_all(db, user.id, now, "tweestapsverificatie aan",
                                        keep=g.get("user_session_id"))
                record_audit(db, "auth.second_factor_on", actor=current_actor(), at=now)
                db.commit()
    secret = None
    if not user.totp_secret and recovery_codes is None:
        secret = session.get(PENDING_SECRET) or second_factor.new_secret()
        session[PENDING_SECRET] = secret
    return render_template(
        "auth/second_factor.html", enabled=bool(user.totp_secret), secret=secret,
        uri=second_factor.provisioning_uri(secret, user.email) if secret else None,
        recovery_codes=recovery_codes, error=error, required=second_factor.required_for(db, user.id),
        codes_left=second_factor.recovery_codes_left(db, user.id) if user.totp_secret else 0,
    ), (422 if error else 200)
