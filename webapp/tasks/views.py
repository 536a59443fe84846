"""The task list and the task page: where care coordinators spend their day.

Thin adapters: the read models say what a reader sees, the case commands change it; a refusal
or conflict decided under the case lock comes back here as an exception with a Dutch message.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from webapp.audit.log import record_audit
from webapp.auth.session import current_actor, current_policy
from webapp.cases import lifecycle, task_actions
from webapp.cases.dossier_actions import Upload
from webapp.cases.errors import (
    CaseNotFound,
    DraftTooLarge,
    InvalidSubmission,
    NotAllowed,
    TaskAlreadyDone,
    TaskTaken,
)
from webapp.cases.read_models import read_task, visible_task
from webapp.db import get_session
from webapp.definitions.version_forms import form_of_task
from webapp.forms.definition import FormDefinition
from webapp.forms.submission import sanitize_draft, values_from_form_post
from webapp.services import get_services
from webapp.tasks.listing import (
    DUE_FILTERS,
    LISTS,
    TaskListFilters,
    filter_options,
    inzage_task_list,
    next_task_in_case,
    task_list,
)

blueprint = Blueprint("tasks", __name__, template_folder="templates")

INVALID_FORM = "Het formulier is nog niet compleet; zie de meldingen bij de velden."
FILES_KEPT = " De gekozen bestanden zijn bewaard bij het concept; u hoeft ze niet opnieuw te kiezen."


@blueprint.get("/taken")
def index():
    policy = current_policy()
    db = get_session()
    now = get_services().now()
    filters = TaskListFilters.from_args(request.args)
    rows = task_list(db, policy, filters, now)
    inzage_rows = inzage_task_list(db, policy, filters, now)
    schools, routes = filter_options(db, policy)
    steps = sorted({row.task.name for row in rows} | {row.name for row in inzage_rows}
                   | ({filters.step} if filters.step else set()))
    record_audit(db, "tasklist.view", actor=current_actor(), at=now,
                 detail={"list": filters.chosen, "case_ids": sorted({row.case.id for row in rows}),
                         "inzage_request_ids": [row.request.id for row in inzage_rows]})
    db.commit()
    return render_template(
        "tasks/index.html", rows=rows, inzage_rows=inzage_rows, lists=LISTS, chosen=filters.chosen,
        filters=filters.as_args(), now=now, schools=schools, routes=routes, steps=steps, due_filters=DUE_FILTERS,
    )


@blueprint.get("/taken/<int:task_id>")
def show(task_id: int):
    view = _read_or_abort(task_id)
    return render_template("tasks/show.html", view=view, values=view.draft or {}, errors={})


@blueprint.post("/taken/<int:task_id>")
def submit(task_id: int):
    db, services, actor = get_session(), get_services(), current_actor()
    try:
        task = visible_task(db, services, actor, current_policy(), task_id, "task.complete")
    except CaseNotFound:
        abort(404)
    form = form_of_task(db, task)
    values = values_from_form_post(form, request.form)
    uploads = _uploads(form)
    saving_draft = request.form.get("actie") == "opslaan"
    try:
        if saving_draft:
            task_actions.save_draft(db, services, actor, task_id=task_id, values=values, uploads=uploads)
        else:
            lifecycle.complete_task(db, services, actor, task_id=task_id, submitted=values, uploads=uploads)
    except InvalidSubmission as invalid:
        return _form_again(task_id, invalid.kept or values, invalid.errors, files_kept=invalid.kept is not None)
    except DraftTooLarge as too_large:
        # What was typed stays on the page, so the user can shorten it; nothing was stored.
        view = _read_or_abort(task_id, audit=False)
        flash(too_large.message, "error")
        return render_template("tasks/show.html", view=view, values=sanitize_draft(form, values), errors={}), 413
    except TaskAlreadyDone:
        flash("Deze taak was al afgerond; er is niets (dubbel) opgeslagen." if not saving_draft else
              "Deze taak is intussen afgerond; uw concept is niet opgeslagen.", "warning")
        return redirect(url_for("cases.show", case_id=task.case_id), code=303)
    except TaskTaken as taken:
        flash(taken.message, "warning")
        return redirect(url_for("tasks.show", task_id=task_id), code=303)
    except NotAllowed:
        abort(403)
    if saving_draft:
        flash("Concept opgeslagen. U kunt later verder gaan.", "info")
        return redirect(url_for("tasks.show", task_id=task_id), code=303)
    flash(f"‘{task.name}’ is afgerond.", "info")
    return redirect(_next_page(task.case_id), code=303)


def _uploads(form: FormDefinition) -> dict[str, list[Upload]]:
    return {
        f.name: [Upload(u.filename, u.mimetype or "", u.read())
                 for u in request.files.getlist(f"{f.name}__upload") if u and u.filename]
        for f in form.fields if f.type == "file"
    }


def _form_again(task_id: int, values: dict, errors: dict, files_kept: bool):
    view = _read_or_abort(task_id, audit=False)
    flash(INVALID_FORM + (FILES_KEPT if files_kept else ""), "error")
    return render_template("tasks/show.html", view=view, values=values, errors=errors), 422


def _read_or_abort(task_id: int, audit: bool = True):
    try:
        return read_task(get_session(), get_services(), current_actor(), current_policy(), task_id, audit=audit)
    except CaseNotFound:
        abort(404)


def _next_page(case_id: int) -> str:
    """After completing: straight on to the next task in this case that is mine to do, if any."""
    next_task = next_task_in_case(get_session(), current_policy(), case_id)
    if next_task is not None:
        return url_for("tasks.show", task_id=next_task.id)
    if current_policy().visible_case(get_session(), case_id) is None:
        # e.g. the signals concern a staff member: from now on the case is the director's and board's
        flash("De zaak is nu alleen zichtbaar voor directie en bestuur.", "info")
        return url_for("tasks.index")
    return url_for("cases.show", case_id=case_id)


@blueprint.post("/taken/<int:task_id>/oppakken")
def claim(task_id: int):
    try:
        task_actions.claim_task(get_session(), get_services(), current_actor(), task_id=task_id)
        flash("U heeft deze taak opgepakt; hij staat nu bij ‘Mijn taken’.", "info")
    except TaskTaken:
        flash("Deze taak is al door iemand anders opgepakt.", "warning")
    except TaskAlreadyDone:
        flash("Deze taak is al afgerond.", "warning")
    except CaseNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    return redirect(url_for("tasks.show", task_id=task_id), code=303)


@blueprint.post("/taken/<int:task_id>/vrijgeven")
def release(task_id: int):
    try:
        released = task_actions.release_task(get_session(), get_services(), current_actor(), task_id=task_id)
    except TaskAlreadyDone:
        flash("Deze taak is al afgerond.", "warning")
        return redirect(url_for("tasks.show", task_id=task_id), code=303)
    except CaseNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    flash("De taak is vrijgegeven voor iedereen met deze rol." if released else
          "Deze taak was door niemand opgepakt; er is niets veranderd.", "info")
    return redirect(url_for("tasks.show", task_id=task_id), code=303)
