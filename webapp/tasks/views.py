"""The task list and the task page: where care coordinators spend their day."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp import get_services
from webapp.audit.log import record_audit
from webapp.auth.session import current_policy, remote_addr
from webapp.cases import service as case_service
from webapp.cases.models import CaseTask, TaskStatus
from webapp.db import get_session
from webapp.forms.submission import values_from_form_post
from webapp.roles import LANE_LABELS_BY_VALUE
from webapp.tasks.listing import (
    DUE_FILTERS,
    LISTS,
    TaskListFilters,
    filter_options,
    next_task_in_case,
    task_list,
)
from webapp.tasks.presentation import task_context

blueprint = Blueprint("tasks", __name__, template_folder="templates")


@blueprint.get("/taken")
def index():
    policy = current_policy()
    db = get_session()
    now = get_services().now()
    filters = TaskListFilters.from_args(request.args)
    rows = task_list(db, policy, filters, now)
    schools, routes = filter_options(db, policy)
    steps = sorted({row.task.name for row in rows} | ({filters.step} if filters.step else set()))
    record_audit(db, "tasklist.view", at=now, user_id=current_user.id,
                 detail={"list": filters.chosen, "case_ids": sorted({row.case.id for row in rows})},
                 remote_addr=remote_addr())
    db.commit()
    return render_template(
        "tasks/index.html", rows=rows, lists=LISTS, chosen=filters.chosen, filters=filters.as_args(),
        now=now, schools=schools, routes=routes, steps=steps, due_filters=DUE_FILTERS,
        lane_labels=LANE_LABELS_BY_VALUE,
    )


def _task_or_404(task_id: int) -> CaseTask:
    task = current_policy().visible_task(get_session(), task_id)
    if task is None:
        abort(404)
    return task


@blueprint.get("/taken/<int:task_id>")
def show(task_id: int):
    task = _task_or_404(task_id)
    db = get_session()
    context = task_context(db, get_services(), current_policy(), task)
    record_audit(db, "task.view", at=get_services().now(), user_id=current_user.id,
                 school_id=task.school_id, case_id=task.case_id, detail={"case_task_id": task.id},
                 remote_addr=remote_addr())
    db.commit()
    values = task.draft or {} if task.status == TaskStatus.OPEN else {}
    return render_template("tasks/show.html", values=values, errors={}, **context)


@blueprint.post("/taken/<int:task_id>")
def submit(task_id: int):
    task = _task_or_404(task_id)
    db = get_session()
    services = get_services()
    policy = current_policy()
    if task.status != TaskStatus.OPEN:
        flash("Deze taak is al afgerond; er is niets gewijzigd.", "warning")
        return redirect(url_for("cases.show", case_id=task.case_id), code=303)
    if not policy.may_work_on(db, task):
        abort(403)
    form = services.forms.get(task.form_key)
    values = values_from_form_post(form, request.form)
    try:
        _store_uploads(task, form, values)
    except case_service.InvalidSubmission as invalid:
        return _form_again(task, values, invalid.errors)

    if request.form.get("actie") == "opslaan":
        try:
            case_service.save_draft(db, services, case_task_id=task.id, values=values,
                                    actor_id=current_user.id, remote_addr=remote_addr())
        except case_service.InvalidSubmission as invalid:
            return _form_again(task, values, invalid.errors)
        except case_service.TaskAlreadyDone:
            flash("Deze taak is intussen afgerond; uw concept is niet opgeslagen.", "warning")
            return redirect(url_for("cases.show", case_id=task.case_id), code=303)
        flash("Concept opgeslagen. U kunt later verder gaan.", "info")
        return redirect(url_for("tasks.show", task_id=task.id), code=303)

    try:
        case_service.complete_task(db, services, case_task_id=task.id, submitted=values,
                                   actor_id=current_user.id, remote_addr=remote_addr())
    except case_service.InvalidSubmission as invalid:
        return _form_again(task, values, invalid.errors)
    except case_service.TaskAlreadyDone:
        flash("Deze taak was al afgerond; er is niets dubbel opgeslagen.", "warning")
        return redirect(url_for("cases.show", case_id=task.case_id), code=303)
    flash(f"‘{task.name}’ is afgerond.", "info")
    return redirect(_next_page(task), code=303)


def _store_uploads(task: CaseTask, form, values: dict) -> None:
    """Files are kept at once, so an invalid form never asks for them again."""
    uploads = {f.name: [u for u in request.files.getlist(f"{f.name}__upload") if u and u.filename]
               for f in form.fields if f.type == "file"}
    if not any(uploads.values()):
        return
    db = get_session()
    for name, files in uploads.items():
        for upload in files:
            attachment = case_service.add_attachment(
                db, get_services(), case_id=task.case_id, actor_id=current_user.id,
                filename=upload.filename, content_type=upload.mimetype or "", content=upload.read(),
                case_task_id=task.id, remote_addr=remote_addr(), commit=False,
            )
            values[name] = [*values.get(name, []), attachment.id]
    db.commit()


def _form_again(task: CaseTask, values: dict, errors: dict):
    db = get_session()
    context = task_context(db, get_services(), current_policy(), task)
    flash("Het formulier is nog niet compleet; zie de meldingen bij de velden.", "error")
    return render_template("tasks/show.html", values=values, errors=errors, **context), 422


def _next_page(task: CaseTask) -> str:
    """After completing: straight on to the next task in this case that is mine to do, if any."""
    next_task = next_task_in_case(get_session(), current_policy(), task.case_id)
    if next_task is not None:
        return url_for("tasks.show", task_id=next_task.id)
    return url_for("cases.show", case_id=task.case_id)


@blueprint.post("/taken/<int:task_id>/oppakken")
def claim(task_id: int):
    task = _task_or_404(task_id)
    db = get_session()
    if not current_policy().may_work_on(db, task):
        abort(403)
    try:
        case_service.claim_task(db, get_services(), case_task_id=task.id, actor_id=current_user.id,
                                remote_addr=remote_addr())
        flash("U heeft deze taak opgepakt; hij staat nu bij ‘Mijn taken’.", "info")
    except case_service.AlreadyClaimed:
        flash("Deze taak is al door iemand anders opgepakt.", "warning")
    return redirect(url_for("tasks.show", task_id=task.id), code=303)


@blueprint.post("/taken/<int:task_id>/vrijgeven")
def release(task_id: int):
    task = _task_or_404(task_id)
    if not current_policy().may_release(task):
        abort(403)
    case_service.release_task(get_session(), get_services(), case_task_id=task.id,
                              actor_id=current_user.id, remote_addr=remote_addr())
    flash("De taak is vrijgegeven voor iedereen met deze rol.", "info")
    return redirect(url_for("tasks.show", task_id=task.id), code=303)
