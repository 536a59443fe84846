"""Comparing two versions also lists, per form they use, the fields added, removed and changed."""
from __future__ import annotations

import html

import pytest

from tests.engine.test_import_validation import FORM, diagram
from tests.modeler.test_drafts import ONE_TASK, draft_from, publish, with_changed_form
from tests.support.scenario import setup_school
from tests.support.web import WebUser
from webapp.forms.catalog import FormCatalog
from webapp.modeler.form_changes import form_changes

OLD = """title: Gesprek
fields:
  - {name: datum, type: date, label: Datum}
  - name: uitkomst
    type: choice
    label: Uitkomst
    required: true
    options:
      - {value: zorg, label: Er is zorg}
      - {value: geen, label: Geen zorg}
  - {name: notitie, type: text, label: Notitie}
"""
NEW = """title: Gesprek
fields:
  - {name: datum, type: date, label: Datum}
  - name: uitkomst
    type: choice
    label: Wat is de uitkomst?
    options:
      - {value: zorg, label: Er is zorg over het kind}
      - {value: twijfel, label: Twijfel}
  - {name: notitie, type: textarea, label: Notitie}
  - {name: vervolg, type: boolean, label: Vervolggesprek nodig?, required: true}
"""
UNCHANGED = "title: Afsluiten\nfields:\n  - {name: klaar, type: boolean, label: Klaar}\n"
ONLY_OLD = "title: Oud formulier\nfields:\n  - {name: oud, type: text, label: Oud}\n"
ONLY_NEW = "title: Nieuw formulier\nfields:\n  - {name: nieuw, type: text, label: Nieuw}\n"


def test_fields_added_removed_and_changed_per_form_in_dutch():
    old = FormCatalog.from_sources({"v/gesprek": OLD, "v/afsluiten": UNCHANGED, "v/oud": ONLY_OLD})
    new = FormCatalog.from_sources({"v/gesprek": NEW, "v/afsluiten": UNCHANGED, "v/nieuw": ONLY_NEW})
    changes = {change.form_key: change for change in form_changes(old, new)}
    assert set(changes) == {"v/gesprek", "v/oud", "v/nieuw"}  # an unchanged form is not listed
    assert changes["v/nieuw"].kind == "toegevoegd" and "nieuw in deze versie" in changes["v/nieuw"].heading
    assert changes["v/oud"].kind == "verwijderd" and "niet meer gebruikt" in changes["v/oud"].heading
    assert changes["v/gesprek"].kind == "gewijzigd"
    assert changes["v/gesprek"].changes == (
        "Veld toegevoegd: 'Vervolggesprek nodig?' (vervolg, ja/nee, verplicht)",
        "Veld gewijzigd: 'Wat is de uitkomst?' (uitkomst) — label: 'Uitkomst' → 'Wat is de uitkomst?'; "
        "verplicht: ja → nee; optie toegevoegd 'Twijfel'; optie verwijderd 'Geen zorg'; "
        "optie 'zorg': 'Er is zorg' → 'Er is zorg over het kind'",
        "Veld gewijzigd: 'Notitie' (notitie) — soort: tekst → lange tekst",
    )


def test_a_removed_field_is_listed():
    old = FormCatalog.from_sources({"v/gesprek": NEW})
    new = FormCatalog.from_sources({"v/gesprek": OLD})
    [change] = form_changes(old, new)
    assert "Veld verwijderd: 'Vervolggesprek nodig?' (vervolg, ja/nee, verplicht)" in change.changes


@pytest.fixture
def school(session, services):
    setup = setup_school(session, services, "basismodel_2019", slug="school-f")
    session.commit()
    return setup


def test_the_diff_page_lists_the_form_changes_between_the_versions(app, session, services, school):
    draft, _ = draft_from(session, services, school, diagram(ONE_TASK))
    publish(session, services, school, draft, note="Eén besluit")                       # version 2
    draft, _ = draft_from(session, services, school, diagram(ONE_TASK))
    publish(session, services, school, draft, note="Extra vraag", forms=with_changed_form(services))  # 3
    session.commit()
    owner = WebUser(app, "beleid@school-f.test")
    definition_id = school.definitions["meldcode"].id

    page = html.unescape(owner.get(f"/diagrammen/{definition_id}/verschil?van=2&naar=3").text)
    assert f"({FORM})" in page
    assert "Veld toegevoegd: 'Nieuwe vraag in versie 3' (extra_vraag, lange tekst, verplicht)" in page

    same = html.unescape(owner.get(f"/diagrammen/{definition_id}/verschil?van=2&naar=2").text)
    assert "De formulieren van versie 2 en versie 2 zijn gelijk." in same


RULES_OLD = """title: Toestemming
fields:
  - name: toestemming
    type: choice
    label: Toestemming
    options: [gegeven, geweigerd]
  - {name: reden, type: text, label: Reden}
  - {name: gemeld_bij, type: contact, label: Gemeld bij}
"""
RULES_NEW = """title: Toestemming
fields:
  - name: toestemming
    type: choice
    label: Toestemming
    options: [gegeven, geweigerd]
    permits_naming: [gegeven]
  - name: reden
    type: text
    label: Reden
    show_if: {field: toestemming, equals: geweigerd}
  - {name: gemeld_bij, type: contact, label: Gemeld bij, contacts: meldpunt}
"""


def test_a_changed_rule_of_a_field_is_listed_too():
    old = FormCatalog.from_sources({"v/toestemming": RULES_OLD, "v/gesprek": OLD})
    new = FormCatalog.from_sources({"v/toestemming": RULES_NEW, "v/gesprek": OLD})
    [change] = form_changes(old, new)
    assert change.changes == (
        "Veld gewijzigd: 'Toestemming' (toestemming) — toestemming om de leerling te noemen bij: — → gegeven",
        "Veld gewijzigd: 'Reden' (reden) — getoond: altijd → bij toestemming = 'geweigerd'",
        "Veld gewijzigd: 'Gemeld bij' (gemeld_bij) — keuze uit de sociale kaart: alles → alleen meldpunten",
    )
