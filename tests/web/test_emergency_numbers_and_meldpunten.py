"""Whom staff call in acute danger, and where a melding can go: each school's own sociale kaart.

Found by walking the variants: the start page told every school to call Veilig Thuis 0800-2000,
also the Oostpoort school whose meldpunt is the AMK; the fasenmodel's police had no number on the
acute pages; and a melding could be "made" to the police alarm number.
"""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.support.scenario import setup_school
from tests.support.variants import variant_copy
from tests.support.web import WebUser
from webapp.api.presenters import form_dict
from webapp.cases.models import CaseTask
from webapp.forms.submission import offered_contacts, validate_submission
from webapp.schools.variants import VariantError, load_variant

VARIANTS = ["basismodel_2019", "fasenmodel", "fedra_2019", "oostpoort_delft", "symbio_hengelo"]


def _start_page_and_acute_page(app, session, services, variant_key):
    setup_school(session, services, variant_key)
    teacher = WebUser(app, "leerkracht@testschool.test")
    start_page = teacher.get("/zaken/nieuw").text
    started = teacher.post("/zaken/nieuw", {"naam": "Sam", "groep": "5", "geboortedatum": "2017-03-14",
                                            "route": "1"}, token_from="/zaken/nieuw")
    assert started.status_code == 303, started.text
    case_id = session.get(CaseTask, int(re.search(r"/taken/(\d+)", started.headers["Location"]).group(1))).case_id
    return start_page, teacher.get(f"/zaken/{case_id}/acuut").text


@pytest.mark.parametrize("variant_key", VARIANTS)
def test_start_and_acute_pages_give_the_schools_own_emergency_numbers(app, session, services, variant_key):
    variant = services.variants[variant_key]
    start_page, acute_page = _start_page_and_acute_page(app, session, services, variant_key)
    for page in (start_page, acute_page):
        for contact in variant.emergency_contacts:
            assert f"<strong>{contact.organisation}</strong> ({contact.phone})" in page.replace("&#39;", "'")
    police = [c for c in variant.emergency_contacts if "politie" in c.id]
    assert police and all("112" in c.phone for c in police)


def test_the_amk_school_is_not_told_to_call_veilig_thuis(app, session, services):
    start_page, acute_page = _start_page_and_acute_page(app, session, services, "oostpoort_delft")
    for page in (start_page, acute_page):
        assert "0800-2000" not in page and "Veilig Thuis" not in page
        assert "<strong>Advies- en Meldpunt Kindermishandeling</strong> (070-3469717)" in page


def test_a_melding_goes_only_to_a_meldpunt(services):
    variant = services.variants["oostpoort_delft"]
    form = services.forms.get("oostpoort_delft/stap5b_melden")
    gemeld_bij = form.field("gemeld_bij")
    assert {c.id for c in offered_contacts(gemeld_bij, variant.contacts)} == {"amk", "steunpunt_huiselijk_geweld"}
    offered = next(f for f in form_dict(form, variant.contacts)["velden"] if f["naam"] == "gemeld_bij")
    assert {o["waarde"] for o in offered["opties"]} == {"amk", "steunpunt_huiselijk_geweld"}
    refused = validate_submission(form, {"gemeld_bij": "politie_alarmnummer"}, variant.contacts)
    assert refused.errors["gemeld_bij"] == ["Kies een van de mogelijkheden."]
    accepted = validate_submission(form, {"gemeld_bij": "amk"}, variant.contacts)
    assert "gemeld_bij" not in accepted.errors


@pytest.mark.parametrize("variant_key", VARIANTS)
def test_every_melding_form_of_a_variant_offers_its_meldpunt(services, variant_key):
    variant = services.variants[variant_key]
    melding_fields = [(key, f) for key in services.forms.keys() if key.startswith(f"{variant_key}/")
                      for f in services.forms.get(key).fields if f.name == "gemeld_bij"]
    assert melding_fields
    for key, field in melding_fields:
        assert field.contacts == "meldpunt", key
        assert offered_contacts(field, variant.contacts), key


@pytest.mark.parametrize(("change", "problem"), [
    (lambda t: t.replace('    phone: "112"\n', ""), "noodcontact 'politie' (Politie) heeft geen telefoonnummer"),
    (lambda t: t.replace("emergency_contacts: [veilig_thuis, politie]", "emergency_contacts: [veilig_thuis, brandweer]"),
     "emergency_contacts noemt 'brandweer', dat niet op de sociale kaart staat"),
    (lambda t: t.replace("    meldpunt: true\n", ""), "emergency_contacts noemt geen meldpunt"),
    (lambda t: t + "routes: [\n", "variant.yaml: geen geldige YAML"),
])
def test_a_variant_without_a_number_to_call_does_not_load(tmp_path, change, problem):
    with pytest.raises(VariantError, match=re.escape(problem)):
        load_variant(variant_copy(tmp_path, "basismodel_2019", change))


def test_a_form_may_only_narrow_a_contact_field_to_meldpunten(services):
    form = services.forms.get("oostpoort_delft/stap5b_melden")
    whole_kaart = replace(form.field("gemeld_bij"), contacts=None)
    assert len(offered_contacts(whole_kaart, services.variants["oostpoort_delft"].contacts)) > 2
