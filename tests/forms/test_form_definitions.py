"""Form definitions: what the parser refuses, and that every shipped form reads as it was meant."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from webapp.forms.catalog import FormCatalog
from webapp.forms.definition import FormDefinitionError, parse_form
from webapp.forms.submission import validate_submission

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


def _form_with_option_line(option_line: str):
    text = f"""
title: Signalen
fields:
  - name: signalen
    type: multichoice
    label: Signalen
    options:
      {option_line}
"""
    return parse_form("test/signalen", yaml.safe_load(text))


def test_a_comma_in_an_unquoted_option_label_is_refused_with_a_hint():
    with pytest.raises(FormDefinitionError) as refused:
        _form_with_option_line("- {value: verwaarlozing, label: Verwaarlozing (hygiëne, voeding)}")
    message = str(refused.value)
    assert "verwaarlozing" in message
    assert "voeding)" in message
    assert "aanhalingstekens" in message


def test_a_quoted_option_label_keeps_its_commas():
    form = _form_with_option_line('- {value: verwaarlozing, label: "Verwaarlozing (hygiëne, voeding)"}')
    assert form.field("signalen").option_label("verwaarlozing") == "Verwaarlozing (hygiëne, voeding)"


def test_every_shipped_form_loads_with_its_option_labels_whole():
    catalog = FormCatalog.from_directory(FORMS_DIR)  # refuses a label cut short by a comma
    signals = catalog.get("basismodel_2019/stap1_signaleren").field("signalen")
    assert signals.option_label("verwaarlozing") == "Verwaarlozing (hygiëne, voeding, kleding, medische zorg)"


@pytest.mark.parametrize("field, accepted", [
    ({"type": "boolean", "effect": "werkaantekeningen_vernietigen"}, True),
    ({"type": "boolean", "effect": "betreft_medewerker"}, True),
    ({"type": "text", "effect": "werkaantekeningen_vernietigen"}, False),  # only a yes/no answer triggers it
    ({"type": "boolean", "effect": "alles_wissen"}, False),
])
def test_a_field_effect_is_one_of_the_known_ones_on_a_yes_no_field(field, accepted):
    raw = {"title": "Afsluiten", "fields": [{"name": "vraag", "label": "Vraag", **field}]}
    if accepted:
        assert parse_form("test/afsluiten", raw).field("vraag").effect == field["effect"]
    else:
        with pytest.raises(FormDefinitionError, match="effect"):
            parse_form("test/afsluiten", raw)


def test_the_shipped_forms_declare_their_effects():
    catalog = FormCatalog.from_directory(FORMS_DIR)
    effects = {(key, f.name): f.effect for key in catalog.keys() for f in catalog.get(key).fields if f.effect}
    assert effects[("basismodel_2019/afsluiten_ongegrond", "werkaantekeningen_vernietigd")] == "werkaantekeningen_vernietigen"
    staff = {key.split("/")[0] for (key, _), effect in effects.items() if effect == "betreft_medewerker"}
    assert staff == {"basismodel_2019", "fedra_2019", "oostpoort_delft", "symbio_hengelo"}


def _follow_up_form(controller: dict, equals) -> dict:
    return {"title": "T", "fields": [
        {"name": "keuze", "label": "Keuze", **controller},
        {"name": "vervolg", "type": "text", "label": "Vervolg", "required": True,
         "show_if": {"field": "keuze", "equals": equals}},
    ]}


@pytest.mark.parametrize(("controller", "equals", "problem"), [
    ({"type": "choice", "options": ["ja", "nee"]}, "misschien", "geen waarde van keuze"),
    ({"type": "choice", "options": ["ja", "nee"]}, True, "geen waarde van keuze"),
    ({"type": "boolean"}, "misschien", "ja/nee-veld"),
    ({"type": "boolean"}, 1, "ja/nee-veld"),
    ({"type": "text"}, "x", "alleen een ja/nee- of keuzeveld"),
])
def test_a_follow_up_names_a_value_its_controlling_field_can_have(controller, equals, problem):
    with pytest.raises(FormDefinitionError, match=problem):
        parse_form("t", _follow_up_form(controller, equals))


def test_a_follow_up_on_a_show_if_pointing_at_itself_or_nothing_is_refused():
    form = _follow_up_form({"type": "boolean"}, True)
    form["fields"][1]["show_if"]["field"] = "vervolg"
    with pytest.raises(FormDefinitionError, match="onbekend veld"):
        parse_form("t", form)
    form["fields"][1]["show_if"]["field"] = ["keuze"]
    with pytest.raises(FormDefinitionError, match="onbekend veld"):
        parse_form("t", form)


@pytest.mark.parametrize(("controller", "equals", "sent", "required"), [
    ({"type": "choice", "options": ["ja", "nee"]}, "ja", "ja", True),   # Fedra afweging 3 "B. Ja"
    ({"type": "choice", "options": ["ja", "nee"]}, "ja", "nee", False),
    ({"type": "boolean"}, "ja", "ja", True),
    ({"type": "boolean"}, True, "ja", True),
    ({"type": "boolean"}, False, "ja", False),
    ({"type": "multichoice", "options": ["a", "b"]}, "b", ["a", "b"], True),
    ({"type": "multichoice", "options": ["a", "b"]}, "b", ["a"], False),
])
def test_a_follow_up_is_required_exactly_when_its_value_is_sent(controller, equals, sent, required):
    form = parse_form("t", _follow_up_form(controller, equals))
    result = validate_submission(form, {"keuze": sent})
    assert ("vervolg" in result.errors) == required


@pytest.mark.parametrize(("key", "field", "answers", "required"), [
    ("oostpoort_delft/stap1_signaleren", "bron_derden", {"informatie_van_derden": "ja"}, True),
    ("oostpoort_delft/stap1_signaleren", "bron_derden", {"informatie_van_derden": "nee"}, False),
    ("oostpoort_delft/stap1_signaleren", "informatie_van_derden", {}, True),
    ("fedra_2019/afweging3_hulp", "samen_met_veilig_thuis", {"afweging3": "nee"}, True),
])
def test_a_field_labelled_verplicht_is_required_when_it_applies(key, field, answers, required):
    catalog = FormCatalog.from_directory(FORMS_DIR)
    form = catalog.get(key)
    assert "(verplicht" in form.field(field).label or form.field(field).type == "boolean"
    result = validate_submission(form, answers)
    assert (field in result.errors) == required


CONSENT = {"name": "toestemming", "type": "choice", "label": "Toestemming", "permits_naming": ["gegeven"],
           "options": ["gegeven", "geweigerd"]}
NAMING = {"name": "wijze", "type": "choice", "label": "Anoniem of op naam?", "names_pupil": "op_naam",
          "options": ["anoniem", "op_naam"]}


@pytest.mark.parametrize("field", [
    {**CONSENT, "permits_naming": ["ja"]},  # not an option
    {**CONSENT, "type": "text", "options": []},  # only on a choice
    {**NAMING, "names_pupil": "naam"},
    {"name": "bestand", "type": "file", "label": "Verklaring", "required_when": {"field": "onbekend", "equals": "x"}},
    {"name": "bestand", "type": "file", "label": "Verklaring", "required_when": {"field": "wijze"}},
])
def test_consent_keys_are_checked_on_load(field):
    with pytest.raises(FormDefinitionError, match=next(k for k in ("permits_naming", "names_pupil", "required_when")
                                                       if k in field)):
        parse_form("v/f", {"title": "T", "fields": [NAMING if field.get("name") != "wijze" else CONSENT, field]})


def _catalog(**forms) -> dict[str, str]:
    return {f"variant/{key}": yaml.safe_dump(raw) for key, raw in forms.items()}


def test_earlier_names_fields_of_the_variants_other_forms():
    consent = {"title": "Toestemming", "fields": [CONSENT]}
    FormCatalog.from_sources(_catalog(toestemming=consent, wegen={"title": "Wegen", "earlier": ["toestemming"]})
                             ).check_references()
    with pytest.raises(FormDefinitionError, match="earlier"):
        FormCatalog.from_sources(_catalog(toestemming=consent, wegen={"title": "Wegen", "earlier": ["reden"]})
                                 ).check_references()
    with pytest.raises(FormDefinitionError, match="earlier"):
        parse_form("v/f", {"title": "T", "earlier": "toestemming"})  # a list, not a text


def test_a_form_that_names_the_pupil_needs_a_form_where_consent_is_recorded():
    advice = {"title": "Advies", "fields": [NAMING]}
    FormCatalog.from_sources(_catalog(advies=advice, toestemming={"title": "T", "fields": [CONSENT]})
                             ).check_references()
    with pytest.raises(FormDefinitionError, match="permits_naming"):
        FormCatalog.from_sources(_catalog(advies=advice, anders={"title": "T", "fields": [NAMING]})).check_references()
