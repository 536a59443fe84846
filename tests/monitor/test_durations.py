"""Durations over a chosen period and the open cases through it, on a constructed data set with
known answers (working days across Whit Monday), with the access rules and odd input."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.monitor.dataset import add_case, add_task, at
from tests.support.scenario import setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.auth.models import Membership
from webapp.auth.policy import Policy
from webapp.monitor.durations import Period, chart_moments, read_period_durations
from webapp.monitor.scope import monitor_scope, parse_day
from webapp.roles import Role
from webapp.school_calendar.models import SchoolDayOff
from webapp.school_calendar.service import school_calendars

TODAY = at(2026, 12, 1)
# Step durations in working days: 1 (Fri 22 May → Tue 26 May, across Whit Monday), 2, 3, 4, 10.
STEPS = [(at(2026, 5, 22), at(2026, 5, 26)), (at(2026, 6, 1), at(2026, 6, 3)), (at(2026, 6, 1), at(2026, 6, 4)),
         (at(2026, 6, 1), at(2026, 6, 5)), (at(2026, 6, 1), at(2026, 6, 15))]
# Route durations (start → close) of the cases closed in May–June: 1 (across Whit Monday), 5, 10.
CLOSED = [(at(2026, 5, 22), at(2026, 5, 26)), (at(2026, 6, 1), at(2026, 6, 8)), (at(2026, 6, 1), at(2026, 6, 15))]


@pytest.fixture
def schools(session, services, clock):
    clock.set(at(2026, 1, 5))
    a = setup_school(session, services, "basismodel_2019", slug="school-a",
                     pupil_birthdays={"Sam Geheim": date(2017, 3, 14)})
    b = setup_school(session, services, "basismodel_2019", slug="school-b",
                     pupil_birthdays={"Bo Anders": date(2017, 5, 1)})
    for created, completed in STEPS:  # five open cases started 20 May, each with one step done
        case = add_case(session, a, started=at(2026, 5, 20))
        add_task(session, case, "Stap1_Signaleren", "Stap 1: signaleren", created=created, completed=completed)
    for started, closed in CLOSED:
        add_case(session, a, started=started, closed=closed, outcome_kind="ongegrond")
    add_case(session, a, started=at(2026, 7, 1), closed=at(2026, 7, 15))  # closed after the period
    add_case(session, a, started=at(2026, 6, 10), closed=at(2026, 7, 20))  # open at the end of June
    later = add_case(session, a, started=at(2026, 9, 1))  # this school year: one step of 7 working days
    add_task(session, later, "Stap2_Consultatie", "Stap 2: consultatie", created=at(2026, 9, 1),
             completed=at(2026, 9, 10))
    # School B: its own durations, none of which may show at school A.
    other = add_case(session, b, started=at(2026, 6, 1), closed=at(2026, 6, 29), pupil="Bo Anders")
    add_task(session, other, "Stap1_Signaleren", "Stap 1: signaleren", created=at(2026, 6, 1),
             completed=at(2026, 6, 29))
    session.commit()
    clock.set(TODAY)
    return a, b


def _read(session, services, user_id, args, school=None):
    scope = monitor_scope(session, Policy.for_user(session, user_id), school)
    period = Period.from_args(args, TODAY.date(), parse_day)
    return read_period_durations(session, scope, period, TODAY,
                                 school_calendars(session, scope.school_ids, services.environment.calendar))


def test_durations_of_a_chosen_period_are_exact(session, services, schools):
    a, _ = schools
    view = _read(session, services, a.users[Role.DIRECTEUR], {"van": "2026-05-01", "tot": "2026-06-30", "per": "maand"})
    (step,) = view.steps
    assert (step.element_id, sorted(step.days), step.median, step.p90) == ("Stap1_Signaleren", [1, 2, 3, 4, 10], 3, 10)
    (route,) = view.routes
    assert (route.route_key, sorted(route.days), route.median, route.p90) == ("meldcode", [1, 5, 10], 5, 10)
    assert (view.duration(route, "median"), view.count(route.count)) == ("5", "3")  # the director's own: exact
    assert view.open_points == [("mei 26", 5), ("jun 26", 6)]


def test_open_cases_per_week_count_a_case_closed_later_that_day(session, services, schools):
    a, _ = schools
    view = _read(session, services, a.users[Role.DIRECTEUR], {"van": "2026-06-01", "tot": "2026-06-14", "per": "week"})
    # At midnight of Monday 8 June the case closed at 10:00 that day is still open; likewise 15 June.
    assert view.open_points == [("wk 23", 7), ("wk 24", 7)]


def test_quick_picks(session, services, schools):
    a, _ = schools
    today = TODAY.date()
    assert (Period.from_args({"periode": "schooljaar"}, today, parse_day).first,
            Period.from_args({"periode": "schooljaar"}, today, parse_day).last) == (date(2026, 8, 1), date(2027, 7, 31))
    previous = Period.from_args({"periode": "vorig_schooljaar", "van": "2020-01-01"}, today, parse_day)
    assert (previous.first, previous.last, previous.grain) == (date(2025, 8, 1), date(2026, 7, 31), "maand")
    twelve = Period.from_args({"periode": "12_maanden"}, today, parse_day)
    assert (twelve.first, twelve.last) == (date(2025, 12, 2), date(2026, 12, 1))
    quarter = Period.from_args({"periode": "kwartaal"}, today, parse_day)
    assert (quarter.first, quarter.last, quarter.grain) == (date(2026, 10, 1), date(2026, 12, 31), "week")
    last_quarter = Period.from_args({"periode": "vorig_kwartaal"}, today, parse_day)
    assert (last_quarter.first, last_quarter.last) == (date(2026, 7, 1), date(2026, 9, 30))
    view = _read(session, services, a.users[Role.DIRECTEUR], {"periode": "schooljaar"})
    assert [(s.element_id, s.days) for s in view.steps] == [("Stap2_Consultatie", [7])]
    assert view.routes == []
    # Only the months that have ended by 1 December: August to November.
    assert view.open_points == [("aug 26", 5), ("sep 26", 6), ("okt 26", 6), ("nov 26", 6)]


def test_the_chart_stops_at_now_and_keeps_at_most_120_points():
    period = Period(date(2000, 1, 1), date(2030, 1, 1), "", "week")
    moments = chart_moments(period, TODAY)
    assert len(moments) == 120 and moments[-1][1] <= TODAY
    assert chart_moments(Period(date(2027, 1, 1), date(2027, 3, 1), "", "maand"), TODAY) == []


def test_director_page_and_a_director_of_a_sees_nothing_of_b(app, session, schools):
    director = WebUser(app, "directeur@school-a.test")
    page = director.get("/monitor/doorlooptijden?van=2026-05-01&tot=2026-06-30")
    assert page.status_code == 200
    assert 'id="lopend-in-periode"' in page.text and 'id="duur-per-stap"' in page.text
    assert re.search(r"<td>Stap 1: signaleren</td><td>5</td>\s*<td>3</td><td>10</td>", page.text)
    assert "Bo Anders" not in page.text and "School school-b" not in page.text
    assert director.get("/monitor/doorlooptijden?school=school-b").status_code == 404
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "monitor.durations")).one()
    assert entry.detail["van"] == "2026-05-01" and entry.detail["tot"] == "2026-06-30"
    assert 'href="/monitor/doorlooptijden"' in director.get("/monitor").text


def test_board_member_sees_suppressed_figures_and_no_names(app, session, schools):
    a, b = schools
    session.add(Membership(user_id=a.users[Role.BESTUUR], school_id=b.school.id, role=Role.BESTUUR))
    session.commit()
    member = WebUser(app, "bestuur@school-a.test")
    page = member.get("/monitor/doorlooptijden?van=2026-05-01&tot=2026-06-30")
    assert page.status_code == 200
    # Both schools: six steps (5 + B's one) are shown, the four closed cases' route count is "< 5".
    assert re.search(r"<td>Stap 1: signaleren</td><td>6</td>\s*<td>3,5</td><td>20</td>", page.text)
    assert re.search(r"<td>Vermoeden van [^<]*</td><td>&lt; 5</td><td>–</td><td>–</td>", page.text)
    for private in ("Sam Geheim", "Bo Anders", "Ilse Intern-Begeleider", "T-", "/zaken/"):
        assert private not in page.text
    only_b = member.get("/monitor/doorlooptijden?van=2026-05-01&tot=2026-06-30&school=school-b")
    assert only_b.status_code == 200 and "&lt; 5" in only_b.text


def test_others_may_not_see_durations(app, schools):
    for email in ("leerkracht@school-a.test", "ib@school-a.test"):
        assert WebUser(app, email).get("/monitor/doorlooptijden").status_code == 403


def test_odd_input_falls_back_to_the_defaults(app, schools):
    director = WebUser(app, "directeur@school-a.test")
    for query in ("van=9999-99-99", "tot=0001-01-01", "van=2026-06-30&tot=2026-05-01", "periode=eeuwig",
                  "per=dag", "van=" + "x" * 5000, "tot=2999-12-31&per=week", "van=1900-01-01&per=week"):
        assert director.get(f"/monitor/doorlooptijden?{query}").status_code == 200, query
    assert director.get("/monitor/doorlooptijden?school=bestaat-niet").status_code == 404
    refused = director.get("/monitor/doorlooptijden?periode=%00")  # NUL: the app's own Dutch refusal
    assert refused.status_code == 400 and "Ongeldig verzoek" in refused.text
    swapped = director.get("/monitor/doorlooptijden?van=2026-06-30&tot=2026-05-01")
    assert 'value="2026-05-01"' in swapped.text and 'value="2026-06-30"' in swapped.text


def test_each_step_counts_school_days_on_its_own_schools_calendar(session, services, schools):
    a, b = schools
    a.school.holiday_region = "midden"  # herfstvakantie 17–25 October 2026
    session.add(SchoolDayOff(school_id=a.school.id, day=date(2026, 10, 27), label="studiedag"))
    for setup in (a, b):  # the same step at both schools: Fri 16 Oct → Wed 28 Oct
        case = add_case(session, setup, started=at(2026, 10, 16),
                        pupil="Sam Geheim" if setup is a else "Bo Anders")
        add_task(session, case, "Stap2_Consultatie", "Stap 2: consultatie", created=at(2026, 10, 16),
                 completed=at(2026, 10, 28))
    session.commit()
    args = {"van": "2026-10-01", "tot": "2026-10-31"}
    (at_a,) = _read(session, services, a.users[Role.DIRECTEUR], args).steps
    assert at_a.days == [2]  # 26 and 28 October: the holiday and the study day do not count
    (at_b,) = _read(session, services, b.users[Role.DIRECTEUR], args).steps
    assert at_b.days == [8]  # school B has no region set: its working days
