"""The monitor: dashboard, the cases behind its numbers, yearly figures, a case's audit trail.

Directors see their school's cases behind every number; board members the same figures without
any case (counts below 5 suppressed in the yearly figures). Every read is in the audit trail.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for

from webapp.audit.log import record_audit
from webapp.auth.policy import Action
from webapp.auth.session import current_actor, current_policy
from webapp.clock import as_school_time
from webapp.db import get_session
from webapp.monitor.audit_trail import AuditFilters, audit_csv, read_audit_trail
from webapp.monitor.dashboard import (
    KINDS,
    Filters,
    Moments,
    cases_behind,
    read_dashboard,
    with_step,
)
from webapp.monitor.durations import GRAINS, QUICK_PICKS, Period, read_period_durations
from webapp.monitor.figures import (
    YearFigures,
    figures_csv,
    figures_pdf,
    figures_title,
    open_chart,
    open_over_time,
    outcome_chart,
    read_figures,
)
from webapp.monitor.process_view import (
    definitions_in_scope,
    read_process_view,
    schools_reached,
)
from webapp.monitor.scope import (
    MonitorScope,
    end_of_day,
    monitor_scope,
    parse_day,
    start_of_day,
)
from webapp.outcome_kinds import OUTCOME_LABELS
from webapp.school_calendar.service import school_calendars
from webapp.services import get_services

blueprint = Blueprint("monitor", __name__, template_folder="templates")


def _scope() -> MonitorScope:
    school = request.args.get("school") or None
    scope = monitor_scope(get_session(), current_policy(), school[:80] if school else None)
    if scope.is_empty:
        abort(404 if school and current_policy().schools_where(Action.MONITOR_SCHOOL) else 403)
    return scope


def _audit_read(action: str, scope: MonitorScope, detail: dict) -> None:
    session = get_session()
    single = scope.school_ids[0] if len(scope.school_ids) == 1 else None
    record_audit(session, action, actor=current_actor(), at=get_services().now(), school_id=single,
                 detail={"scholen": scope.school_ids, **detail})
    session.commit()


@blueprint.get("/monitor")
def dashboard():
    scope = _scope()
    services = get_services()
    now = services.now()
    filters = Filters.from_args(request.args, now, parse_day)
    moments = Moments.at(now, services.environment.calendar)
    view = read_dashboard(get_session(), scope, filters, moments)
    _audit_read("monitor.dashboard", scope, {"route": filters.route, "stap": filters.step})
    all_schools = monitor_scope(get_session(), current_policy()).schools
    school_slug = request.args.get("school") or None
    return render_template("monitor/dashboard.html", view=view, kinds=KINDS, all_schools=all_schools,
                           school_slug=school_slug, link_args=filters.link_args(school_slug),
                           step_args=lambda element: with_step(filters, element).link_args(school_slug))


@blueprint.get("/monitor/zaken")
def cases():
    scope = _scope()
    if not scope.detailed:
        abort(403)
    kind = request.args.get("soort", "open")
    if kind not in KINDS:
        kind = "open"
    services = get_services()
    now = services.now()
    filters = Filters.from_args(request.args, now, parse_day)
    lines, total = cases_behind(get_session(), scope, kind, filters,
                                Moments.at(now, services.environment.calendar))
    _audit_read("monitor.cases", scope, {"soort": kind, "zaken": [line.case_id for line in lines]})
    school_slug = request.args.get("school") or None
    return render_template("monitor/cases.html", lines=lines, total=total, kind=kind, title=KINDS[kind],
                           link_args=filters.link_args(school_slug))


# -- yearly figures ---------------------------------------------------------------------------

def _year() -> int:
    try:
        year = int(request.args.get("jaar", ""))
    except ValueError:
        year = as_school_time(get_services().now()).year
    return min(max(year, 2000), 2100)


def _figures(scope: MonitorScope, year: int) -> YearFigures:
    # A director's own school: exact counts. Any page showing a school where the reader only sees
    # figures (a board member) suppresses small counts, for every school on it.
    return read_figures(get_session(), list(scope.schools), year,
                        school_calendars(get_session(), scope.school_ids, get_services().environment.calendar),
                        suppressed=not scope.detailed)


@blueprint.get("/monitor/cijfers")
def figures():
    scope, year = _scope(), _year()
    data = _figures(scope, year)
    now = as_school_time(get_services().now())
    months = open_over_time(get_session(), scope.school_ids, year)
    if year == now.year:
        months = months[:now.month - 1]  # only months that have ended
    elif year > now.year:
        months = []
    _audit_read("monitor.figures", scope, {"jaar": year})
    school_slug = request.args.get("school") or None
    return render_template("monitor/figures.html", figures=data, scope=scope, year=year, school_slug=school_slug,
                           all_schools=monitor_scope(get_session(), current_policy()).schools,
                           chart=outcome_chart, outcome_labels=OUTCOME_LABELS,
                           open_bars=open_chart(months, data))


@blueprint.get("/monitor/cijfers.<formaat>")
def figures_download(formaat: str):
    if formaat not in ("csv", "pdf"):
        abort(404)
    scope, year = _scope(), _year()
    data = _figures(scope, year)
    _audit_read("monitor.figures_download", scope, {"jaar": year, "formaat": formaat})
    name = scope.schools[0].slug if len(scope.schools) == 1 else "bestuur"
    if formaat == "csv":
        body, mimetype = figures_csv(data), "text/csv; charset=utf-8"
    else:
        body, mimetype = figures_pdf(data, figures_title(scope.schools, year)), "application/pdf"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="meldcode-cijfers-{name}-{year}.{formaat}"'})


# -- durations over a chosen period --------------------------------------------------------------

@blueprint.get("/monitor/doorlooptijden")
def durations():
    scope = _scope()
    services = get_services()
    now = services.now()
    period = Period.from_args(request.args, as_school_time(now).date(), parse_day)
    view = read_period_durations(get_session(), scope, period, now,
                                 school_calendars(get_session(), scope.school_ids, services.environment.calendar))
    _audit_read("monitor.durations", scope, {"van": period.first.isoformat(), "tot": period.last.isoformat()})
    school_slug = request.args.get("school") or None
    return render_template("monitor/durations.html", view=view, period=period, quick_picks=QUICK_PICKS,
                           grains=GRAINS, school_slug=school_slug,
                           all_schools=monitor_scope(get_session(), current_policy()).schools,
                           open_bars=open_chart(view.open_points, view))


# -- a case's audit trail -----------------------------------------------------------------------

@blueprint.get("/monitor/zaken/<int:case_id>/audittrail")
def case_audit(case_id: int):
    session, policy = get_session(), current_policy()
    case = policy.visible_case(session, case_id, Action.VIEW_CASE_AUDIT)
    if case is None:
        abort(403 if policy.visible_case(session, case_id) is not None else 404)
    user = request.args.get("wie") or ""
    kind = (request.args.get("soort") or "")[:40]
    since, until = parse_day(request.args.get("van")), parse_day(request.args.get("tot"))
    filters = AuditFilters(kind=kind, user_id=int(user) if user.isdigit() and len(user) < 10 else None,
                           since=start_of_day(since) if since else None, until=end_of_day(until) if until else None)
    trail = read_audit_trail(session, case.id, filters)
    csv_wanted = request.args.get("formaat") == "csv"
    record_audit(session, "case.audit_read", actor=current_actor(), at=get_services().now(),
                 school_id=case.school_id, case_id=case.id,
                 detail={"soort": kind, "wie": filters.user_id, "csv": csv_wanted})
    session.commit()
    if csv_wanted:
        return Response(audit_csv(trail), mimetype="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="audittrail-{case.reference}.csv"'})
    return render_template("monitor/audit.html", case=case, trail=trail, filters=filters,
                           args={k: v for k, v in request.args.items() if k in ("wie", "soort", "van", "tot")})


# -- the process view ---------------------------------------------------------------------------

def _process_view():
    """The chosen route of a school in scope (`diagram` = definition id; the first one by default)
    and its version (`versie` = number; the published one by default); 404 when not in scope."""
    scope = _scope()
    session = get_session()
    definitions = definitions_in_scope(session, scope)
    wanted = request.args.get("diagram", "")
    definition = next((d for d in definitions if str(d.id) == wanted), None) if wanted else \
        (definitions[0] if definitions else None)
    version = request.args.get("versie", "")
    number = int(version) if version.isdigit() and len(version) < 7 else None
    view = read_process_view(session, scope, definition, number, get_services().now()) if definition else None
    if view is None or (version and number is None):
        abort(404)
    return scope, definitions, view


def _link_school(scope: MonitorScope, definition) -> str | None:
    """The school the process view's links narrow to: the route's; none for a board's route run
    at several schools of the scope (the link then covers them all)."""
    reached = schools_reached(scope, definition)
    return next(s.slug for s in scope.schools if s.id == reached[0]) if len(reached) == 1 else None


@blueprint.get("/monitor/proces")
def process():
    scope, definitions, view = _process_view()
    _audit_read("monitor.process_view", scope, {"process_version_id": view.version.id})
    schools = {s.id: s for s in scope.schools}
    return render_template("monitor/process.html", scope=scope, definitions=definitions, view=view,
                           schools=schools, school_slug=request.args.get("school") or None,
                           link_school=_link_school(scope, view.definition),
                           position_url=url_for("monitor.process_position", **request.args))


@blueprint.get("/monitor/proces.json")
def process_position():
    """What the process view's diagram viewer draws: the version's BPMN, and per activity the open
    cases there, how many are past their term, the heat, and (for a director) the link to them."""
    scope, _, view = _process_view()
    slug = _link_school(scope, view.definition)
    activities = {}
    for element, figures in view.activities.items():
        entry = {"aantal": figures.count, "te_laat": figures.overdue, "warmte": figures.heat}
        if scope.detailed:
            entry["link"] = url_for("monitor.cases", soort="open", school=slug,
                                    route=view.definition.route_key, stap=element)
        activities[element] = entry
    return {"versie": view.version.number, "bpmn": view.version.bpmn_xml, "huidig": [], "afgerond": [],
            "activiteiten": activities}
