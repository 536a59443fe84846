"""The yearly figures of the texts' *interne evaluatie*: per school and per board, anonymous.

Per route: how often a suspicion was raised (cases started in the year), how closed cases were
handled (`cases.outcome_kind`), meldingen to Veilig Thuis / AMK and acute danger in the year, and
per step how long it took in working days (median and 90th percentile, from the task's creation
to its completion, completed in the year). No pupil data at all. Board figures (any page that is
not the director's own school) show counts from 1 to 4 as "< 5", and no durations over fewer than
five steps, so a single child cannot be recognised in them.
"""
from __future__ import annotations

import csv
import io
import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from webapp.cases.models import Case, CaseTask, TaskStatus
from webapp.cases.outcomes import recorded_step_is_melding
from webapp.clock import SCHOOL_TIMEZONE, as_school_time
from webapp.definitions.models import ProcessDefinition
from webapp.definitions.service import reaching_schools
from webapp.engine.due_dates import WorkingDayCalendar
from webapp.outcome_kinds import OUTCOME_LABELS, OutcomeKind
from webapp.privacy.models import CaseStatistics
from webapp.school_calendar.service import SchoolCalendars
from webapp.schools.models import School

SUPPRESS_BELOW = 5
SUPPRESSED = "< 5"
BOARD_TOTAL = "Alle scholen"


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return (datetime(year, 1, 1, tzinfo=SCHOOL_TIMEZONE), datetime(year + 1, 1, 1, tzinfo=SCHOOL_TIMEZONE))


def percentile(values: list[int], share: float) -> int:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


@dataclass
class RouteFigures:
    route_key: str
    name: str
    raised: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_LABELS, 0))
    meldingen: int = 0
    acute: int = 0

    @property
    def closed(self) -> int:
        return sum(self.outcomes.values())


class WorkingDaySample:
    """Durations in working days (`days`, a field of each subclass), with how many, the median and
    the 90th percentile."""

    days: list[int]

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def median(self) -> float:
        return statistics.median(self.days)

    @property
    def p90(self) -> int:
        return percentile(self.days, 0.9)


@dataclass
class StepDuration(WorkingDaySample):
    route_key: str
    element_id: str
    name: str
    days: list[int]


@dataclass
class RouteDuration(WorkingDaySample):
    """A route from start to close, per case closed in the period."""

    route_key: str
    name: str
    days: list[int]


def shown_count(n: int, suppressed: bool) -> str:
    return SUPPRESSED if suppressed and 0 < n < SUPPRESS_BELOW else str(n)


def shown_duration(sample: WorkingDaySample, which: str, suppressed: bool) -> str:
    if suppressed and sample.count < SUPPRESS_BELOW:
        return "–"
    value = sample.median if which == "median" else sample.p90
    return f"{value:g}".replace(".", ",")


@dataclass
class SchoolFigures:
    name: str
    routes: list[RouteFigures]
    durations: list[StepDuration]


@dataclass
class YearFigures:
    year: int
    suppressed: bool
    schools: list[SchoolFigures]  # one per school, then the board total when there are several

    def count(self, n: int) -> str:
        return shown_count(n, self.suppressed)

    def duration(self, step: StepDuration, which: str) -> str:
        return shown_duration(step, which, self.suppressed)


def read_figures(session: Session, schools: list[School], year: int, calendars: SchoolCalendars, *,
                 suppressed: bool) -> YearFigures:
    per_school = [_school_figures(session, school, year, calendars) for school in schools]
    if len(per_school) > 1:
        per_school.append(_total(per_school))
    return YearFigures(year, suppressed, per_school)


def _school_figures(session: Session, school: School, year: int, calendars: SchoolCalendars) -> SchoolFigures:
    start, end = year_bounds(year)
    routes = {key: RouteFigures(key, name) for key, name in session.execute(
        select(ProcessDefinition.route_key, ProcessDefinition.name)
        .where(reaching_schools([school.id])).order_by(ProcessDefinition.name))}

    def per_route(moment_column, *extra, group=None):
        columns = [ProcessDefinition.route_key] + ([group] if group is not None else [])
        return session.execute(
            select(*columns, func.count(Case.id))
            .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
            .where(Case.school_id == school.id, moment_column >= start, moment_column < end, *extra)
            .group_by(*columns))

    for key, n in per_route(Case.started_at):
        routes[key].raised = n
    for key, kind, n in per_route(Case.closed_at, group=Case.outcome_kind):
        outcomes = routes[key].outcomes
        kind = kind if kind in outcomes else OutcomeKind.OTHER
        outcomes[kind] += n
    for key, n in per_route(Case.acute_raised_at):
        routes[key].acute = n
    for key, n in session.execute(
            select(ProcessDefinition.route_key, func.count(CaseTask.id))
            .join(Case, Case.id == CaseTask.case_id)
            .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
            .where(CaseTask.school_id == school.id, CaseTask.status == TaskStatus.COMPLETED,
                   CaseTask.melding.is_(True),
                   CaseTask.completed_at >= start, CaseTask.completed_at < end)
            .group_by(ProcessDefinition.route_key)):
        routes[key].meldingen = n

    for record, step, _, _ in _destroyed_steps(session, [school.id], start, end):
        if recorded_step_is_melding(step) and record.route_key in routes:
            routes[record.route_key].meldingen += 1
    return SchoolFigures(school.name, list(routes.values()),
                         step_durations(session, [school.id], start, end, calendars))


def _working_days(calendar: WorkingDayCalendar, opened: datetime, done: datetime) -> int:
    return calendar.working_days_between(as_school_time(opened).date(), as_school_time(done).date())


def step_durations(session: Session, school_ids: list[int], start: datetime, end: datetime,
                   calendars: SchoolCalendars) -> list[StepDuration]:
    """Per route and step, the school days from a task's creation to its completion (each on its
    own school's calendar), for the tasks completed in [start, end) at these schools (destroyed
    dossiers included)."""
    steps: dict[tuple[str, str], StepDuration] = {}
    for key, element, name, created, completed, school_id in session.execute(
            select(ProcessDefinition.route_key, CaseTask.element_id, CaseTask.name, CaseTask.created_at,
                   CaseTask.completed_at, CaseTask.school_id)
            .join(Case, Case.id == CaseTask.case_id)
            .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
            .where(and_(CaseTask.school_id.in_(school_ids), CaseTask.status == TaskStatus.COMPLETED,
                        CaseTask.completed_at >= start, CaseTask.completed_at < end))
            .order_by(CaseTask.id)):
        step = steps.setdefault((key, element), StepDuration(key, element, name, []))
        step.days.append(_working_days(calendars.of(school_id), created, completed))
    for record, step, opened, done in _destroyed_steps(session, school_ids, start, end):
        steps.setdefault((record.route_key, step["element"]),
                         StepDuration(record.route_key, step["element"], step["name"], [])
                         ).days.append(_working_days(calendars.of(record.school_id), opened, done))
    return sorted(steps.values(), key=lambda s: (s.route_key, s.element_id))


def route_durations(session: Session, school_ids: list[int], start: datetime, end: datetime,
                    calendars: SchoolCalendars) -> list[RouteDuration]:
    """Per route, the school days from a case's start to its close (on its school's calendar), for
    the cases closed in [start, end) at these schools (a destroyed dossier keeps its case row, so it
    counts too)."""
    routes: dict[str, RouteDuration] = {}
    for key, name, started, closed, school_id in session.execute(
            select(ProcessDefinition.route_key, ProcessDefinition.name, Case.started_at, Case.closed_at,
                   Case.school_id)
            .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)
            .where(Case.school_id.in_(school_ids), Case.closed_at >= start, Case.closed_at < end)
            .order_by(Case.id)):
        routes.setdefault(key, RouteDuration(key, name, [])).days.append(
            _working_days(calendars.of(school_id), started, closed))
    return sorted(routes.values(), key=lambda r: r.name)


def _destroyed_steps(session: Session, school_ids: list[int], start: datetime, end: datetime):
    """The completed steps, done in [start, end), of the dossiers destroyed at these schools: a
    destroyed dossier keeps its case row (dates, outcome, acute) but not its tasks, so its steps
    come from the anonymous record it left (webapp.privacy). Yields (record, step, opened, done)."""
    records = session.scalars(select(CaseStatistics).where(CaseStatistics.school_id.in_(school_ids),
                                                           CaseStatistics.destroyed_at >= start)
                              .order_by(CaseStatistics.id))
    for record in records:
        for step in record.steps:
            if step.get("status") != TaskStatus.COMPLETED or not step.get("done"):
                continue
            done, opened = datetime.fromisoformat(step["done"]), datetime.fromisoformat(step["opened"])
            if start <= done < end:
                yield record, step, opened, done


def _total(schools: list[SchoolFigures]) -> SchoolFigures:
    routes: dict[str, RouteFigures] = {}
    steps: dict[tuple[str, str], StepDuration] = {}
    for school in schools:
        for r in school.routes:
            total = routes.setdefault(r.route_key, RouteFigures(r.route_key, r.name))
            total.raised += r.raised
            total.meldingen += r.meldingen
            total.acute += r.acute
            for kind, n in r.outcomes.items():
                total.outcomes[kind] += n
        for s in school.durations:
            steps.setdefault((s.route_key, s.element_id), StepDuration(s.route_key, s.element_id, s.name, [])
                             ).days.extend(s.days)
    return SchoolFigures(BOARD_TOTAL, sorted(routes.values(), key=lambda r: r.name),
                         sorted(steps.values(), key=lambda s: (s.route_key, s.element_id)))


def figures_title(schools, year: int) -> str:
    names = ", ".join(s.name for s in schools)
    return f"Meldcode: jaarcijfers {year} — {names}"


# -- downloads -----------------------------------------------------------------------------

CSV_HEADER = ["Jaar", "School", "Route", "Cijfer", "Aantal", "Mediaan (schooldagen)", "P90 (schooldagen)"]


def figure_rows(figures: YearFigures) -> list[list[str]]:
    """The figures as table rows, the same for CSV and PDF."""
    rows = []
    for school in figures.schools:
        for r in school.routes:
            base = [str(figures.year), school.name, r.name]
            rows.append(base + ["Vermoeden gemeld (zaak gestart)", figures.count(r.raised), "", ""])
            for kind, label in OUTCOME_LABELS.items():
                rows.append(base + [f"Afgesloten: {label}", figures.count(r.outcomes[kind]), "", ""])
            rows.append(base + ["Melding bij Veilig Thuis / AMK", figures.count(r.meldingen), "", ""])
            rows.append(base + ["Acuut gevaar", figures.count(r.acute), "", ""])
        names = {r.route_key: r.name for r in school.routes}
        for s in school.durations:
            rows.append([str(figures.year), school.name, names.get(s.route_key, s.route_key), f"Duur: {s.name}",
                         figures.count(s.count), figures.duration(s, "median"), figures.duration(s, "p90")])
    return rows


def figures_csv(figures: YearFigures) -> bytes:
    """UTF-8 with a byte order mark and semicolons: how Dutch Excel opens a CSV file correctly."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(figure_rows(figures))
    return out.getvalue().encode("utf-8-sig")


def figures_pdf(figures: YearFigures, title: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title, author="Meldroute",
                                 leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm)
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    story = [Paragraph(title, styles["Title"])]
    if figures.suppressed:
        story.append(Paragraph("Aantallen van 1 tot en met 4 staan als &lt; 5; duren over minder dan vijf "
                               "stappen zijn weggelaten.", styles["BodyText"]))
    story.append(Spacer(1, 4 * mm))
    data = [CSV_HEADER[1:]] + [[Paragraph(v, cell) for v in row[1:]] for row in figure_rows(figures)]
    table = Table(data, repeatRows=1, colWidths=[45 * mm, 50 * mm, 95 * mm, 18 * mm, 30 * mm, 28 * mm])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8c8c8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    document.build(story)
    return buffer.getvalue()


MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def open_at(session: Session, school_ids: list[int], moment: datetime) -> int:
    """The cases open at `moment`: started by then and not closed by then."""
    return session.scalar(select(func.count()).select_from(Case).where(
        Case.school_id.in_(school_ids), Case.started_at <= moment,
        (Case.closed_at.is_(None)) | (Case.closed_at > moment))) or 0


def open_over_time(session: Session, school_ids: list[int], year: int) -> list[tuple[str, int]]:
    """Open cases at the end of each month of the year (the caller leaves out months that have not
    ended: their count would only repeat today's)."""
    return [(MONTHS[month - 1],
             open_at(session, school_ids, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SCHOOL_TIMEZONE)))
            for month in range(1, 13)]


def open_chart(points: list[tuple[str, int]], figures: YearFigures) -> list[dict]:
    """Bars of the open cases per month for the page's SVG (suppressed like the counts)."""
    shown = [(label, SUPPRESS_BELOW if figures.suppressed and 0 < n < SUPPRESS_BELOW else n) for label, n in points]
    top = max((n for _, n in shown), default=0) or 1
    return [{"label": label, "height": round(120 * n / top), "text": figures.count(raw)}
            for (label, n), (_, raw) in zip(shown, points, strict=True)]


def outcome_chart(route: RouteFigures, figures: YearFigures) -> list[dict]:
    """Bars for the page's server-rendered SVG chart of how cases were handled (no script needed).
    Under suppression a bar of 1–4 is drawn at 5 and labelled "< 5"."""
    shown = {kind: (SUPPRESS_BELOW if figures.suppressed and 0 < n < SUPPRESS_BELOW else n)
             for kind, n in route.outcomes.items()}
    top = max(shown.values()) or 1
    return [{"label": OUTCOME_LABELS[kind], "width": round(300 * n / top), "text": figures.count(route.outcomes[kind])}
            for kind, n in shown.items()]

