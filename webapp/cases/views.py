"""Case pages: the list, reporting a new concern, and the case page with its dossier.

Thin adapters over the read models (what a reader may see) and the case commands (what changes),
the same ones the JSON API uses.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from webapp.auth.policy import Action
from webapp.auth.session import current_actor, current_policy
from webapp.cases import dossier_actions, lifecycle
from webapp.cases.dossier_actions import Upload
from webapp.cases.errors import (
    CaseNotFound,
    InvalidSubmission,
    NotAllowed,
    NotPossibleNow,
)
from webapp.cases.read_models import (
    CASE_LIST_STATUSES,
    read_attachment,
    read_case,
    read_case_diagram,
    read_case_diagram_file,
    read_case_list,
    read_event_confirmation,
)
from webapp.cases.starting import (
    PupilDetails,
    schools_of,
    start_reported_case,
    startable_definitions,
)
from webapp.db import get_session
from webapp.engine import ACUTE_DANGER_SIGNAL
from webapp.ids import parse_id
from webapp.services import get_services
from webapp.tasks.listing import next_task_in_case
from webapp.web import attachment_response

blueprint = Blueprint("cases", __name__, template_folder="templates")


def refusals_as_http(view: Callable) -> Callable:
    """A case the user may not see is 404 (like a missing one); one they see but may not do this on, 403."""
    @wraps(view)
    def guarded(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except CaseNotFound:
            abort(404)
        except NotAllowed:
            abort(403)
    return guarded


def _flash_errors(invalid: InvalidSubmission) -> None:
    """A form posted from the case page (note, upload, reopen, correction): its messages as one flash."""
    flash(" ".join(m for messages in invalid.errors.values() for m in messages), "error")


def _reader():
    return get_session(), get_services(), current_actor(), current_policy()


@blueprint.get("/zaken")
@refusals_as_http
def index():
    status = request.args.get("status", "open")
    status = status if status in CASE_LIST_STATUSES else "open"
    rows = read_case_list(*_reader(), status=status)
    return render_template("cases/index.html", rows=rows, status=status)


@blueprint.route("/zaken/nieuw", methods=["GET", "POST"])
def start():
    db, services, actor, policy = _reader()
    if not policy.schools_where(Action.START_CASE):
        abort(403)
    definitions = startable_definitions(db, policy)
    schools = schools_of(db, definitions)
    values, errors = dict(request.form), {}
    if request.method == "POST":
        try:
            case = start_reported_case(
                db, services, actor, definitions=definitions, route_id=parse_id(request.form.get("route")),
                pupil=PupilDetails(request.form.get("naam", ""), request.form.get("groep", ""),
                                   request.form.get("geboortedatum", "")),
            )
        except InvalidSubmission as invalid:
            errors = invalid.errors
        except NotAllowed:
            abort(403)
        else:
            flash(f"Zaak {case.reference} is gestart.", "info")
            first = next_task_in_case(db, policy, case.id)
            if first is not None:
                return redirect(url_for("tasks.show", task_id=first.id), code=303)
            return redirect(url_for("cases.show", case_id=case.id), code=303)
    emergency_contacts = {school_id: (services.variant_of(school).emergency_contacts
                                      if services.variant_of(school) else ())
                          for school_id, school in schools.items()}
    return render_template("cases/start.html", definitions=definitions, schools=schools,
                           emergency_contacts=emergency_contacts, values=values, errors=errors), (422 if errors else 200)


@blueprint.get("/zaken/<int:case_id>")
@refusals_as_http
def show(case_id: int):
    view = read_case(*_reader(), case_id)
    return render_template("cases/show.html", view=view)


@blueprint.route("/zaken/<int:case_id>/acuut", methods=["GET", "POST"])
@refusals_as_http
def acute(case_id: int):
    """Acute danger interrupts the regular route, so it is confirmed first (no JS needed)."""
    if request.method == "GET" or request.form.get("bevestig") != "ja":
        return _confirmation(case_id, ACUTE_DANGER_SIGNAL)
    try:
        lifecycle.raise_acute_danger(get_session(), get_services(), current_actor(), case_id=case_id)
    except NotPossibleNow:
        flash("De acute route loopt al of de zaak is gesloten. Bel bij acuut gevaar direct "
              "112 of het meldpunt.", "error")
        return redirect(url_for("cases.show", case_id=case_id), code=303)
    flash("De acute route is gestart. Neem vandaag nog contact op met het meldpunt.", "warning")
    return redirect(url_for("cases.show", case_id=case_id), code=303)


@blueprint.route("/zaken/<int:case_id>/gebeurtenis", methods=["GET", "POST"])
@refusals_as_http
def signal(case_id: int):
    name = request.values.get("gebeurtenis", "")
    if name == ACUTE_DANGER_SIGNAL:
        abort(400)
    if request.method == "GET" or request.form.get("bevestig") != "ja":
        return _confirmation(case_id, name)
    try:
        lifecycle.send_case_signal(get_session(), get_services(), current_actor(), case_id=case_id, signal=name)
        flash("De gebeurtenis is vastgelegd.", "info")
    except NotPossibleNow:
        flash("Deze gebeurtenis kan in deze fase niet (meer) worden vastgelegd.", "error")
    return redirect(url_for("cases.show", case_id=case_id), code=303)


def _confirmation(case_id: int, signal_name: str):
    confirmation = read_event_confirmation(*_reader(), case_id, signal_name)
    return render_template("cases/confirm_event.html", confirmation=confirmation)


@blueprint.post("/zaken/<int:case_id>/notities")
@refusals_as_http
def add_note(case_id: int):
    try:
        dossier_actions.add_note(
            get_session(), get_services(), current_actor(), case_id=case_id,
            kind=request.form.get("soort", ""), body=request.form.get("tekst", ""),
            source=request.form.get("bron"), follows_up_id=parse_id(request.form.get("vervolg_op", "")),
            verdict=request.form.get("oordeel") or None,
        )
        flash("Notitie toegevoegd aan het dossier.", "info")
    except InvalidSubmission as invalid:
        _flash_errors(invalid)
    return redirect(url_for("cases.show", case_id=case_id, _anchor="notities"), code=303)


@blueprint.post("/zaken/<int:case_id>/bijlagen")
@refusals_as_http
def upload_attachment(case_id: int):
    upload = request.files.get("bestand")
    try:
        dossier_actions.add_attachment(
            get_session(), get_services(), current_actor(), case_id=case_id,
            upload=Upload(upload.filename if upload else "", upload.mimetype if upload else "",
                          upload.read() if upload else b""),
        )
        flash("Bijlage toegevoegd aan het dossier.", "info")
    except InvalidSubmission as invalid:
        _flash_errors(invalid)
    return redirect(url_for("cases.show", case_id=case_id, _anchor="bijlagen"), code=303)


@blueprint.get("/zaken/<int:case_id>/bijlagen/<int:attachment_id>")
@refusals_as_http
def download_attachment(case_id: int, attachment_id: int):
    return attachment_response(read_attachment(*_reader(), case_id, attachment_id))


@blueprint.get("/zaken/<int:case_id>/diagram.bpmn")
@refusals_as_http
def diagram(case_id: int):
    """The diagram of the version this case started on (later versions do not apply to it)."""
    _case, xml = read_case_diagram_file(*_reader(), case_id)
    return Response(xml, mimetype="application/xml")


@blueprint.get("/zaken/<int:case_id>/diagram.json")
@refusals_as_http
def diagram_position(case_id: int):
    """What the case page's diagram viewer draws: the case's own diagram version and where the case
    stands in it. Fetched by script because the CSP allows no inline scripts."""
    return read_case_diagram(*_reader(), case_id).as_dict()


@blueprint.post("/zaken/<int:case_id>/heropenen")
@refusals_as_http
def reopen(case_id: int):
    try:
        lifecycle.reopen_case(get_session(), get_services(), current_actor(), case_id=case_id,
                              reason=request.form.get("reden", ""))
        flash("De zaak is heropend: de route begint opnieuw; het dossier tot nu toe blijft.", "info")
    except InvalidSubmission as invalid:
        _flash_errors(invalid)
    except NotPossibleNow:
        flash("Alleen een afgesloten zaak kan worden heropend.", "error")
    return redirect(url_for("cases.show", case_id=case_id), code=303)


@blueprint.post("/zaken/<int:case_id>/correcties")
@refusals_as_http
def add_correction(case_id: int):
    try:
        dossier_actions.add_correction(
            get_session(), get_services(), current_actor(), case_id=case_id,
            requested_by=request.form.get("verzocht_door", ""), requested_on=request.form.get("verzocht_op", ""),
            about=request.form.get("betreft", ""), body=request.form.get("tekst", ""))
        flash("Het correctieverzoek is vastgelegd, naast het origineel.", "info")
    except InvalidSubmission as invalid:
        _flash_errors(invalid)
    return redirect(url_for("cases.show", case_id=case_id, _anchor="correcties"), code=303)
