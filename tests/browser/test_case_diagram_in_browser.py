"""A teacher reports a concern in a real browser, and the case page draws where the case stands.

Runs the real app (werkzeug server in a thread, fresh database with the demo data) and drives
Debian's Chromium through Playwright. Playwright's own browser download cannot work on these
machines, so a missing Chromium fails the test (with how to install it) instead of skipping it.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DEMO_PASSWORD, is_problem, screenshot

pytestmark = pytest.mark.browser

TEACHER = "leerkracht@wadden.demo"  # Basisschool De Wadden runs basismodel_2019


def test_teacher_reports_a_concern_and_sees_the_case_on_the_diagram(live_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
    page = context.new_page()
    problems = []  # CSP violations, failed requests and script errors show up here
    page.on("console", lambda message: problems.append(message.text) if is_problem(message) else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(TEACHER)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Nieuwe zorg melden").click()

    page.get_by_label("Naam van de leerling").fill("Sam de Vries")
    page.get_by_label("Groep").fill("5")
    page.get_by_label("Geboortedatum").fill("2017-03-14")
    assert page.get_by_role("radio").first.is_checked()  # the school's only route
    screenshot(page, "1-nieuwe-zorg")
    page.get_by_role("button", name="Zaak starten").click()

    # Straight on to the teacher's first task: observing and writing down the signals.
    page.get_by_role("heading", level=1).filter(has_text="Stap 1").wait_for()
    page.get_by_label("Datum van de observatie").fill("2026-03-02")
    page.get_by_label("Plaats, situatie en aanwezigen").fill("In de klas, tijdens rekenen")
    page.get_by_label("Ik signaleer zelf iets opvallends").check()
    page.get_by_label("Lichamelijk letsel zonder duidelijke verklaring").check()
    page.get_by_label("Beschrijving van de signalen").fill("Blauwe plek op de arm, geen verklaring gegeven.")
    page.locator('input[name="signalen_over_medewerker"][value="nee"]').check()
    screenshot(page, "2-stap1-signaleren")
    page.get_by_role("button", name="Afronden").click()

    # The coordinator's task comes next: the teacher lands on the case page.
    page.wait_for_url(re.compile(r"/zaken/\d+$"))
    diagram = page.locator("#diagram")
    diagram.and_(page.locator('[data-diagram-state="getoond"]')).wait_for(timeout=15_000)

    shapes = diagram.locator("svg g.djs-element.djs-shape")
    assert shapes.count() > 20
    current = diagram.locator('g.djs-element[data-element-id="Stap1_ZorgDelen"]')
    assert "meldroute-current" in current.get_attribute("class")
    done = diagram.locator('g.djs-element[data-element-id="Stap1_Signaleren"]')
    assert "meldroute-completed" in done.get_attribute("class")
    assert "meldroute-current" not in done.get_attribute("class")
    assert diagram.locator(".meldroute-current").count() == 1
    assert diagram.locator(".meldroute-completed").count() >= 2  # start event and the first task at least
    # The marker really changes how the shape looks, not just its class list.
    stroke = current.locator(".djs-visual > :nth-child(1)").evaluate("e => getComputedStyle(e).stroke")
    assert stroke == "rgb(179, 38, 30)"
    assert page.get_by_text("Het diagram verschijnt hier").is_hidden()
    screenshot(page, "3-zaak-met-diagram")
    assert problems == []
    context.close()


def test_case_page_works_without_javascript(live_server, browser, session, services):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(TEACHER)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server}/zaken/nieuw")
    page.get_by_label("Naam van de leerling").fill("Noor Jansen")
    page.get_by_label("Groep").fill("7")
    page.get_by_label("Geboortedatum").fill("2015-09-02")
    page.get_by_role("button", name="Zaak starten").click()
    page.get_by_role("link", name=re.compile(r"^Zaak ")).click()  # from the task page to its case
    page.wait_for_url(re.compile(r"/zaken/\d+$"))

    assert page.get_by_text("Het diagram verschijnt hier als JavaScript aanstaat.").is_visible()
    assert page.locator("#diagram svg").count() == 0
    assert page.get_by_role("link", name="Stap 1").first.is_visible()  # the open task, in the list
    screenshot(page, "4-zaak-zonder-javascript")
    context.close()
