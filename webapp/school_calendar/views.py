"""The school calendar page: the beheerder sets the holiday region and adds study days; the
director and the board read it (it decides the due dates of deadlines in school days)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from webapp.auth.policy import Action
from webapp.auth.session import current_actor, current_policy
from webapp.db import get_session
from webapp.ids import parse_id
from webapp.school_calendar import service
from webapp.school_calendar.models import SchoolDayOff
from webapp.schools.models import School
from webapp.services import get_services

blueprint = Blueprint("school_calendar", __name__, template_folder="templates")

CALENDAR_READERS = (Action.MANAGE_SCHOOL_CALENDAR, Action.MONITOR_SCHOOL)


def readable_school_ids(policy) -> list[int]:
    return sorted({s for action in CALENDAR_READERS for s in policy.schools_where(action)})


@blueprint.route("/schoolkalender", methods=["GET", "POST"])
def calendar():
    db, services, actor, policy = get_session(), get_services(), current_actor(), current_policy()
    readable = readable_school_ids(policy)
    if not readable:
        abort(403)
    editable = set(policy.schools_where(Action.MANAGE_SCHOOL_CALENDAR))
    errors: dict[int, str] = {}
    if request.method == "POST":
        school_id = parse_id(request.form.get("school"))
        if school_id not in editable:
            abort(403 if school_id in readable else 404)
        school = db.get(School, school_id)
        action = request.form.get("actie", "")
        try:
            if action == "regio":
                service.set_holiday_region(db, actor, services.now(), school, request.form.get("regio") or None)
                message = "De regio voor de schoolvakanties is opgeslagen."
            elif action == "toevoegen":
                row = service.add_day_off(db, actor, services.now(), school, request.form.get("datum", ""),
                                          request.form.get("omschrijving", ""))
                message = f"{row.day:%d-%m-%Y} ({row.label}) staat in de kalender."
            elif action == "verwijderen":
                service.remove_day_off(db, actor, services.now(), school, parse_id(request.form.get("dag")))
                message = "De dag is uit de kalender verwijderd."
            else:
                raise service.CalendarError("Onbekende handeling.")
        except service.CalendarError as error:
            db.rollback()
            errors[school_id] = str(error)
        else:
            flash(message, "info")
            return redirect(url_for("school_calendar.calendar"), code=303)
    schools = list(db.scalars(select(School).where(School.id.in_(readable)).order_by(School.name)))
    today = services.now().date()
    days_off = {school.id: list(db.scalars(select(SchoolDayOff).where(SchoolDayOff.school_id == school.id)
                                           .order_by(SchoolDayOff.day))) for school in schools}
    closed = {school.id: service.closed_days_ahead(db, school, today) for school in schools}
    return render_template("school_calendar/calendar.html", schools=schools, editable=editable, errors=errors,
                           days_off=days_off, closed=closed, regions=service.HOLIDAY_REGIONS,
                           values=request.form), (422 if errors else 200)
