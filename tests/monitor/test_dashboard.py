"""The dashboard's numbers on a constructed data set, and who sees which of them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.monitor.dataset import add_case, add_task, add_timer, at
from tests.support.scenario import setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.auth.models import Membership
from webapp.auth.policy import Policy
from webapp.monitor.dashboard import Filters, Moments, cases_behind, read_dashboard
from webapp.monitor.scope import monitor_scope, parse_day
from webapp.roles import Role

NOW = at(2026, 6, 10)  # a Wednesday; the default period is 11 May – 10 June


@pytest.fixture
def schools(session, services, clock):
    clock.set(at(2026, 3, 2))
    a = setup_school(session, services, "basismodel_2019", slug="school-a",
                     pupil_birthdays={"Sam Geheim": at(2017, 3, 14).date()})
    b = setup_school(session, services, "basismodel_2019", slug="school-b",
                     pupil_birthdays={"Bo Anders": at(2017, 5, 1).date()})
    ib = a.users[Role.INTERN_BEGELEIDER]
    c1 = add_case(session, a, started=at(2026, 6, 1), progressed=at(2026, 6, 8))
    add_task(session, c1, "Stap2_Consultatie", "Stap 2: consultatie", created=at(2026, 6, 1),
             due=at(2026, 6, 9), claimed_by=ib)  # overdue, held by the IB
    c2 = add_case(session, a, started=at(2026, 4, 1), progressed=at(2026, 4, 2))  # quiet for 10 weeks
    add_task(session, c2, "Stap2_Consultatie", "Stap 2: consultatie", created=at(2026, 4, 2),
             due=at(2026, 6, 12))  # due Friday: within three working days
    c3 = add_case(session, a, started=at(2026, 6, 5), acute=at(2026, 6, 6))
    add_timer(session, c3, "Stap1_Herbeoordeling", "Aantekeningen opnieuw bekijken", created=at(2026, 6, 5),
              fires=at(2026, 8, 5))
    c4 = add_case(session, a, started=at(2026, 3, 1), closed=at(2026, 5, 20), outcome_kind="melding")
    add_task(session, c4, "Stap5b_Melden", "Stap 5b: melding doen", created=at(2026, 5, 18),
             completed=at(2026, 5, 19), melding=True)
    c5 = add_case(session, a, started=at(2026, 6, 9))
    add_task(session, c5, "Stap1_Signaleren", "Stap 1: signaleren", created=at(2026, 6, 9),
             due=at(2026, 7, 1), lane="leerkracht")
    # School B: late, quiet and acute too; none of it may show at school A.
    other = add_case(session, b, started=at(2026, 1, 5), acute=at(2026, 6, 1))
    add_task(session, other, "Stap2_Consultatie", "Stap 2: consultatie", created=at(2026, 1, 5),
             due=at(2026, 2, 1))
    session.commit()
    clock.set(NOW)
    return a, b


def _dashboard(session, services, user_id, args=None):
    scope = monitor_scope(session, Policy.for_user(session, user_id), (args or {}).get("school"))
    filters = Filters.from_args(args or {}, NOW, parse_day)
    return read_dashboard(session, scope, filters, Moments.at(NOW, services.environment.calendar))


def test_director_sees_the_numbers_of_their_school(session, services, schools):
    a, _ = schools
    view = _dashboard(session, services, a.users[Role.DIRECTEUR])
    assert view.scope.detailed
    assert view.totals == {"open": 4, "te_laat": 1, "binnenkort": 1, "stil": 1, "acuut": 1, "melding": 1}
    assert [(r.route_key, r.count) for r in view.per_route] == [("meldcode", 4)]
    steps = {s.element_id: (s.count, s.overdue) for s in view.per_step}
    assert steps == {"Stap2_Consultatie": (2, 1), "Stap1_Signaleren": (1, 0), "Stap1_Herbeoordeling": (1, 0)}
    assert [(t.task, t.holder) for t in view.overdue_tasks] == [("Stap 2: consultatie", "Ilse Intern-Begeleider")]
    assert [(t.holder, t.lane) for t in view.soon_tasks] == [(None, "intern_begeleider")]


def test_filters_narrow_every_number(session, services, schools):
    a, _ = schools
    director = a.users[Role.DIRECTEUR]
    by_step = _dashboard(session, services, director, {"stap": "Stap2_Consultatie"})
    assert by_step.totals == {"open": 2, "te_laat": 1, "binnenkort": 1, "stil": 1, "acuut": 0, "melding": 0}
    # c2 last moved on 2 April: 9 weeks and 6 days before; the others within the week.
    assert _dashboard(session, services, director, {"weken": "9"}).totals["stil"] == 1
    assert _dashboard(session, services, director, {"weken": "10"}).totals["stil"] == 0
    period = _dashboard(session, services, director, {"van": "2026-06-07", "tot": "2026-06-10"})
    assert (period.totals["acuut"], period.totals["melding"]) == (0, 0)
    other_route = _dashboard(session, services, director, {"route": "bestaat-niet"})
    assert other_route.totals["open"] == 0


def test_each_number_lists_the_cases_behind_it(session, services, schools):
    a, _ = schools
    director = a.users[Role.DIRECTEUR]
    scope = monitor_scope(session, Policy.for_user(session, director))
    moments = Moments.at(NOW, services.environment.calendar)
    filters = Filters.from_args({}, NOW, parse_day)
    view = read_dashboard(session, scope, filters, moments)
    for kind, number in view.totals.items():
        lines, total = cases_behind(session, scope, kind, filters, moments)
        assert total == number == len(lines), kind
        assert {line.pupil for line in lines} <= {"Sam Geheim"}


def test_director_of_a_sees_nothing_of_b(app, session, services, schools):
    a, b = schools
    director = WebUser(app, "directeur@school-a.test")
    page = director.get("/monitor")
    assert page.status_code == 200
    assert "School school-b" not in page.text and "Bo Anders" not in page.text
    assert re.search(r'id="aantal-te-laat"><a [^>]*>1</a>', page.text)
    assert director.get("/monitor?school=school-b").status_code == 404
    assert director.get("/monitor/zaken?soort=acuut&school=school-b").status_code == 404
    listed = director.get("/monitor/zaken?soort=acuut")
    assert "Sam Geheim" in listed.text and "Bo Anders" not in listed.text


def test_board_member_sees_figures_without_names_or_cases(app, session, services, schools):
    a, b = schools
    board = a.users[Role.BESTUUR]
    session.add(Membership(user_id=board, school_id=b.school.id, role=Role.BESTUUR))
    session.commit()
    member = WebUser(app, "bestuur@school-a.test")
    page = member.get("/monitor")
    assert page.status_code == 200
    assert re.search(r'id="aantal-te-laat">2</span>', page.text)  # both schools, no link
    assert re.search(r'id="aantal-acuut">2</span>', page.text)
    for private in ("Sam Geheim", "Bo Anders", "Ilse Intern-Begeleider", "T-"):
        assert private not in page.text
    assert not re.search(r"/zaken/\d|/monitor/zaken", page.text)
    assert member.get("/monitor/zaken?soort=open").status_code == 403
    assert member.get("/monitor?school=school-b").status_code == 200
    assert 'href="/monitor"' in member.get("/meldingen").text  # the menu offers what they may use


def test_the_menu_offers_the_monitor_only_to_who_may_use_it(app, schools):
    assert 'href="/monitor"' in WebUser(app, "directeur@school-a.test").get("/meldingen").text
    teacher = WebUser(app, "leerkracht@school-a.test")
    assert 'href="/monitor"' not in teacher.get("/meldingen").text
    assert teacher.get("/monitor").status_code == 403


def test_reading_the_dashboard_is_audited(app, session, schools):
    a, _ = schools
    WebUser(app, "directeur@school-a.test").get("/monitor/zaken?soort=te_laat")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "monitor.cases")).one()
    assert entry.user_id == a.users[Role.DIRECTEUR] and entry.school_id == a.school.id
    assert entry.detail["soort"] == "te_laat" and len(entry.detail["zaken"]) == 1


def test_odd_filters_fall_back_to_the_defaults(app, schools):
    director = WebUser(app, "directeur@school-a.test")
    for query in ("tot=9999-12-31", "van=0001-01-01", "weken=-3", "weken=99999999999999999999", "van=31-12-2026",
                  "stap=" + "x" * 5000, "soort=onbekend"):
        assert director.get(f"/monitor?{query}").status_code == 200, query
        assert director.get(f"/monitor/zaken?{query}").status_code == 200, query
