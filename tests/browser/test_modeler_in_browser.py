"""A policy owner changes the meldcode in the browser modeler; a new case then runs the change.

Opens the modeler, adds a user task in the teacher's lane (created and connected through the
modeler's own API, as a drag on the canvas would), clicks the instant "no form" problem (which
selects the task and focuses its form field), picks its form and sets "5 werkdagen" in the
properties panel, sees the server's and the instant problems while the task is not connected,
saves, publishes with a change note; a teacher's new case then offers that task with its due date.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import is_problem, log_in, screenshot

pytestmark = pytest.mark.browser

POLICY_OWNER = "beleid@wadden.demo"
TEACHER = "leerkracht@wadden.demo"
NEW_TASK = "Stap 0: kort overleg met een collega"

ADD_TASK = """() => {
  const modeler = window.meldrouteModeler;
  const registry = modeler.get("elementRegistry"), modeling = modeler.get("modeling");
  const first = registry.get("Stap1_Signaleren");
  const lane = registry.filter((e) => e.type === "bpmn:Lane"
      && (e.businessObject.flowNodeRef || []).includes(first.businessObject)).pop();
  const shape = modeling.createShape({ type: "bpmn:UserTask" },
      { x: first.x + first.width / 2 + 40, y: lane.y + lane.height - 45 }, first.parent);
  modeling.updateLabel(shape, %s);
  modeler.get("selection").select(shape);
  return { id: shape.id, lane: lane.businessObject.name };
}"""

CONNECT_TASK = """(id) => {
  const modeler = window.meldrouteModeler;
  const registry = modeler.get("elementRegistry"), modeling = modeler.get("modeling");
  const task = registry.get(id), first = registry.get("Stap1_Signaleren");
  const flow = registry.get("Flow_S1_Start");
  modeling.reconnectEnd(flow, task, { x: task.x, y: task.y + task.height / 2 });
  modeling.connect(task, first);
  modeler.get("selection").select(task);
}"""

SELECT = """(id) => {
  const modeler = window.meldrouteModeler;
  modeler.get("selection").select(modeler.get("elementRegistry").get(id));
}"""


def test_policy_owner_adds_a_task_and_a_new_case_offers_it(live_server, browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="nl-NL")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if is_problem(message) else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    log_in(page, live_server, POLICY_OWNER)
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    assert menu.get_by_role("link", name="Zaken").count() == 0
    assert menu.get_by_role("link", name="Nieuwe zorg melden").count() == 0
    menu.get_by_role("link", name="Diagrammen").click()
    page.locator("table a").first.click()
    page.get_by_role("button", name=re.compile("Nieuw concept vanaf versie 1")).click()
    modeler = page.locator("#modeler")
    modeler.and_(page.locator('[data-state="klaar"]')).wait_for(timeout=20_000)
    screenshot(page, "modeler-1-concept-geopend")

    added = page.evaluate(ADD_TASK % repr(NEW_TASK).replace("'", '"'))
    assert added["lane"].startswith("Leerkracht")
    panel = page.locator("[data-properties]")
    # A click on the instant problem "no form" selects the task and opens and focuses its form field.
    no_form = page.locator("[data-lint] li").filter(has_text=NEW_TASK).filter(has_text="zonder formulier")
    no_form.first.wait_for(timeout=10_000)
    page.evaluate("() => window.meldrouteModeler.get('selection').select("
                  "window.meldrouteModeler.get('elementRegistry').get('Stap1_Signaleren'))")
    no_form.first.locator("button").click()
    page.wait_for_function(
        """() => { const active = document.activeElement;
                   return active && active.closest('[data-entry-id="meldroute-form"]') !== null; }""", timeout=10_000)
    selected = page.evaluate("() => window.meldrouteModeler.get('selection').get().map((e) => e.id)")
    assert selected == [added["id"]]
    assert "meldroute-fix" in panel.locator('[data-entry-id="meldroute-form"]').get_attribute("class")
    panel.get_by_label("Formulier", exact=True).select_option(label="Stap 1 — verkennend gesprek met de ouders")
    panel.get_by_label("Termijn", exact=True).select_option("werkdagen")
    panel.get_by_label("Aantal", exact=True).fill("5")
    panel.get_by_label("Aantal", exact=True).blur()
    page.get_by_role("button", name="Opslaan").click()
    problem = page.locator("[data-problems] li[data-kind='fout']").filter(has_text=NEW_TASK)
    problem.first.wait_for(timeout=15_000)
    assert f'g.djs-element[data-element-id="{added["id"]}"]'
    assert "meldroute-problem" in page.locator(f'g.djs-element[data-element-id="{added["id"]}"]').get_attribute("class")
    screenshot(page, "modeler-2-taak-niet-verbonden")
    problem.first.locator("button").click()  # selects the element with the problem
    assert panel.get_by_label("Formulier", exact=True).input_value() == "basismodel_2019/stap1_gesprek_ouders"

    lint = page.locator("[data-lint] li").filter(has_text=NEW_TASK)  # the instant tier, in the browser
    lint.filter(has_text="niet verbonden").first.wait_for(timeout=10_000)
    # Meldroute's graph rules say the same as the server would: nothing leads to it, nor from it to an end.
    assert lint.filter(has_text="Niet bereikbaar vanuit de start").count() == 1
    assert lint.filter(has_text="Geen weg naar een einde").count() == 1

    page.evaluate(CONNECT_TASK, added["id"])
    page.wait_for_function(
        "name => ![...document.querySelectorAll('[data-lint] li')].some(li => li.textContent.includes(name))",
        arg=NEW_TASK, timeout=10_000)
    # The monitor's marks: the melding step and how an end counts, read and written by the panel.
    page.evaluate(SELECT, "Stap5b_Melden")
    assert panel.get_by_label("In deze stap wordt de melding gedaan (Veilig Thuis / AMK)").is_checked()
    page.evaluate(SELECT, "End_Ongegrond")
    outcome = panel.get_by_label("Afloop van de zaak", exact=True)
    assert outcome.input_value() == "ongegrond"
    outcome.select_option(label="Anders afgesloten")
    page.get_by_role("button", name="Opslaan").click()
    page.locator("[data-problems]").get_by_text("Geen fouten").wait_for(timeout=15_000)
    xml = page.evaluate("async () => (await window.meldrouteModeler.saveXML()).xml")
    assert 'meldroute:dueDate="werkdagen(5)"' in xml
    assert 'meldroute:formKey="basismodel_2019/stap1_gesprek_ouders"' in xml
    assert re.search(r'id="End_Ongegrond"[^>]* meldroute:outcome="anders"', xml)
    assert re.search(r'id="Stap5b_Melden"[^>]* meldroute:melding="true"', xml)
    screenshot(page, "modeler-3-verbonden-en-opgeslagen")

    page.get_by_label("Wijzigingsnotitie (verplicht)").fill("Eerst kort overleg met een collega, binnen 5 werkdagen")
    page.get_by_role("button", name="Publiceren").click()
    page.get_by_text("Versie 2 is gepubliceerd").wait_for(timeout=15_000)
    screenshot(page, "modeler-4-gepubliceerd")

    # History: version 2 against version 1, changes listed in Dutch and marked in both viewers.
    page.get_by_role("link", name="Vermoeden van huiselijk geweld of kindermishandeling").first.click()
    page.get_by_role("link", name="verschil met versie 1").click()
    page.locator('#verschil[data-state="klaar"]').wait_for(timeout=20_000)
    changes = page.locator("[data-changes]")
    assert changes.get_by_text(f"Toegevoegd: taak '{NEW_TASK}'").is_visible()
    assert page.locator(f'[data-new] g.djs-element.diff-toegevoegd[data-element-id="{added["id"]}"]').count() == 1
    screenshot(page, "modeler-5-verschil-versie-1-en-2")
    assert problems == []
    context.close()

    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
    page = teacher.new_page()
    log_in(page, live_server, TEACHER)
    page.get_by_role("link", name="Nieuwe zorg melden").click()
    page.get_by_label("Naam van de leerling").fill("Sam de Vries")
    page.get_by_label("Groep").fill("5")
    page.get_by_label("Geboortedatum").fill("2017-03-14")
    page.get_by_role("button", name="Zaak starten").click()
    page.get_by_role("heading", level=1).filter(has_text=NEW_TASK).wait_for()
    # The demo clock stands on Monday 2 March 2026: five working days later is Monday 9 March.
    assert page.get_by_text(re.compile(r"Termijn: 09-03-2026")).is_visible()
    screenshot(page, "modeler-6-nieuwe-zaak-met-nieuwe-taak")
    teacher.close()
