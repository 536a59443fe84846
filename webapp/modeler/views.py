"""The diagram pages: routes and their versions for every member; drafts, modeler, publish and
downloads for policy owners and beheerders. The modeler talks JSON to the draft endpoints (the CSP
allows no inline scripts; the page hands over its URLs in data- attributes)."""
from __future__ import annotations

import io
import zipfile

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from webapp.auth.policy import Action
from webapp.auth.session import current_actor, current_policy
from webapp.db import get_session
from webapp.definitions.models import ProcessDraft
from webapp.engine.xmlsafe import MAX_DIAGRAM_BYTES
from webapp.modeler import drafts
from webapp.modeler.read_models import (
    route_view,
    school_forms,
    school_routes,
    version_form_changes,
    visible_definition,
)
from webapp.outcome_kinds import OUTCOME_LABELS
from webapp.roles import Lane
from webapp.schools.models import School
from webapp.services import get_services

blueprint = Blueprint("modeler", __name__, template_folder="templates")
MAX_NOTE = drafts.MAX_NOTE_LENGTH


def _definition_or_404(definition_id: int):
    definition = visible_definition(get_session(), current_policy(), definition_id)
    if definition is None:
        abort(404)
    return definition


def _managed_draft_or_404(draft_id: int) -> ProcessDraft:
    draft = get_session().get(ProcessDraft, draft_id)
    if draft is None or not current_policy().may_at_school(Action.MANAGE_DIAGRAMS, draft.school_id):
        abort(404)
    return draft


def _problems(check: drafts.CheckResult) -> dict:
    return {"fouten": [p.as_dict() for p in check.errors], "waarschuwingen": [p.as_dict() for p in check.warnings]}


def _draft_state(draft: ProcessDraft) -> dict:
    return {"revisie": draft.revision, "opgeslagen_door": draft.updated_by.display_name if draft.updated_by else None,
            "opgeslagen_op": draft.updated_at.isoformat()}


@blueprint.get("/diagrammen")
def index():
    return render_template("modeler/index.html", routes=school_routes(get_session(), current_policy()))


@blueprint.get("/diagrammen/<int:definition_id>")
def route(definition_id: int):
    view = route_view(get_session(), current_policy(), _definition_or_404(definition_id))
    return render_template("modeler/route.html", view=view, max_note=MAX_NOTE)


@blueprint.get("/diagrammen/<int:definition_id>/gepubliceerd.json")
def published_diagram(definition_id: int):
    """The published diagram for the read-only viewer (the case viewer's format, nothing marked)."""
    version = _definition_or_404(definition_id).published_version
    if version is None:
        abort(404)
    return {"bpmn": version.bpmn_xml, "versie": version.number, "huidig": [], "afgerond": []}


@blueprint.post("/diagrammen/<int:definition_id>/concepten")
def new_draft(definition_id: int):
    db, services = get_session(), get_services()
    definition = _definition_or_404(definition_id)
    if not current_policy().may_at_school(Action.MANAGE_DIAGRAMS, definition.school_id):
        abort(403)
    upload = request.files.get("bestand")
    bpmn = upload.read(MAX_DIAGRAM_BYTES + 1) if upload and upload.filename else None
    if bpmn is None and request.form.get("bron") == "bestand":
        flash("Kies eerst een .bpmn-bestand om te uploaden.", "warning")
        return redirect(url_for("modeler.route", definition_id=definition.id), code=303)
    try:
        draft, check = drafts.new_draft(db, services.forms, current_actor(), current_policy(),
                                        definition_id=definition.id, now=services.now(), bpmn=bpmn,
                                        filename=upload.filename if bpmn is not None else None)
    except drafts.NotAllowedHere:
        abort(403)
    except drafts.UploadRefused as refused:
        view = route_view(db, current_policy(), definition)
        return render_template("modeler/route.html", view=view, max_note=MAX_NOTE,
                               upload_problems=refused.problems), 422
    if check.warnings:
        flash(f"Concept aangemaakt met {len(check.warnings)} waarschuwing(en); ze staan onder Problemen "
              "(elementen die alleen documenteren blijven staan maar worden niet uitgevoerd).", "warning")
    return redirect(url_for("modeler.edit", draft_id=draft.id), code=303)


@blueprint.get("/diagrammen/concepten/<int:draft_id>")
def edit(draft_id: int):
    draft = _managed_draft_or_404(draft_id)
    return render_template("modeler/edit.html", draft=draft, definition=draft.definition,
                           school=get_session().get(School, draft.school_id), max_note=MAX_NOTE)


@blueprint.get("/diagrammen/concepten/<int:draft_id>/inhoud.json")
def draft_content(draft_id: int):
    """The draft, the school's forms and lanes for the panel, and the server's problems."""
    draft = _managed_draft_or_404(draft_id)
    services = get_services()
    school = get_session().get(School, draft.school_id)
    check = drafts.check_diagram(draft.bpmn_xml.encode("utf-8"), services.forms)
    return {"bpmn": draft.bpmn_xml, **_draft_state(draft), **_problems(check),
            "formulieren": school_forms(services.forms, school),
            "rollen": [services.lane_term(school, lane.value) for lane in Lane],  # the school's own words
            "uitkomsten": [{"waarde": kind, "label": label} for kind, label in OUTCOME_LABELS.items()]}


@blueprint.put("/diagrammen/concepten/<int:draft_id>")
def save(draft_id: int):
    """Autosave and explicit save: 200 with the server's problems, 409 when someone saved first."""
    draft = _managed_draft_or_404(draft_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("bpmn"), str) or not isinstance(body.get("revisie"), int):
        return {"fout": "stuur {\"bpmn\": tekst, \"revisie\": getal}"}, 400
    db, services = get_session(), get_services()
    try:
        saved, check = drafts.save_draft(db, services.forms, current_actor(), current_policy(), draft_id=draft.id,
                                         bpmn=body["bpmn"].encode("utf-8"), revision=body["revisie"],
                                         now=services.now(), autosave=bool(body.get("automatisch")))
    except drafts.DraftNotFound:
        abort(404)
    except drafts.DraftConflict as conflict:
        return {"fout": str(conflict), **_draft_state(conflict.draft)}, 409
    except drafts.UploadRefused as refused:
        return {"fout": "dit is geen BPMN-diagram; er is niets opgeslagen",
                "fouten": [p.as_dict() for p in refused.problems], "waarschuwingen": []}, 422
    return {**_draft_state(saved), **_problems(check)}


@blueprint.post("/diagrammen/concepten/<int:draft_id>/publiceren")
def publish(draft_id: int):
    draft = _managed_draft_or_404(draft_id)
    body = request.get_json(silent=True) if request.is_json else request.form
    body = body if isinstance(body, dict) or hasattr(body, "get") else {}
    try:
        revision = int(body.get("revisie", draft.revision))
    except (TypeError, ValueError):
        return {"fout": "revisie moet een getal zijn"}, 400
    note = body.get("notitie")
    db, services = get_session(), get_services()
    try:
        version = drafts.publish_draft(db, services.forms, current_actor(), current_policy(), draft_id=draft.id,
                                       revision=revision, note=note if isinstance(note, str) else "",
                                       now=services.now())
    except drafts.DraftNotFound:
        abort(404)
    except drafts.DraftConflict as conflict:
        return {"fout": str(conflict), **_draft_state(conflict.draft)}, 409
    except drafts.PublishRefused as refused:
        return {"fout": refused.message, "fouten": [p.as_dict() for p in refused.problems]}, 422
    return {"versie": version.number, "route": url_for("modeler.route", definition_id=version.definition_id)}


def _version_or_404(definition_id: int, number: int):
    definition = _definition_or_404(definition_id)
    if not current_policy().may_at_school(Action.MANAGE_DIAGRAMS, definition.school_id):
        abort(403)
    version = next((v for v in definition.versions if v.number == number), None)
    if version is None:
        abort(404)
    return version


@blueprint.get("/diagrammen/<int:definition_id>/versies/<int:number>.bpmn")
def download_version(definition_id: int, number: int):
    version = _version_or_404(definition_id, number)
    export = drafts.export_version(get_session(), current_actor(), version, get_services().now())
    return send_file(io.BytesIO(export.bpmn_xml.encode("utf-8")), mimetype="application/xml", as_attachment=True,
                     download_name=export.filename, etag=False, conditional=False)


@blueprint.get("/diagrammen/<int:definition_id>/versies/<int:number>.zip")
def download_version_with_forms(definition_id: int, number: int):
    version = _version_or_404(definition_id, number)
    export = drafts.export_version(get_session(), current_actor(), version, get_services().now())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(export.filename, export.bpmn_xml)
        for key, text in export.forms.items():
            archive.writestr(f"forms/{key}.yaml", text)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=export.filename.replace(".bpmn", ".zip"), etag=False, conditional=False)


@blueprint.get("/diagrammen/<int:definition_id>/versies/<int:number>.json")
def version_content(definition_id: int, number: int):
    """A version's diagram for the diff viewers (reading, not an export: not a download)."""
    version = _version_or_404(definition_id, number)
    return {"bpmn": version.bpmn_xml, "versie": version.number}


@blueprint.get("/diagrammen/<int:definition_id>/verschil")
def compare(definition_id: int):
    definition = _definition_or_404(definition_id)
    if not current_policy().may_at_school(Action.MANAGE_DIAGRAMS, definition.school_id):
        abort(403)
    numbers = [v.number for v in definition.versions]
    newest = numbers[-1] if numbers else 0
    old, new = request.args.get("van", ""), request.args.get("naar", "")
    new_number = int(new) if new.isdigit() and int(new) in numbers else newest
    old_number = int(old) if old.isdigit() and int(old) in numbers else max(1, new_number - 1)
    if new_number not in numbers or old_number not in numbers:
        abort(404)
    db = get_session()
    changed_forms = version_form_changes(db, definition, old_number, new_number)
    return render_template("modeler/diff.html", definition=definition, old=old_number, new=new_number,
                           numbers=numbers, school=db.get(School, definition.school_id),
                           form_changes=changed_forms)
