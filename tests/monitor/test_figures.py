"""Yearly figures on a constructed data set: counts, outcomes, meldingen, working-day durations
across a holiday, suppression below 5 for the board, CSV, PDF and the command line."""
from __future__ import annotations

import pytest

from tests.monitor.dataset import add_case, add_task, at
from tests.support.scenario import setup_school
from tests.support.web import WebUser
from webapp.auth.models import Membership
from webapp.cli import main
from webapp.monitor.figures import open_over_time, percentile, read_figures
from webapp.roles import Role
from webapp.school_calendar.service import school_calendars

# Step durations in working days: 1 (Fri 22 May → Tue 26 May, across Whit Monday), 2, 3, 4, 10.
DURATIONS = [(at(2026, 5, 22), at(2026, 5, 26)), (at(2026, 6, 1), at(2026, 6, 3)), (at(2026, 6, 1), at(2026, 6, 4)),
             (at(2026, 6, 1), at(2026, 6, 5)), (at(2026, 6, 1), at(2026, 6, 15))]


@pytest.fixture
def schools(session, services, clock):
    clock.set(at(2025, 12, 1))
    a = setup_school(session, services, "basismodel_2019", slug="school-a")
    b = setup_school(session, services, "basismodel_2019", slug="school-b")
    add_case(session, a, started=at(2025, 12, 10))  # another year
    for _ in range(3):
        add_case(session, a, started=at(2026, 2, 1), closed=at(2026, 3, 1), outcome_kind="ongegrond")
    reported = add_case(session, a, started=at(2026, 2, 1), closed=at(2026, 9, 1), outcome_kind="melding")
    add_task(session, reported, "Stap5b_Melden", "Stap 5b: melding doen", created=at(2026, 8, 20),
             completed=at(2026, 8, 21), melding=True)
    add_case(session, a, started=at(2026, 4, 1), closed=at(2026, 4, 2), outcome_kind="acuut", acute=at(2026, 4, 1))
    add_case(session, a, started=at(2026, 5, 1), closed=at(2026, 5, 2))  # closed before outcomes were kept
    for created, completed in DURATIONS:
        case = add_case(session, a, started=at(2026, 5, 20))
        add_task(session, case, "Stap1_Signaleren", "Stap 1: signaleren", created=created, completed=completed)
    add_case(session, b, started=at(2026, 3, 3), closed=at(2026, 3, 4), outcome_kind="ongegrond")
    session.commit()
    clock.set(at(2026, 12, 1))
    return a, b


def test_percentile_is_nearest_rank():
    assert [percentile([1, 2, 3, 4, 10], p) for p in (0.5, 0.9, 1.0)] == [3, 10, 10]
    assert percentile([7], 0.9) == 7


def test_school_figures_are_exact(session, services, schools):
    a, _ = schools
    figures = read_figures(session, [a.school], 2026,
                           school_calendars(session, [a.school.id], services.environment.calendar), suppressed=False)
    (school,) = figures.schools
    (route,) = school.routes
    assert route.raised == 3 + 1 + 1 + 1 + 5
    assert route.outcomes == {"ongegrond": 3, "hulp": 0, "melding": 1, "acuut": 1, "buiten_meldcode": 0, "anders": 1}
    assert (route.meldingen, route.acute) == (1, 1)
    steps = {s.element_id: s for s in school.durations}
    signal = steps["Stap1_Signaleren"]
    assert sorted(signal.days) == [1, 2, 3, 4, 10]
    assert (signal.count, signal.median, signal.p90) == (5, 3, 10)
    assert figures.count(3) == "3"


def test_board_figures_suppress_counts_below_five(session, services, schools):
    a, b = schools
    figures = read_figures(session, [a.school, b.school], 2026,
                           school_calendars(session, [a.school.id, b.school.id], services.environment.calendar),
                           suppressed=True)
    assert [s.name for s in figures.schools] == ["School school-a", "School school-b", "Alle scholen"]
    total = figures.schools[-1].routes[0]
    assert total.raised == 12 and total.outcomes["ongegrond"] == 4
    assert [figures.count(n) for n in (0, 1, 4, 5, 12)] == ["0", "< 5", "< 5", "5", "12"]
    only_b = figures.schools[1]
    assert figures.duration(figures.schools[0].durations[0], "median") == "3"
    assert only_b.durations == []


def test_board_page_and_downloads(app, session, schools):
    a, b = schools
    session.add(Membership(user_id=a.users[Role.BESTUUR], school_id=b.school.id, role=Role.BESTUUR))
    session.commit()
    member = WebUser(app, "bestuur@school-a.test")
    page = member.get("/monitor/cijfers?jaar=2026")
    assert page.status_code == 200 and "Alle scholen" in page.text and "&lt; 5" in page.text
    download = member.get("/monitor/cijfers.csv?jaar=2026")
    assert download.headers["Content-Type"].startswith("text/csv")
    assert download.data.startswith(b"\xef\xbb\xbf")
    lines = download.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Jaar;School;Route;Cijfer;Aantal;Mediaan (schooldagen);P90 (schooldagen)"
    assert "2026;School school-a;Meldcode;Vermoeden gemeld (zaak gestart);11;;" in [
        ";".join(line.split(";")[:2] + ["Meldcode"] + line.split(";")[3:]) for line in lines]
    assert any(line.endswith("Afgesloten: Vermoeden ongegrond / geen zorgen;< 5;;") for line in lines)
    pdf = member.get("/monitor/cijfers.pdf?jaar=2026")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert member.get("/monitor/cijfers.xls?jaar=2026").status_code == 404


def test_director_downloads_exact_figures_of_their_school(app, schools):
    director = WebUser(app, "directeur@school-a.test")
    lines = director.get("/monitor/cijfers.csv?jaar=2026").data.decode("utf-8-sig").splitlines()
    assert any(line.endswith("Afgesloten: Vermoeden ongegrond / geen zorgen;3;;") for line in lines)
    assert any(line.endswith("Duur: Stap 1: signaleren;5;3;10") for line in lines)
    assert director.get("/monitor/cijfers?jaar=2026&school=school-b").status_code == 404


def test_figures_command_writes_csv_and_pdf(app, schools):
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["figures", "--school", "school-a", "--year", "2026", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfJaar;School;")
    assert b"Duur: Stap 1: signaleren;5;3;10" in result.stdout_bytes
    pdf = runner.invoke(main, ["figures", "--school", "school-a", "--year", "2026", "--format", "pdf"])
    assert pdf.exit_code == 0 and pdf.stdout_bytes.startswith(b"%PDF")
    unknown = runner.invoke(main, ["figures", "--school", "bestaat-niet", "--year", "2026"])
    assert unknown.exit_code != 0 and "onbekende school" in unknown.output


def test_open_cases_at_the_end_of_each_month(session, schools):
    a, _ = schools
    points = dict(open_over_time(session, [a.school.id], 2026))
    # End of January: the December case only; February: + the four started 1 February (three of
    # them closed on 1 March, after the moment counted); May: + the five started 20 May.
    assert (points["jan"], points["feb"], points["mrt"], points["apr"]) == (1, 5, 2, 2)
    assert (points["mei"], points["aug"], points["sep"]) == (7, 7, 6)


def test_figures_page_draws_the_months_so_far(app, schools):
    page = WebUser(app, "directeur@school-a.test").get("/monitor/cijfers?jaar=2026")
    # On 1 December: January to November have ended, December has not.
    assert 'middle">nov<' in page.text and 'middle">dec<' not in page.text
    assert 'id="lopend-per-maand"' in page.text
