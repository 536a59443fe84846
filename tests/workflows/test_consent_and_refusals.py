"""Consent before naming the pupil to outsiders, and refusals at the weighing (issue 15, items 11, 15).

Fedra (seed 002) step 2 advice and Symbio (seed 004) step 2 consultation of jeugdarts, leerplicht
or zorgloket: the pupil is anonymous unless the parents' consent was recorded earlier in the case
(written: a signed document attached, or signed on paper with date and who). The weighing tasks
(Oostpoort stap 4, Fedra klein/groot ondersteuningsteam, Symbio stap 4) show a refused consent and
its reason under "Eerder vastgelegd", on the page and in the API, within need to know.
"""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.api import ApiUser
from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.auth.policy import Policy
from webapp.cases.errors import InvalidSubmission
from webapp.cases.read_models import read_task
from webapp.roles import Role

PUPILS = {"Sam": date(2017, 3, 14)}
GIVEN_ON_PAPER = {"toestemming_extern": "gegeven", "toestemming_extern_vastgelegd": "op_papier",
                  "toestemming_extern_datum": "2026-03-02", "toestemming_extern_door": "Moeder, A. de Vries"}


def _school(session, services, variant):
    return setup_school(session, services, variant, pupil_birthdays=PUPILS)


def _refused(s: Scenario, element_id: str, answers: dict, role=None) -> dict[str, list[str]]:
    with pytest.raises(InvalidSubmission) as refused:
        s.complete(element_id, answers, role=role)
    return refused.value.errors


# -- Symbio: step 2 consultation --------------------------------------------------------------


def _symbio_to_consultation(s: Scenario, **step1) -> None:
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False})
    s.complete("Stap1_ZorgDelenOuder", step1)
    assert s.open_elements() == ["Stap2_Consultatie"]
    task = s.task("Stap2_Consultatie")
    assert task.lane == "intern_begeleider" and task.due_at is None  # the SCP-er; the text sets no term


NAMED = {"geconsulteerd": ["jeugdarts", "zorgloket"], "consultatie_extern": "op_naam", "bespreken_in_sot": False}


def test_symbio_names_the_pupil_to_outsiders_only_after_recorded_consent(session, services, database):
    school = _school(session, services, "symbio_hengelo")
    s = Scenario.start(session, services, database, school)
    _symbio_to_consultation(s)
    errors = _refused(s, "Stap2_Consultatie", NAMED)
    assert list(errors) == ["consultatie_extern"]
    assert "alleen op naam" in errors["consultatie_extern"][0] and "anoniem" in errors["consultatie_extern"][0]
    assert "Stap 1 — zorg delen met de ouder" in errors["consultatie_extern"][0]  # where consent is recorded
    assert s.open_elements() == ["Stap2_Consultatie"] and s.task("Stap2_Consultatie").lane == "intern_begeleider"
    s.complete("Stap2_Consultatie", {**NAMED, "consultatie_extern": "anoniem"})
    assert s.open_elements() == ["Stap2_AdviesNagaan"]
    assert s.task("Stap2_AdviesNagaan").lane == "intern_begeleider" and s.task("Stap2_AdviesNagaan").due_at is None

    # Written consent, signed on paper (date and who recorded), in the step-1 talk: named is accepted.
    s2 = Scenario.start(session, services, database, school)
    _symbio_to_consultation(s2, **GIVEN_ON_PAPER)
    named = s2.complete("Stap2_Consultatie", NAMED)
    assert s2.open_elements() == ["Stap2_AdviesNagaan"] and named.data["consultatie_extern"] == "op_naam"


def test_symbio_named_consultation_through_the_task_page(app, session, services, database):
    school = _school(session, services, "symbio_hengelo")
    s = Scenario.start(session, services, database, school)
    _symbio_to_consultation(s)
    task_id = s.task("Stap2_Consultatie").id
    ib = WebUser(app, "ib@testschool.test")
    form = {"geconsulteerd": ["jeugdarts", "leerplicht"], "consultatie_extern": "op_naam",
            "uitkomst_consultatie": "Jeugdarts adviseert een huisbezoek", "bespreken_in_sot": "nee",
            "actie": "afronden"}
    refused = ib.post(f"/taken/{task_id}", form, token_from=f"/taken/{task_id}")
    assert refused.status_code == 422
    # The message stands at the field itself.
    assert '<p class="error" id="veld-consultatie_extern-fout">De leerling mag alleen op naam' in refused.text
    assert "Jeugdarts adviseert een huisbezoek" in refused.text  # nothing typed is lost
    assert s.open_elements() == ["Stap2_Consultatie"]
    done = ib.post(f"/taken/{task_id}", {**form, "consultatie_extern": "anoniem"}, token_from=f"/taken/{task_id}")
    assert done.status_code == 303
    assert s.open_elements() == ["Stap2_AdviesNagaan"] and s.task("Stap2_AdviesNagaan").lane == "intern_begeleider"


def test_fedra_named_advice_through_the_api_is_refused_at_the_field(app, session, services, database):
    school = _school(session, services, "fedra_2019")
    s = Scenario.start(session, services, database, school)
    _fedra_to_advice(s)
    task_id = s.task("Stap2_Advies").id
    values = {"advies_stap2_bij": "veilig_thuis", "soort_deskundige": "veilig_thuis",
              "advies_stap2_wijze": "op_naam", "advies_stap2": "Veilig Thuis adviseert een gesprek met de ouders"}
    ib = ApiUser(app, "ib@testschool.test")
    fields = {f["naam"]: f for f in ib.get(f"/api/v1/taken/{task_id}").get_json()["formulier"]["velden"]}
    assert fields["advies_stap2_wijze"]["noemt_leerling"] == "op_naam"
    refused = ib.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": values})
    assert refused.status_code == 422
    [message] = refused.get_json()["errors"]["advies_stap2_wijze"]
    assert message.startswith("De leerling mag alleen op naam worden besproken")
    assert s.open_elements() == ["Stap2_Advies"]
    done = ib.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": {**values, "advies_stap2_wijze": "anoniem"}})
    assert done.status_code == 200
    assert s.open_elements() == ["Stap3_GesprekOuders"] and s.task("Stap3_GesprekOuders").due_at is None


def test_symbio_written_consent_is_a_document_or_on_paper_with_date_and_who(app, session, services, database):
    school = _school(session, services, "symbio_hengelo")
    s = Scenario.start(session, services, database, school)
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False})
    errors = _refused(s, "Stap1_ZorgDelenOuder", {"toestemming_extern": "gegeven",
                                                   "toestemming_extern_vastgelegd": "bijlage",
                                                   "toestemming_extern_datum": "", "toestemming_extern_door": ""})
    assert set(errors) == {"toestemming_extern_formulier", "toestemming_extern_datum", "toestemming_extern_door"}
    form = ApiUser(app, "leerkracht@testschool.test").get(f"/api/v1/taken/{s.task('Stap1_ZorgDelenOuder').id}")
    fields = {f["naam"]: f for f in form.get_json()["formulier"]["velden"]}
    assert fields["toestemming_extern_formulier"]["verplicht_als"] == {"veld": "toestemming_extern_vastgelegd",
                                                                        "gelijk_aan": "bijlage"}
    # Signed on paper: no file, but the date and who gave it.
    errors = _refused(s, "Stap1_ZorgDelenOuder", {**GIVEN_ON_PAPER, "toestemming_extern_door": ""})
    assert set(errors) == {"toestemming_extern_door"}
    assert s.open_elements() == ["Stap1_ZorgDelenOuder"] and s.task("Stap1_ZorgDelenOuder").lane == "leerkracht"


def test_symbio_a_refusal_keeps_the_pupil_anonymous_and_says_so(session, services, database):
    school = _school(session, services, "symbio_hengelo")
    s = Scenario.start(session, services, database, school)
    _symbio_to_consultation(s, toestemming_extern="geweigerd", reden_weigering_extern="Vader wil geen bemoeienis")
    [message] = _refused(s, "Stap2_Consultatie", NAMED)["consultatie_extern"]
    assert message.startswith("De ouders hebben geen toestemming gegeven (Stap 1: zorg delen met de ouder")
    assert s.open_elements() == ["Stap2_Consultatie"]


def test_symbio_refused_sot_consent_reaches_the_weighing(session, services, database):
    school = _school(session, services, "symbio_hengelo")
    s = Scenario.start(session, services, database, school)
    _symbio_to_consultation(s)
    s.complete("Stap2_Consultatie", {"bespreken_in_sot": True})
    consent = s.complete("Stap2_ToestemmingOuder", {
        "toestemming_sot": "geweigerd", "anoniem_bespreken": False,
        "reden_weigering": "Moeder wil niet dat de school zich ermee bemoeit"})
    s.complete("Stap2_AdviesNagaan", {"advies_vtt": "niet_nodig"})
    s.complete("Stap3_GesprekOuder", {"vermoeden_vgv_eer": False, "uitkomst_stap3": "zorgen_blijven"})
    assert s.open_elements() == ["Stap4_Wegen"]
    weighing = s.task("Stap4_Wegen")
    assert weighing.lane == "intern_begeleider" and weighing.due_at is None
    view = read_task(session, services, s.actor(Role.INTERN_BEGELEIDER), Policy.for_user(session, school.users[Role.INTERN_BEGELEIDER]),
                     weighing.id)
    shown = {(a.label, a.text, a.task_name) for a in view.earlier}
    assert ("Heeft de ouder schriftelijk toestemming gegeven?", "Nee, de ouder weigert (zorgelijk signaal, meewegen "
            "in stap 4)", consent.name) in shown
    assert any(a.text == "Moeder wil niet dat de school zich ermee bemoeit" for a in view.earlier)


# -- Fedra: step 2 advice ---------------------------------------------------------------------


def _fedra_to_advice(s: Scenario, **talk) -> None:
    s.walk(("Stap1_Signaleren", {"vermoeden_personeelslid": False}),
           ("Stap1_ContactZorgcoordinator", {"gesprek_ouders_stap1": "ja"}),
           ("Stap1_GesprekOuders", {"kindcheck_nodig": False, **talk}), "Stap1_InKaart",
           ("Stap2_Bespreking", {"extern_advies": "ja"}))
    assert s.open_elements() == ["Stap2_Advies"]
    assert s.task("Stap2_Advies").lane == "intern_begeleider" and s.task("Stap2_Advies").due_at is None


def test_fedra_step_2_advice_is_anonymous_unless_consent_was_recorded(session, services, database):
    school = _school(session, services, "fedra_2019")
    s = Scenario.start(session, services, database, school)
    _fedra_to_advice(s)
    named = {"soort_deskundige": "jeugdarts", "advies_stap2_wijze": "op_naam"}
    [message] = _refused(s, "Stap2_Advies", named)["advies_stap2_wijze"]
    assert "nog niet vastgelegd" in message and "Stap 3 — schriftelijke toestemming van de ouders" in message
    assert s.open_elements() == ["Stap2_Advies"]
    s.complete("Stap2_Advies", {**named, "advies_stap2_wijze": "anoniem"})
    assert s.open_elements() == ["Stap3_GesprekOuders"] and s.task("Stap3_GesprekOuders").lane == "leerkracht"

    s2 = Scenario.start(session, services, database, school)
    _fedra_to_advice(s2, **GIVEN_ON_PAPER)
    s2.complete("Stap2_Advies", named)
    assert s2.open_elements() == ["Stap3_GesprekOuders"]


def _fedra_refused_to_weighing(s: Scenario, **talk):
    s.walk(("Stap1_Signaleren", {"vermoeden_personeelslid": False}),
           ("Stap1_ContactZorgcoordinator", {"gesprek_ouders_stap1": "ja"}),
           ("Stap1_GesprekOuders", {"kindcheck_nodig": False, **talk}), "Stap1_InKaart",
           ("Stap2_Bespreking", {"extern_advies": "nee"}),
           ("Stap3_GesprekOuders", {"gesprek_stap3": "gevoerd", "gesprek_met_leerling": False}),
           ("Stap3_Toestemming", {"toestemming_ouders": "geweigerd"}))
    refusal = s.complete("Stap3_WeigeringVastleggen", {"reden_weigering": "Vader vindt het een privézaak"})
    assert s.open_elements() == ["Stap4_KleinOndersteuningsteam"]
    assert s.task("Stap4_KleinOndersteuningsteam").lane == "zorgteam"
    assert s.task("Stap4_KleinOndersteuningsteam").due_at is None
    return refusal


def test_fedra_refusal_is_shown_at_the_klein_ondersteuningsteam_on_page_and_api(app, session, services, database):
    school = _school(session, services, "fedra_2019")
    s = Scenario.start(session, services, database, school)
    refusal = _fedra_refused_to_weighing(s)
    task_id = s.task("Stap4_KleinOndersteuningsteam").id

    page = WebUser(app, "ib@testschool.test").get(f"/taken/{task_id}").text
    panel = page.split("Eerder vastgelegd", 1)[1].split("</section>", 1)[0]
    assert "De ouders weigeren toestemming" in panel and "Vader vindt het een privézaak" in panel
    assert refusal.name in panel

    body = ApiUser(app, "ib@testschool.test").get(f"/api/v1/taken/{task_id}").get_json()
    answers = {a["vraag"]: a for a in body["eerder_vastgelegd"]}
    assert answers["Toestemming van de ouders"]["antwoord"].startswith("De ouders weigeren toestemming")
    assert answers["Welke reden gaven de ouders voor de weigering?"]["antwoord"] == "Vader vindt het een privézaak"
    assert answers["Welke reden gaven de ouders voor de weigering?"]["taak"] == refusal.name


def test_a_teacher_on_need_to_know_sees_no_more_through_the_panel(app, session, services, database):
    school = _school(session, services, "fedra_2019")
    s = Scenario.start(session, services, database, school)
    # The teacher's own step-1 talk: the parents refused already then.
    _fedra_refused_to_weighing(s, toestemming_extern="geweigerd", reden_weigering_extern="Moeder twijfelt nog")
    task_id = s.task("Stap4_KleinOndersteuningsteam").id
    teacher_page = WebUser(app, "leerkracht@testschool.test").get(f"/taken/{task_id}")
    teacher_api = ApiUser(app, "leerkracht@testschool.test").get(f"/api/v1/taken/{task_id}").get_json()
    # The open task of another lane may be looked at; the panel holds only the teacher's own answers,
    # not the coordinator's step-3 refusal.
    assert teacher_page.status_code == 200 and "Moeder twijfelt nog" in teacher_page.text
    assert "Vader vindt het een privézaak" not in teacher_page.text
    assert "De ouders weigeren toestemming" not in teacher_page.text
    assert [a["antwoord"] for a in teacher_api["eerder_vastgelegd"]] == [
        "Nee, geweigerd (zorgelijk signaal, meewegen in stap 4)", "Moeder twijfelt nog"]
    coordinator = ApiUser(app, "ib@testschool.test").get(f"/api/v1/taken/{task_id}").get_json()
    assert "Vader vindt het een privézaak" in [a["antwoord"] for a in coordinator["eerder_vastgelegd"]]
    # With the whole dossier (the school widened it), the same teacher sees the refusal.
    school.school.teachers_see_whole_dossier = True
    session.merge(school.school)
    session.commit()
    assert "Vader vindt het een privézaak" in WebUser(app, "leerkracht@testschool.test").get(f"/taken/{task_id}").text


# -- Oostpoort: stap 4 -------------------------------------------------------------------------


def test_oostpoort_refused_open_discussion_reaches_stap_4(session, services, database):
    school = _school(session, services, "oostpoort_delft")
    s = Scenario.start(session, services, database, school)
    s.walk(("Stap1_Signaleren", {"signalen_over_medewerker": False, "vastgelegd_in_esis": True}),
           ("Stap1_Signaleringsinstrument", {"ingevuld_met_leerkracht": True, "uitkomst_stap1": "zorgen"}))
    s.complete("Stap2_ToestemmingOuder", {"ouder_op_de_hoogte": "ja", "toestemming_open_bespreken": "geweigerd",
                                          "weigering_toelichting": "Ouder wil geen externen"})
    s.complete("Stap2_ZorgoverlegAnoniem", {"twijfel_oorzaak_veiligheid": False, "advies_amk_gewenst": False,
                                            "verwijsindex": "niet"})
    s.complete("Stap2_DirectieInformeren", {"directie_geinformeerd_via": "notulen"}, role=Role.DIRECTEUR)
    s.complete("Stap3_GesprekOuder", {"gesprek_ouder": "gevoerd", "vermoeden_vgv_eer": False,
                                      "zorg_andere_oorzaak": False})
    assert s.open_elements() == ["Stap4_Wegen"]
    weighing = s.task("Stap4_Wegen")
    assert weighing.lane == "zorgteam" and weighing.due_at is None
    view = read_task(session, services, s.actor(Role.INTERN_BEGELEIDER),
                     Policy.for_user(session, school.users[Role.INTERN_BEGELEIDER]), weighing.id)
    assert [a.text for a in view.earlier] == ["Toestemming geweigerd: de leerling wordt anoniem besproken",
                                               "Ouder wil geen externen"]
