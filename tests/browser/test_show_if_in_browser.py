"""Every follow-up question of every shipped form, in Chromium: the page shows it exactly when the
server counts it as shown (and so requires it), for every value of the field it depends on.

Found as a dead end: Fedra's afweging 3 asked a required follow-up on "B. Ja" that the browser
never showed, because forms.js read the choice value "ja" as the boolean true.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import render_template_string

from webapp.forms.definition import FieldDefinition, FormDefinition
from webapp.forms.submission import build_schema

FORMS_JS = Path(__file__).resolve().parents[2] / "webapp" / "static" / "js" / "forms.js"
PAGE = """{% from "forms/fields.html" import render_fields %}<!doctype html><html><body>
<form class="form task-form">{{ render_fields(form, {}, {}, []) }}</form>
<script>{{ script|safe }}</script></body></html>"""


def _forms_with_follow_ups(services) -> list[FormDefinition]:
    catalog = services.forms
    return [form for form in (catalog.get(key) for key in catalog.keys())
            if any(f.show_if for f in form.fields)]


def _sent_values(controller: FieldDefinition) -> list[str]:
    """Every value the controlling field's page control can send."""
    return ["ja", "nee"] if controller.type == "boolean" else [o.value for o in controller.options]


def _server_shows(form: FormDefinition, dependent: FieldDefinition, controller: FieldDefinition, sent: str) -> bool:
    raw = [sent] if controller.type == "multichoice" else sent
    typed = build_schema(form)().load({controller.name: raw}, partial=True)
    return dependent.show_if.applies(typed)


def _choose(page, controller: FieldDefinition, sent: str) -> None:
    controls = page.locator(f'form.task-form [name="{controller.name}"]')
    if controller.type == "multichoice":
        for index in range(controls.count()):
            controls.nth(index).uncheck()
    page.locator(f'form.task-form [name="{controller.name}"][value="{sent}"]').check()


def test_every_follow_up_question_shows_exactly_when_the_server_requires_it(app, services, browser):
    forms = _forms_with_follow_ups(services)
    checked = 0
    page = browser.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        for form in forms:
            with app.test_request_context():
                html = render_template_string(PAGE, form=form, script=FORMS_JS.read_text(encoding="utf-8"))
            page.set_content(html)
            for dependent in (f for f in form.fields if f.show_if):
                controller = form.field(dependent.show_if.field)
                block = page.locator(f'[data-show-if-field="{controller.name}"]'
                                     f'[data-show-if-value="{dependent.show_if.form_value}"]').filter(
                    has=page.locator(f'[name^="{dependent.name}"]'))
                assert block.count() == 1, (form.key, dependent.name)
                outcomes = set()
                for sent in _sent_values(controller):
                    _choose(page, controller, sent)
                    server_shows = _server_shows(form, dependent, controller, sent)
                    assert block.is_visible() == server_shows, (
                        f"{form.key}: {dependent.name} bij {controller.name}={sent!r}: "
                        f"browser {'toont' if block.is_visible() else 'verbergt'}, server "
                        f"{'vraagt' if server_shows else 'vraagt niet'}")
                    outcomes.add(server_shows)
                assert outcomes == {True, False}, f"{form.key}: {dependent.name} has no value that hides or shows it"
                checked += 1
    finally:
        page.close()
    assert not problems
    assert checked >= 40  # every show_if of the shipped forms, not a handful


@pytest.mark.parametrize("choice", ["ja", "nee"])
def test_fedra_afweging_3_follow_up_only_on_b_ja(app, services, browser, choice):
    form = services.forms.get("fedra_2019/afweging3_hulp")
    page = browser.new_page()
    try:
        with app.test_request_context():
            page.set_content(render_template_string(PAGE, form=form, script=FORMS_JS.read_text(encoding="utf-8")))
        follow_up = page.get_by_label("Welke hulp, door wie (school, ketenpartner)?")
        assert not follow_up.is_visible()
        page.locator(f'[name="afweging3"][value="{choice}"]').check()
        assert follow_up.is_visible() == (choice == "ja")
    finally:
        page.close()
