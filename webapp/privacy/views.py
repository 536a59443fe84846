"""Pages for the AVG: inzage requests and their exports, and the school's retention terms."""
from __future__ import annotations

import json

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
from sqlalchemy import select

from webapp.audit.log import record_audit
from webapp.auth.policy import Action
from webapp.auth.session import current_actor, current_policy
from webapp.cases.errors import CaseNotFound, InvalidSubmission, NotAllowed
from webapp.clock import as_school_time
from webapp.db import get_session
from webapp.ids import parse_id
from webapp.privacy import inzage, retention
from webapp.privacy.models import RetentionTerm
from webapp.schools.models import Board, School
from webapp.services import get_services

blueprint = Blueprint("privacy", __name__, template_folder="templates")

# Who may read the terms: the beheerder keeps them, the board (which sets them) and the director see them.
RETENTION_READERS = (Action.MANAGE_RETENTION, Action.MONITOR_SCHOOL)


def _schools(ids) -> list[School]:
    return list(get_session().scalars(select(School).where(School.id.in_(sorted(ids))).order_by(School.name)))


@blueprint.route("/inzage", methods=["GET", "POST"])
def requests():
    db, services, actor, policy = get_session(), get_services(), current_actor(), current_policy()
    school_ids = policy.schools_where(Action.HANDLE_INZAGE)
    if not school_ids:
        abort(403)
    values, errors = dict(request.form), {}
    if request.method == "POST":
        try:
            recorded = inzage.record_request(
                db, services, actor, policy, school_id=parse_id(request.form.get("school")) or school_ids[0],
                pupil_name=request.form.get("naam", ""), date_of_birth=request.form.get("geboortedatum", ""),
                requested_by=request.form.get("verzocht_door", ""), requested_on=request.form.get("verzocht_op", ""))
        except InvalidSubmission as invalid:
            errors = invalid.errors
        except NotAllowed:
            abort(403)
        else:
            flash(f"Het inzageverzoek is vastgelegd; beantwoorden uiterlijk {recorded.due_on:%d-%m-%Y}. "
                  "Het staat als taak in de takenlijst.", "info")
            return redirect(url_for("privacy.requests"), code=303)
    return _requests_page(values, errors)


def _requests_page(values: dict, errors: dict, answering: int | None = None, answer_values: dict | None = None):
    """The list of requests with the form for a new one; `answering`: the request whose answer
    form came back with errors (shown open, with what was entered)."""
    db, services, actor, policy = get_session(), get_services(), current_actor(), current_policy()
    rows = inzage.open_requests(db, policy)
    record_audit(db, "inzage.list_view", actor=actor, at=services.now(),
                 detail={"inzage_request_ids": [r.id for r in rows]})
    db.commit()
    school_ids = policy.schools_where(Action.HANDLE_INZAGE)
    return render_template("privacy/inzage.html", rows=rows, schools=_schools(school_ids),
                           as_board=all(policy.answers_inzage_as_board(s) for s in school_ids), values=values, errors=errors, answering=answering, answer_values=answer_values or {},
                           answers=inzage.ANSWERS, now=services.now(),
                           today=as_school_time(services.now()).date()), (422 if errors else 200)


def _export(request_id: int):
    try:
        return inzage.make_export(get_session(), get_services(), current_actor(), current_policy(), request_id)
    except CaseNotFound:
        abort(404)


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blueprint.get("/inzage/<int:request_id>/inzage.pdf")
def export_pdf(request_id: int):
    export = _export(request_id)
    return _download(export.pdf, "application/pdf", f"{_ascii(export.filename_stem)}.pdf")


@blueprint.get("/inzage/<int:request_id>/inzage.json")
def export_json(request_id: int):
    export = _export(request_id)
    return _download(json.dumps(export.data, ensure_ascii=False, indent=2).encode("utf-8"), "application/json",
                     f"{_ascii(export.filename_stem)}.json")


@blueprint.get("/inzage/<int:request_id>/inzage.zip")
def export_zip(request_id: int):
    export = _export(request_id)
    return _download(export.zip_bytes(), "application/zip", f"{_ascii(export.filename_stem)}.zip")


@blueprint.post("/inzage/<int:request_id>/beantwoord")
def answered(request_id: int):
    answer, reason = request.form.get("uitkomst", ""), request.form.get("reden", "")
    try:
        changed = inzage.answer_request(get_session(), get_services(), current_actor(), current_policy(),
                                        request_id, answer=answer, reason=reason)
    except CaseNotFound:
        abort(404)
    except InvalidSubmission as invalid:
        return _requests_page({}, {f"antwoord-{request_id}-{k}": v for k, v in invalid.errors.items()},
                              answering=request_id, answer_values={"uitkomst": answer, "reden": reason})
    if changed:
        flash("Het inzageverzoek is beantwoord: " + inzage.ANSWERS[answer] + ".", "info")
    else:
        flash("Dit inzageverzoek was al beantwoord.", "info")
    return redirect(url_for("privacy.requests"), code=303)


def _ascii(stem: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in stem)


@blueprint.route("/bewaartermijnen", methods=["GET", "POST"])
def retention_terms():
    db, services, actor, policy = get_session(), get_services(), current_actor(), current_policy()
    readable = sorted({s for action in RETENTION_READERS for s in policy.schools_where(action)})
    if not readable:
        abort(403)
    editable = set(policy.schools_where(Action.MANAGE_RETENTION))
    errors: dict[str, str] = {}
    boards = _boards_of(_schools(readable))
    if request.method == "POST":
        category = request.form.get("categorie", "")
        board_id = parse_id(request.form.get("bestuur"))
        if board_id is not None:
            # A board's term for all its schools: only for whoever keeps the terms of every one of them.
            board = boards.get(board_id)
            school_ids = [school.id for school in board["schools"]] if board else []
            key = f"bestuur-{board_id}:{category}"
        else:
            school_ids = [parse_id(request.form.get("school"))]
            key = f"{school_ids[0]}:{category}"
        if not school_ids or not set(school_ids) <= editable:
            abort(403)
        try:
            term = retention.set_terms(db, actor, services.now(), school_ids=school_ids, category=category,
                                       term=request.form.get("termijn", ""))
        except retention.InvalidTerm as invalid:
            errors[key] = str(invalid)
        else:
            flash(f"Bewaartermijn opgeslagen: {retention.CATEGORIES[category].label} — "
                  f"{retention.describe_term(term)}.", "info")
            return redirect(url_for("privacy.retention_terms"), code=303)
    schools = _schools(readable)
    terms = {school.id: retention.terms_for(db, school.id) for school in schools}
    changed = {(row.school_id, row.category): row for row in db.scalars(
        select(RetentionTerm).where(RetentionTerm.school_id.in_(readable)))}
    log = retention.recent_destructions(db, readable)
    return render_template("privacy/retention.html", schools=schools, terms=terms, changed=changed,
                           editable=editable, categories=retention.CATEGORIES, describe=retention.describe_term,
                           boards=[b for b in boards.values() if len(b["schools"]) > 1
                                   and {s.id for s in b["schools"]} <= editable],
                           destructions=log, errors=errors), (422 if errors else 200)


def _boards_of(schools: list[School]) -> dict[int, dict]:
    """The boards of these schools with all their schools (a board's term covers every one of them)."""
    board_ids = {school.board_id for school in schools if school.board_id}
    boards = {}
    for board in get_session().scalars(select(Board).where(Board.id.in_(sorted(board_ids)))):
        boards[board.id] = {"board": board, "schools": sorted(board.schools, key=lambda s: s.name)}
    return boards
