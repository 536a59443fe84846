"""What every page shares: security headers, Dutch error pages, and the navigation's counts."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from webapp.auth.session import current_policy
from webapp.clock import as_school_time
from webapp.cases.models import CaseTask
from webapp.db import get_session
from webapp.notifications.models import Notification

ERROR_TEXTS = {
    400: ("Ongeldig verzoek", "Het formulier kon niet worden verwerkt. Laad de pagina opnieuw en probeer het nog eens."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina of deze actie."),
    404: ("Niet gevonden", "Deze pagina bestaat niet, of u heeft er geen toegang toe."),
    405: ("Niet toegestaan", "Deze actie kan op deze manier niet worden uitgevoerd."),
    409: ("Al gebeurd", "Iemand anders heeft dit intussen al gedaan."),
    413: ("Bestand te groot", "Het bestand is te groot (maximaal 10 MB per bijlage)."),
    500: ("Er ging iets mis", "Er ging iets mis. Er is niets opgeslagen; probeer het opnieuw."),
}


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)
    app.context_processor(_navigation)
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.globals["diagram_assets"] = None
    for code in ERROR_TEXTS:
        app.register_error_handler(code, _error_page)


def _localtime(moment) -> str:
    """Dates as Dutch schools read them: dd-mm-jjjj uu:mm, in Amsterdam time."""
    if moment is None:
        return ""
    return as_school_time(moment).strftime("%d-%m-%Y %H:%M")


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # bpmn-js styles SVG elements inline; scripts only from our own files.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"  # pages hold personal data of children
    return response


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if request.path.startswith("/api/"):
        return {"fout": text}, code
    return render_template("error.html", title=title, text=text, code=code), code


def _navigation():
    if not current_user.is_authenticated:
        return {}
    policy = current_policy()
    db = get_session()
    open_for_me = db.scalar(select(func.count()).select_from(CaseTask).where(
        policy.task_filter(), CaseTask.claimed_by_id == current_user.id))
    open_for_role = db.scalar(select(func.count()).select_from(CaseTask).where(
        policy.task_filter(), CaseTask.claimed_by_id.is_(None)))
    unread = db.scalar(select(func.count()).select_from(Notification).where(
        policy.notification_filter(), Notification.read_at.is_(None)))
    return {"nav_counts": {"mijn": open_for_me, "rol": open_for_role, "meldingen": unread}, "policy": policy}
