"""A director opens the monitor in a real browser: the dashboard, the yearly figures, the durations
of a quarter with its chart, then the process view with a count and heat on every activity where
cases stand; clicking one lists its cases."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import is_problem, log_in, screenshot, serving
from tests.monitor.dataset import add_case, add_task, add_timer, at
from tests.support.scenario import TEST_PASSWORD, setup_school

pytestmark = pytest.mark.browser

# (element, cases there, of which past their term)
STEPS = [("Stap2_Consultatie", "Stap 2: consultatie", 4, 3), ("Stap1_ZorgDelen", "Stap 1: zorg delen", 2, 0),
         ("Stap4_Wegen", "Stap 4: aard en ernst wegen", 3, 1)]


@pytest.fixture
def live_server(app, session, services, clock) -> Iterator[str]:
    clock.set(at(2026, 3, 2))
    school = setup_school(session, services, "basismodel_2019", slug="school-a")
    for element, name, count, overdue in STEPS:
        for i in range(count):
            case = add_case(session, school, started=at(2026, 5, 1))
            add_task(session, case, element, name, created=at(2026, 5, 1),
                     due=at(2026, 6, 1) if i < overdue else at(2026, 7, 1))
    done = add_case(session, school, started=at(2026, 5, 1))  # one step done: Fri 1 → Tue 5 May, 2 working days
    add_task(session, done, "Stap1_Signaleren", "Stap 1: signaleren", created=at(2026, 5, 1), completed=at(2026, 5, 5))
    waiting = add_case(session, school, started=at(2026, 5, 1))
    add_timer(session, waiting, "Stap1_Herbeoordeling", "Aantekeningen opnieuw bekijken", created=at(2026, 5, 1),
              fires=at(2026, 7, 1))
    session.commit()
    clock.set(at(2026, 6, 10))
    with serving(app) as base_url:
        yield base_url


def test_director_sees_dashboard_and_process_view(live_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if is_problem(message) else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    log_in(page, live_server, "directeur@school-a.test", TEST_PASSWORD)
    page.get_by_role("link", name="Monitor").click()
    assert page.locator("#aantal-open").inner_text() == "11"
    assert page.locator("#aantal-te-laat").inner_text() == "4"
    screenshot(page, "monitor-dashboard")

    page.get_by_role("link", name="Jaarcijfers").click()
    assert page.locator("#lopend-per-maand rect").count() == 5  # January to May have ended
    screenshot(page, "monitor-jaarcijfers")

    page.get_by_role("link", name="Doorlooptijden").click()
    page.get_by_role("link", name="Dit kwartaal").click()  # 1 April – 30 June, per week
    assert page.locator("#lopend-in-periode rect").count() == 10  # the weeks ended by 10 June
    assert "Stap 1: signaleren" in page.locator("#duur-per-stap").inner_text()
    screenshot(page, "monitor-doorlooptijden")
    page.get_by_role("link", name="Overzicht").click()

    page.get_by_role("link", name="Procesbeeld").click()
    page.wait_for_selector('[data-diagram-state="getoond"]', timeout=20000)
    badges = page.locator(".monitor-badge")
    assert badges.count() == 4
    busiest = page.locator('.monitor-badge[data-activity="Stap2_Consultatie"]')
    assert busiest.get_attribute("title") == "4 lopend, 3 over de termijn"
    assert busiest.locator(".late").inner_text() == "3 te laat"
    for element, heat in (("Stap2_Consultatie", 3), ("Stap1_ZorgDelen", 0), ("Stap4_Wegen", 2),
                          ("Stap1_Herbeoordeling", "none")):
        assert page.locator(f'g.djs-element.meldroute-heat-{heat}[data-element-id="{element}"]').count() == 1
    screenshot(page, "monitor-procesbeeld")

    page.locator('.monitor-badge[data-activity="Stap2_Consultatie"]').click()
    page.wait_for_url("**/monitor/zaken?**")
    assert page.locator("#zaken tbody tr").count() == 4
    screenshot(page, "monitor-zaken-bij-stap")
    assert problems == []
    context.close()
