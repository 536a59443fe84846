"""The process view: open cases per activity on their own diagram version, overdue, heat."""
from __future__ import annotations

import pytest

from tests.monitor.dataset import add_case, add_task, add_timer, at
from tests.support.scenario import setup_school
from tests.support.web import WebUser
from webapp.auth.policy import Policy
from webapp.config import PROJECT_ROOT
from webapp.definitions.service import import_version
from webapp.monitor.process_view import heat_level, read_process_view
from webapp.monitor.scope import monitor_scope
from webapp.roles import Role

NOW = at(2026, 6, 10)


@pytest.fixture
def schools(session, services, clock):
    clock.set(at(2026, 3, 2))
    a = setup_school(session, services, "basismodel_2019", slug="school-a")
    b = setup_school(session, services, "basismodel_2019", slug="school-b")
    on_v1 = [add_case(session, a, started=at(2026, 5, 1)) for _ in range(4)]
    add_task(session, on_v1[0], "Stap2_Consultatie", "Stap 2: consultatie", created=at(2026, 5, 1), due=at(2026, 6, 1))
    add_task(session, on_v1[1], "Stap2_Consultatie", "Stap 2: consultatie", created=at(2026, 5, 1), due=at(2026, 7, 1))
    add_task(session, on_v1[2], "Stap1_Signaleren", "Stap 1: signaleren", created=at(2026, 5, 1))
    add_timer(session, on_v1[3], "Stap1_Herbeoordeling", "Aantekeningen opnieuw bekijken", created=at(2026, 5, 1),
              fires=at(2026, 7, 1))
    definition = a.definitions["meldcode"]
    xml = (PROJECT_ROOT / "workflows" / "basismodel_2019" / "meldcode.bpmn").read_bytes() + b"\n<!-- versie 2 -->\n"
    import_version(session, definition, xml, filename="meldcode.bpmn", forms=services.forms, now=services.now())
    session.commit()
    on_v2 = add_case(session, a, started=at(2026, 6, 1))
    add_task(session, on_v2, "Stap2_Consultatie", "Stap 2: consultatie", created=at(2026, 6, 1), due=at(2026, 6, 8))
    other = add_case(session, b, started=at(2026, 6, 1))
    add_task(session, other, "Stap2_Consultatie", "Stap 2: consultatie", created=at(2026, 6, 1), due=at(2026, 6, 2))
    session.commit()
    clock.set(NOW)
    return a, b


def test_heat_is_the_share_past_the_term():
    assert [heat_level(o, 4) for o in (0, 1, 2, 3, 4)] == [0, 1, 2, 3, 3]  # a quarter is still level 1, half level 2
    assert heat_level(2, 5) == 2


def test_cases_count_on_their_own_version(session, services, schools):
    a, _ = schools
    scope = monitor_scope(session, Policy.for_user(session, a.users[Role.DIRECTEUR]))
    definition = a.definitions["meldcode"]
    old = read_process_view(session, scope, definition, 1, NOW)
    figures = {k: (v.count, v.overdue, v.heat) for k, v in old.activities.items()}
    assert figures == {"Stap2_Consultatie": (2, 1, 2), "Stap1_Signaleren": (1, 0, None),
                       "Stap1_Herbeoordeling": (1, 0, None)}
    assert [(c.version.number, c.open_cases, c.published) for c in old.versions] == [(1, 4, False), (2, 1, True)]
    current = read_process_view(session, scope, definition, None, NOW)
    assert current.version.number == 2
    assert {k: (v.count, v.overdue, v.heat) for k, v in current.activities.items()} == {"Stap2_Consultatie": (1, 1, 3)}
    assert read_process_view(session, scope, definition, 7, NOW) is None


def test_position_for_the_viewer_and_who_sees_links(app, session, schools):
    a, b = schools
    diagram = a.definitions["meldcode"].id
    director = WebUser(app, "directeur@school-a.test")
    page = director.get(f"/monitor/proces?diagram={diagram}&versie=1")
    assert page.status_code == 200 and "versie 1" in page.text and "Stap 2: consultatie" in page.text
    position = director.get(f"/monitor/proces.json?diagram={diagram}&versie=1").get_json()
    assert position["versie"] == 1 and position["bpmn"].startswith("<?xml")
    entry = position["activiteiten"]["Stap2_Consultatie"]
    assert (entry["aantal"], entry["te_laat"], entry["warmte"]) == (2, 1, 2)
    assert entry["link"].startswith("/monitor/zaken?") and "stap=Stap2_Consultatie" in entry["link"]
    board = WebUser(app, "bestuur@school-a.test").get(f"/monitor/proces.json?diagram={diagram}&versie=1").get_json()
    assert "link" not in board["activiteiten"]["Stap2_Consultatie"]
    other = WebUser(app, "directeur@school-b.test")
    assert other.get(f"/monitor/proces.json?diagram={diagram}").status_code == 404
    assert other.get(f"/monitor/proces?diagram={diagram}").status_code == 404
    assert director.get(f"/monitor/proces?diagram={diagram}&versie=x").status_code == 404
