"""What every page shares: security headers, Dutch error pages, and the navigation's counts."""
from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

from flask import Flask, Response, current_app, render_template, request, send_file
from flask_login import current_user
from sqlalchemy import func, select

from webapp.auth.policy import Action
from webapp.auth.session import current_policy
from webapp.cases.models import Attachment, CaseTask
from webapp.clock import as_school_time
from webapp.db import get_session
from webapp.forms.submission import offered_contacts
from webapp.notifications.models import Notification
from webapp.privacy.inzage import inzage_task_condition
from webapp.privacy.models import InzageRequest
from webapp.school_calendar.views import readable_school_ids
from webapp.services import get_services

ERROR_TEXTS = {
    400: ("Ongeldig verzoek", "Het formulier kon niet worden verwerkt. Laad de pagina opnieuw en probeer het nog eens."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina of deze actie."),
    404: ("Niet gevonden", "Deze pagina bestaat niet, of u heeft er geen toegang toe."),
    405: ("Niet toegestaan", "Deze actie kan op deze manier niet worden uitgevoerd."),
    409: ("Al gebeurd", "Iemand anders heeft dit intussen al gedaan."),
    413: ("Bestand te groot", "Het bestand is te groot (maximaal 10 MB per bijlage)."),
    500: ("Er ging iets mis", "Er ging iets mis. Er is niets opgeslagen; probeer het opnieuw."),
}

# Where scripts/build-frontend.mjs puts the bundled bpmn-js viewer (git-ignored build output).
DIAGRAM_BUILD_DIR = "build"


NUL_REFUSED = "Het verzoek bevat een ongeldig teken (NUL); er is niets opgeslagen."
TOO_DEEP = "Het JSON-object is te diep genest; er is niets opgeslagen."


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)
    app.after_request(_security_headers)
    app.context_processor(_navigation)
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.globals["offered_contacts"] = offered_contacts
    app.jinja_env.globals["lane_term"] = lambda school, lane: get_services().lane_term(school, lane)
    app.jinja_env.globals["task_lane_term"] = lambda school, task: get_services().task_lane_term(school, task)
    app.jinja_env.globals["diagram_assets"] = load_diagram_assets(Path(app.static_folder))
    app.jinja_env.globals["modeler_assets"] = load_diagram_assets(Path(app.static_folder), "modeler")
    for code in ERROR_TEXTS:
        app.register_error_handler(code, _error_page)


def load_diagram_assets(static_folder: Path, entry: str = "viewer") -> dict | None:
    """The built diagram viewer (`npm run build`): its JS and CSS, relative to the static folder.

    None when it has not been built: pages then show their text fallback instead of a diagram.
    Read once at start-up; a deployment ships one build, and a rebuild needs a restart anyway."""
    manifest_file = static_folder / DIAGRAM_BUILD_DIR / "manifest.json"
    if not manifest_file.is_file():
        return None
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    # `entry`: the case viewer at the top level (as before), the modeler under its own key.
    part = manifest if entry == "viewer" else manifest.get(entry)
    if not part or not part.get("js"):
        return None
    return {
        "js": f"{DIAGRAM_BUILD_DIR}/{part['js']}",
        "css": [f"{DIAGRAM_BUILD_DIR}/{name}" for name in part["css"]],
    }


def attachment_response(attachment: Attachment) -> Response:
    """An attachment as a download, for pages and API alike. The name goes in RFC 6266 form: an
    ASCII fallback plus `filename*` in UTF-8, so names like ‘ĳsje.txt’ download as they were."""
    return send_file(BytesIO(attachment.content), mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename, etag=False, conditional=False)


def _localtime(moment) -> str:
    """Dates as Dutch schools read them: dd-mm-jjjj uu:mm, in Amsterdam time."""
    if moment is None:
        return ""
    return as_school_time(moment).strftime("%d-%m-%Y %H:%M")


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault(
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    )
    if current_app.config.get("HSTS"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # bpmn-js styles SVG elements inline; scripts only from our own files.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"  # pages hold personal data of children
    return response


def _refuse_nul_characters():
    """No text in Meldroute holds a NUL character, and PostgreSQL refuses to store one: refuse it at
    the door (query string, form fields, JSON) rather than fail deep inside a transaction.
    JSON nested too deeply for Python's parser is refused here too, for the same reason."""
    texts = [*request.args.items(multi=True), *request.form.items(multi=True)]
    refused = any("\x00" in key or "\x00" in value for key, value in texts)
    if not refused and request.is_json:
        try:
            refused = _holds_nul(request.get_json(silent=True))
        except RecursionError:
            return _refusal(TOO_DEEP)
    return _refusal(NUL_REFUSED) if refused else None


def _refusal(message: str):
    if request.path.startswith("/api/"):
        return {"fout": message}, 400
    return render_template("error.html", title=ERROR_TEXTS[400][0], text=message, code=400), 400


def _holds_nul(document) -> bool:
    """Walks the parsed JSON without recursion (its depth is the sender's choice)."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


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
    # The inzage requests' answer terms are tasks too (beside the workflow's, in the same lists).
    open_for_me += db.scalar(select(func.count(InzageRequest.id)).where(*inzage_task_condition(policy, mine=True)))
    open_for_role += db.scalar(select(func.count(InzageRequest.id)).where(*inzage_task_condition(policy, mine=False)))
    unread = db.scalar(select(func.count()).select_from(Notification).where(
        policy.notification_filter(), Notification.read_at.is_(None)))
    nav_links = {
        "inzage": bool(policy.schools_where(Action.HANDLE_INZAGE)),
        "bewaartermijnen": bool(policy.schools_where(Action.MANAGE_RETENTION) or policy.schools_where(Action.MONITOR_SCHOOL)),
        "schoolkalender": bool(readable_school_ids(policy)),
    }
    return {"nav_counts": {"mijn": open_for_me, "rol": open_for_role, "meldingen": unread}, "policy": policy,
            "nav_links": nav_links, "Action": Action}
