"""Case pages: the list, reporting a new concern, and the case page with its dossier."""
from __future__ import annotations

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
from flask_login import current_user
from sqlalchemy import select

from webapp import get_services
from webapp.audit.log import record_audit
from webapp.auth.policy import Action
from webapp.auth.session import current_policy, remote_addr
from webapp.cases import service as case_service
from webapp.cases.dossier import case_attachments, case_notes, case_timeline
from webapp.cases.models import (
    Attachment,
    Case,
    CaseStatus,
    CaseTask,
    CaseTimer,
    TaskStatus,
    TimerStatus,
)
from webapp.cases.starting import (
    PupilDetails,
    start_reported_case,
    startable_definitions,
)
from webapp.db import get_session
from webapp.definitions.models import ProcessDefinition
from webapp.engine import ACUTE_DANGER_SIGNAL
from webapp.ids import parse_id
from webapp.roles import LANE_LABELS_BY_VALUE
from webapp.schools.models import Pupil, School
from webapp.tasks.listing import next_task_in_case

blueprint = Blueprint("cases", __name__, template_folder="templates")


def _audit(action: str, case: Case | None = None, **detail) -> None:
    record_audit(get_session(), action, at=get_services().now(), user_id=current_user.id,
                 school_id=case.school_id if case else None, case_id=case.id if case else None,
                 detail=detail or None, remote_addr=remote_addr())


def _case_or_404(case_id: int, action: Action = Action.VIEW_CASE) -> Case:
    case = current_policy().visible_case(get_session(), case_id, action)
    if case is None:
        if action != Action.VIEW_CASE and current_policy().visible_case(get_session(), case_id):
            abort(403)
        abort(404)
    return case


@blueprint.get("/zaken")
def index():
    db = get_session()
    policy = current_policy()
    if not policy.schools_where(Action.VIEW_CASE):
        abort(403)
    status = request.args.get("status", "open")
    query = (
        select(Case, Pupil, ProcessDefinition, School)
        .join(Pupil, Pupil.id == Case.pupil_id)
        .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
        .join(School, School.id == Case.school_id)
        .where(policy.case_filter(Action.VIEW_CASE))
        .order_by(Case.updated_at.desc())
    )
    if status in (CaseStatus.OPEN, CaseStatus.CLOSED):
        query = query.where(Case.status == status)
    rows = db.execute(query.limit(500)).all()
    _audit("caselist.view", case_ids=[c.id for c, *_ in rows])
    db.commit()
    return render_template("cases/index.html", rows=rows, status=status)


@blueprint.route("/zaken/nieuw", methods=["GET", "POST"])
def start():
    db = get_session()
    policy = current_policy()
    school_ids = policy.schools_where(Action.START_CASE)
    if not school_ids:
        abort(403)
    definitions = startable_definitions(db, policy)
    schools = {s.id: s for s in db.scalars(select(School).where(School.id.in_(school_ids)))}
    values, errors = dict(request.form), {}
    if request.method == "POST":
        try:
            case = start_reported_case(
                db, get_services(), definitions=definitions, route_id=parse_id(request.form.get("route")),
                pupil=PupilDetails(request.form.get("naam", ""), request.form.get("groep", ""),
                                   request.form.get("geboortedatum", "")),
                actor_id=current_user.id, remote_addr=remote_addr(),
            )
        except case_service.InvalidSubmission as invalid:
            errors = invalid.errors
        else:
            flash(f"Zaak {case.reference} is gestart.", "info")
            first = next_task_in_case(db, policy, case.id)
            if first is not None:
                return redirect(url_for("tasks.show", task_id=first.id), code=303)
            return redirect(url_for("cases.show", case_id=case.id), code=303)
    return render_template("cases/start.html", definitions=definitions, schools=schools,
                           values=values, errors=errors), (422 if errors else 200)


@blueprint.get("/zaken/<int:case_id>")
def show(case_id: int):
    case = _case_or_404(case_id)
    db = get_session()
    services = get_services()
    policy = current_policy()
    school = db.get(School, case.school_id)
    variant = services.variants.get(school.variant)
    workflow = case_service.load_workflow(db, services, case)
    open_tasks = db.scalars(select(CaseTask).where(CaseTask.case_id == case.id, CaseTask.status == TaskStatus.OPEN)
                            .order_by(CaseTask.id)).all()
    timers = db.scalars(select(CaseTimer).where(CaseTimer.case_id == case.id, CaseTimer.status == TimerStatus.WAITING)
                        .order_by(CaseTimer.fires_at)).all()
    signals = workflow.receivable_signals() if case.status == CaseStatus.OPEN else {}
    acute_possible = signals.pop(ACUTE_DANGER_SIGNAL, None) is not None
    context = dict(
        case=case, school=school, variant=variant, open_tasks=open_tasks, timers=timers,
        timeline=case_timeline(db, services.forms, variant, case), notes=case_notes(db, case),
        attachments=case_attachments(db, case), signals=signals,
        acute_possible=acute_possible and policy.may_on_case(Action.RAISE_ACUTE_DANGER, db, case),
        may_signal=policy.may_on_case(Action.SIGNAL_EVENT, db, case),
        may_add=policy.may_on_case(Action.ADD_TO_DOSSIER, db, case),
        lane_labels=LANE_LABELS_BY_VALUE, now=services.now(),
    )
    _audit("case.view", case)
    db.commit()
    return render_template("cases/show.html", **context)


@blueprint.route("/zaken/<int:case_id>/acuut", methods=["GET", "POST"])
def acute(case_id: int):
    """Acute danger interrupts the regular route for good, so it is confirmed first (no JS needed)."""
    case = _case_or_404(case_id, Action.RAISE_ACUTE_DANGER)
    if request.method == "GET" or request.form.get("bevestig") != "ja":
        return _confirmation(case, ACUTE_DANGER_SIGNAL)
    try:
        case_service.raise_acute_danger(get_session(), get_services(), case_id=case.id,
                                        actor_id=current_user.id, remote_addr=remote_addr())
    except case_service.NotPossibleNow:
        flash("De acute route loopt al of de zaak is gesloten. Bel bij acuut gevaar direct "
              "112 of het meldpunt.", "error")
        return redirect(url_for("cases.show", case_id=case.id), code=303)
    flash("De acute route is gestart. Neem vandaag nog contact op met het meldpunt.", "warning")
    return redirect(url_for("cases.show", case_id=case.id), code=303)


@blueprint.route("/zaken/<int:case_id>/gebeurtenis", methods=["GET", "POST"])
def signal(case_id: int):
    case = _case_or_404(case_id, Action.SIGNAL_EVENT)
    name = request.values.get("gebeurtenis", "")
    if name == ACUTE_DANGER_SIGNAL:
        abort(400)
    if request.method == "GET" or request.form.get("bevestig") != "ja":
        return _confirmation(case, name)
    try:
        case_service.send_case_signal(get_session(), get_services(), case_id=case.id, signal=name,
                                      actor_id=current_user.id, remote_addr=remote_addr())
        flash("De gebeurtenis is vastgelegd.", "info")
    except case_service.NotPossibleNow:
        flash("Deze gebeurtenis kan in deze fase niet (meer) worden vastgelegd.", "error")
    return redirect(url_for("cases.show", case_id=case.id), code=303)


def _confirmation(case: Case, signal_name: str):
    db = get_session()
    services = get_services()
    workflow = case_service.load_workflow(db, services, case)
    receivable = workflow.receivable_signals() if case.status == CaseStatus.OPEN else {}
    school = db.get(School, case.school_id)
    variant = services.variants.get(school.variant)
    emergency = [c for c in (variant.contacts if variant else ()) if c.id in (variant.emergency_contact_ids if variant else ())]
    return render_template(
        "cases/confirm_event.html", case=case, signal=signal_name, label=workflow.signal_label(signal_name),
        possible=signal_name in receivable, acute=signal_name == ACUTE_DANGER_SIGNAL, emergency=emergency,
        open_tasks=db.scalars(select(CaseTask).where(CaseTask.case_id == case.id,
                                                     CaseTask.status == TaskStatus.OPEN)).all(),
    )


@blueprint.post("/zaken/<int:case_id>/notities")
def add_note(case_id: int):
    case = _case_or_404(case_id, Action.ADD_TO_DOSSIER)
    follows_up = request.form.get("vervolg_op", "")
    try:
        case_service.add_note(
            get_session(), get_services(), case_id=case.id, actor_id=current_user.id,
            kind=request.form.get("soort", ""), body=request.form.get("tekst", ""),
            source=request.form.get("bron"), follows_up_id=parse_id(follows_up),
            verdict=request.form.get("oordeel") or None, remote_addr=remote_addr(),
        )
        flash("Notitie toegevoegd aan het dossier.", "info")
    except case_service.InvalidSubmission as invalid:
        flash(" ".join(m for messages in invalid.errors.values() for m in messages), "error")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="notities"), code=303)


@blueprint.post("/zaken/<int:case_id>/bijlagen")
def upload_attachment(case_id: int):
    case = _case_or_404(case_id, Action.ADD_TO_DOSSIER)
    upload = request.files.get("bestand")
    try:
        case_service.add_attachment(
            get_session(), get_services(), case_id=case.id, actor_id=current_user.id,
            filename=upload.filename if upload else "", content_type=upload.mimetype if upload else "",
            content=upload.read() if upload else b"", remote_addr=remote_addr(),
        )
        flash("Bijlage toegevoegd aan het dossier.", "info")
    except case_service.InvalidSubmission as invalid:
        flash(" ".join(m for messages in invalid.errors.values() for m in messages), "error")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="bijlagen"), code=303)


@blueprint.get("/zaken/<int:case_id>/bijlagen/<int:attachment_id>")
def download_attachment(case_id: int, attachment_id: int):
    case = _case_or_404(case_id)
    db = get_session()
    attachment = db.scalar(select(Attachment).where(Attachment.id == attachment_id, Attachment.case_id == case.id))
    if attachment is None:
        abort(404)
    _audit("case.attachment_download", case, attachment_id=attachment.id)
    db.commit()
    return Response(attachment.content, mimetype=attachment.content_type, headers={
        "Content-Disposition": f'attachment; filename="{attachment.filename}"',
    })


@blueprint.get("/zaken/<int:case_id>/diagram.bpmn")
def diagram(case_id: int):
    """The diagram of the version this case started on (later versions do not apply to it)."""
    case = _case_or_404(case_id)
    _audit("case.diagram_download", case, process_version_id=case.process_version_id)
    get_session().commit()
    return Response(case.process_version.bpmn_xml, mimetype="application/xml")


@blueprint.get("/zaken/<int:case_id>/diagram.json")
def diagram_position(case_id: int):
    """What the case page's diagram viewer draws: the case's own diagram version and where the case
    stands in it. Fetched by script because the CSP allows no inline scripts."""
    case = _case_or_404(case_id)
    db = get_session()
    workflow = case_service.load_workflow(db, get_services(), case)
    current = workflow.current_elements() if case.status == CaseStatus.OPEN else []
    # Ordered by when each element was last done (the viewer opens around the latest steps); a step
    # done before and open again (a loop back) is shown as where the case is now.
    last_done = list(reversed(dict.fromkeys(reversed(workflow.completed_elements()))))
    completed = [e for e in last_done if e not in current]
    _audit("case.diagram_view", case, process_version_id=case.process_version_id)
    db.commit()
    return {
        "versie": case.process_version.number,
        "bpmn": case.process_version.bpmn_xml,
        "huidig": current,
        "afgerond": completed,
    }
