"""Gebruikersbeheer pages: thin adapters over `webapp.auth.user_admin`."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from webapp.audit.log import record_audit
from webapp.auth import user_admin
from webapp.auth.password_links import LinkSettings
from webapp.auth.policy import Action
from webapp.auth.session import current_actor, current_policy
from webapp.db import get_session
from webapp.roles import Role
from webapp.services import get_services

blueprint = Blueprint("users", __name__, template_folder="templates")


def _beheerder_only():
    if not current_policy().schools_where(Action.MANAGE_ACCOUNTS):
        abort(403)


def visible_user_or_404(user_id: int, action: str):
    """The user, when this beheerder manages them; otherwise the refusal is audited and 404."""
    db = get_session()
    user = current_policy().visible_user(db, user_id)
    if user is None:
        record_audit(db, "auth.refused", actor=current_actor(), at=get_services().now(),
                     detail={"actie": action, "gebruiker": user_id})
        db.commit()
        abort(404)
    return user


def _form_page(template: str, status: int, **context):
    db = get_session()
    return render_template(template, schools=user_admin.managed_schools(db, current_policy()), roles=list(Role),
                           **context), status


@blueprint.get("/gebruikers")
def index():
    _beheerder_only()
    db = get_session()
    policy = current_policy()
    rows = user_admin.list_users(db, policy)
    record_audit(db, "accounts.users_listed", actor=current_actor(), at=get_services().now(),
                 detail={"aantal": len(rows)})
    db.commit()
    return _form_page("users/index.html", 200, rows=rows,
                      school_names={s.id: s.name for s in user_admin.managed_schools(db, policy)})


@blueprint.route("/gebruikers/nieuw", methods=["GET", "POST"])
def create():
    _beheerder_only()
    errors, form = {}, request.form
    if request.method == "POST":
        db = get_session()
        now = get_services().now()
        try:
            user = user_admin.create_user(
                db, current_policy(), current_actor(), name=form.get("naam"), email=form.get("email"),
                school=form.get("school"), role=form.get("rol"), now=now,
                settings=LinkSettings.from_config(current_app.config))
        except user_admin.AccountRefused as refused:
            db.rollback()
            errors = refused.errors
        else:
            db.commit()
            flash(f"Account voor {user.display_name} gemaakt. {user.email} krijgt een e-mail met een link om "
                  "een wachtwoord in te stellen.", "info")
            return redirect(url_for("users.show", user_id=user.id), code=303)
    return _form_page("users/new.html", 422 if errors else 200, errors=errors, form=form)


def _show(user, status: int = 200, errors: dict | None = None):
    db = get_session()
    policy = current_policy()
    return _form_page("users/show.html", status, managed=user_admin.describe(db, policy, user),
                      whole_account=policy.manages_whole_account(db, user.id), errors=errors or {},
                      school_names={s.id: s.name for s in user_admin.managed_schools(db, policy)})


@blueprint.get("/gebruikers/<int:user_id>")
def show(user_id: int):
    user = visible_user_or_404(user_id, "gebruiker_bekijken")
    db = get_session()
    record_audit(db, "accounts.user_viewed", actor=current_actor(), at=get_services().now(),
                 detail={"gebruiker": user.id})
    db.commit()
    return _show(user)


def _change(user_id: int, action: str, command, done: str):
    user = visible_user_or_404(user_id, action)
    db = get_session()
    try:
        command(db, user, get_services().now())
    except user_admin.AccountRefused as refused:
        db.rollback()
        return _show(user, 422, refused.errors)
    db.commit()
    flash(done, "info")
    return redirect(url_for("users.show", user_id=user.id), code=303)


@blueprint.post("/gebruikers/<int:user_id>")
def update(user_id: int):
    return _change(user_id, "gebruiker_wijzigen", lambda db, user, now: user_admin.update_user(
        db, current_policy(), current_actor(), user, name=request.form.get("naam"),
        email=request.form.get("email"), now=now), "De gegevens zijn opgeslagen.")


@blueprint.post("/gebruikers/<int:user_id>/rollen")
def add_membership(user_id: int):
    return _change(user_id, "rol_toevoegen", lambda db, user, now: user_admin.add_membership(
        db, current_policy(), current_actor(), user, school=request.form.get("school"),
        role=request.form.get("rol"), now=now), "De rol is toegevoegd.")


@blueprint.post("/gebruikers/<int:user_id>/rollen/intrekken")
def remove_membership(user_id: int):
    return _change(user_id, "rol_intrekken", lambda db, user, now: user_admin.remove_membership(
        db, current_policy(), current_actor(), user, school=request.form.get("school"),
        role=request.form.get("rol"), now=now), "De rol is ingetrokken; de sessies van de gebruiker zijn beëindigd.")


@blueprint.post("/gebruikers/<int:user_id>/actief")
def set_active(user_id: int):
    active = request.form.get("actief") == "ja"
    return _change(user_id, "activering", lambda db, user, now: user_admin.set_active(
        db, current_policy(), current_actor(), user, active=active, now=now),
        "Het account is geactiveerd." if active else "Het account is gedeactiveerd; de sessies zijn beëindigd.")


@blueprint.post("/gebruikers/<int:user_id>/wachtwoordlink")
def send_password_link(user_id: int):
    return _change(user_id, "wachtwoordlink", lambda db, user, now: user_admin.send_password_link(
        db, current_policy(), current_actor(), user, now=now, settings=LinkSettings.from_config(current_app.config)),
        "De gebruiker krijgt een e-mail met een link om een wachtwoord in te stellen.")


@blueprint.post("/gebruikers/tweestapsverificatie")
def second_factor_setting():
    """Per school: whether its coordinators and directors must use a second factor."""
    _beheerder_only()
    db = get_session()
    required = request.form.get("verplicht") == "ja"
    try:
        school = user_admin.require_second_factor(db, current_policy(), current_actor(),
                                                  school=request.form.get("school"), required=required,
                                                  now=get_services().now())
    except user_admin.AccountRefused as refused:
        db.rollback()
        flash(" ".join(refused.errors.values()), "error")
        return redirect(url_for("users.index"), code=303)
    db.commit()
    flash(f"Tweestapsverificatie is op {school.name} {'verplicht' if required else 'niet meer verplicht'} "
          "voor intern begeleiders en directeuren.", "info")
    return redirect(url_for("users.index"), code=303)
