"""The meldcode of De Oostpoortschool in Delft (seed 000), walked through the case layer.

The Oostpoort text is the JSO model with five steps and the old choice in step 5: *either* 5a
(organise help and follow its effects) *or* 5b (report to the AMK and discuss it with the parent).
Each scenario follows one route through the text; together they reach every end event and visit
every element of the diagram (`test_scenarios_visit_every_element`).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.support.coverage import assert_scenarios_visit_every_element
from tests.support.scenario import Scenario, setup_school
from webapp.cases.errors import NotPossibleNow
from webapp.cases.models import CaseStatus
from webapp.cases.read_models import load_workflow
from webapp.clock import SCHOOL_TIMEZONE
from webapp.roles import Role

VARIANT = "oostpoort_delft"
PUPILS = {"Sam": date(2017, 3, 14), "Milan": date(2013, 11, 23)}  # Milan is 12 in March 2026
ACUTE = "acuut_gevaar"


def at(day: date | str, hour: int = 9, minute: int = 0) -> datetime:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SCHOOL_TIMEZONE)


@pytest.fixture
def school(session, services):
    return setup_school(session, services, VARIANT, pupil_birthdays=PUPILS)


@pytest.fixture
def start(session, services, database, school):
    def start_case(pupil: str = "Sam") -> Scenario:
        return Scenario.start(session, services, database, school, pupil=pupil)
    return start_case


# -- helpers ---------------------------------------------------------------------------------


def now(s: Scenario) -> datetime:
    return s.services.now()


def advance_to(s: Scenario, moment: datetime) -> int:
    """Move the clock forward to `moment` and run the timer worker."""
    delta = moment - now(s)
    assert delta >= timedelta(0), f"the clock only moves forward ({now(s)} → {moment})"
    return s.advance_clock(seconds=delta.total_seconds())


def timers(s: Scenario) -> dict[str, datetime]:
    return {t.element_id: t.fires_at for t in s.waiting_timers()}


def receivable(s: Scenario) -> set[str]:
    return set(load_workflow(s.session, s.services, s.case).receivable_signals())


def assert_acute_danger_possible(s: Scenario) -> None:
    assert ACUTE in receivable(s), f"acute danger cannot be raised at {s.open_elements()}"


def lane_of(s: Scenario, element_id: str) -> str:
    return s.task(element_id).lane


def step_1(s: Scenario) -> None:
    s.walk(
        ("Stap1_Signaleren", {"signalen_over_medewerker": False, "vastgelegd_in_esis": True}),
        ("Stap1_Signaleringsinstrument", {"ingevuld_met_leerkracht": True, "uitkomst_stap1": "zorgen"}),
    )


def step_2(s: Scenario, *, toestemming: str = "gegeven", twijfel: bool = False,
           verwijsindex: str = "niet") -> None:
    """Consent, zorgoverleg, directie informed, (AMK advice), (Verwijsindex) → step 3 opens."""
    s.complete("Stap2_ToestemmingOuder", {"ouder_op_de_hoogte": "ja",
                                          "toestemming_open_bespreken": toestemming})
    zorgoverleg = "Stap2_ZorgoverlegOpen" if toestemming == "gegeven" else "Stap2_ZorgoverlegAnoniem"
    s.complete(zorgoverleg, {"twijfel_oorzaak_veiligheid": twijfel, "advies_amk_gewenst": False,
                             "verwijsindex": verwijsindex})
    s.complete("Stap2_DirectieInformeren", {"directie_geinformeerd_via": "notulen"}, role=Role.DIRECTEUR)
    if twijfel:
        s.complete("Stap2_AdviesAMK", {"advies_contact": "amk", "advies_anoniem": True})
    if verwijsindex == "overwegen":
        s.complete("Stap2_VerwijsindexToestemming", {"toestemming_verwijsindex": "gegeven"})
        s.complete("Stap2_VerwijsindexRegistreren")
    assert s.open_elements() == ["Stap3_GesprekOuder"]


def steps_3_and_4(s: Scenario, besluit: str) -> None:
    s.walk(
        ("Stap3_GesprekOuder", {"gesprek_ouder": "gevoerd", "vermoeden_vgv_eer": False,
                                "zorg_andere_oorzaak": False}),
        ("Stap4_Wegen", {"contact_weging": "jeugdgezondheidszorg", "contact_weging_door": "jmw"}),
    )
    assert s.open_elements() == ["Stap5_Beslissen"]
    s.complete("Stap5_Beslissen", {"besluit_stap5": besluit})


def to_step_5(s: Scenario, besluit: str, **step_2_options) -> None:
    step_1(s)
    step_2(s, **step_2_options)
    steps_3_and_4(s, besluit)


def organise_help(s: Scenario, volgtermijn: dict) -> None:
    """Step 5a up to the wait for the agreed term."""
    assert s.open_elements() == ["Stap5a_Hulpvraag"]
    assert lane_of(s, "Stap5a_Hulpvraag") == "zorgteam"  # the zorgoverleg lane
    s.complete("Stap5a_Hulpvraag", {"geadviseerde_hulp": "bureau_jeugdzorg"})
    s.complete("Stap5a_GesprekOuder", {"leerkracht_aanwezig": True, "verwezen_naar": "bureau_jeugdzorg",
                                       "volgtermijn": volgtermijn})
    assert lane_of(s, "Stap5a_Handelingsplan") == "leerkracht"
    s.complete("Stap5a_Handelingsplan", {"handelingsplan": "opgesteld"}, role=Role.LEERKRACHT)
    assert s.open_elements() == []


# -- scenarios -------------------------------------------------------------------------------


def scenario_signals_about_staff(start) -> Scenario:
    s = start()
    assert s.open_elements() == ["Stap1_Signaleren"]
    assert_acute_danger_possible(s)
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": True}, role=Role.LEERKRACHT)
    # Signals about a staff member go to the directie: the meldcode does not apply.
    assert s.open_elements() == ["Medewerker_Meldplicht"]
    assert lane_of(s, "Medewerker_Meldplicht") == "directie"
    s.complete("Medewerker_Meldplicht", role=Role.DIRECTEUR)
    assert s.is_closed
    assert s.case.outcome == "Buiten de meldcode: meld- en aangifteplicht"
    return s


def scenario_acute_danger_leaves_the_staff_duty_open(start) -> Scenario:
    """Acute danger for the pupil must not wipe out the director's duty about a staff member."""
    s = start()
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": True}, role=Role.LEERKRACHT)
    s.raise_acute_danger()
    assert s.open_elements() == ["Acuut_ContactAMK", "Medewerker_Meldplicht"]
    assert lane_of(s, "Medewerker_Meldplicht") == "directie"
    assert s.task("Acuut_ContactAMK").due_at == at("2026-03-02", 17)
    s.complete("Acuut_ContactAMK", {"acuut_contact_met": "amk", "onmiddellijke_actie": True,
                                    "melding_gedaan": True}, role=Role.LEERKRACHT)
    s.complete("Acuut_DirectieInformeren", role=Role.DIRECTEUR)
    assert s.open_elements() == ["Medewerker_Meldplicht", "Nazorg_Acuut_Afspraken"]
    s.complete("Nazorg_Acuut_Afspraken", {"termijn_verbetering": {"amount": 2, "unit": "weken"}})
    s.advance_clock(weeks=2, hours=1)
    s.complete("Nazorg_Acuut_Verbetering", {"verbetering": "voldoende"})
    assert not s.is_closed and s.open_elements() == ["Medewerker_Meldplicht"]
    s.complete("Medewerker_Meldplicht", role=Role.DIRECTEUR)
    assert s.is_closed
    return s


def scenario_no_worries_after_the_instrument(start) -> Scenario:
    s = start()
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False}, role=Role.LEERKRACHT)
    # The IB'er fills in the signaleringsinstrument together with the teacher.
    assert s.open_elements() == ["Stap1_Signaleringsinstrument"]
    assert lane_of(s, "Stap1_Signaleringsinstrument") == "intern_begeleider"
    s.complete("Stap1_Signaleringsinstrument", {"ingevuld_met_leerkracht": True,
                                                "uitkomst_stap1": "geen_zorgen"})
    assert s.open_elements() == ["Stap1_Afsluiten"]
    s.complete("Stap1_Afsluiten", {"afsluiting_vastgelegd_esis": True})
    assert s.is_closed
    assert s.case.outcome == "Signalen ontkracht: geen zorgen, vastgelegd in ESIS"
    return s


def scenario_consent_refused_fgm_suspicion_then_other_cause(start) -> Scenario:
    s = start()
    step_1(s)
    assert s.open_elements() == ["Stap2_ToestemmingOuder"]
    s.complete("Stap2_ToestemmingOuder", {"ouder_op_de_hoogte": "ja",
                                          "toestemming_open_bespreken": "geweigerd",
                                          "weigering_toelichting": "Ouder wil geen externen betrekken."})
    # No consent for open discussion: the pupil is discussed anonymously.
    assert s.open_elements() == ["Stap2_ZorgoverlegAnoniem"]
    s.complete("Stap2_ZorgoverlegAnoniem", {"twijfel_oorzaak_veiligheid": True,
                                            "verwijsindex": "overwegen"})
    # From step 2 the directie knows; any doubt about cause or safety: the IB'er asks the AMK.
    assert s.open_elements() == ["Stap2_AdviesAMK", "Stap2_DirectieInformeren"]
    assert lane_of(s, "Stap2_DirectieInformeren") == "directie"
    s.complete("Stap2_AdviesAMK", {"advies_contact": "amk", "advies_anoniem": True})
    s.complete("Stap2_VerwijsindexToestemming", {"toestemming_verwijsindex": "geweigerd"})
    # Without parental consent there is no Verwijsindex registration; step 3 waits for the directie.
    assert s.open_elements() == ["Stap2_DirectieInformeren"]
    s.complete("Stap2_DirectieInformeren", role=Role.DIRECTEUR)
    assert s.open_elements() == ["Stap3_GesprekOuder"]
    assert lane_of(s, "Stap3_GesprekOuder") == "leerkracht"
    s.advance_clock(days=3, hours=2)  # Thursday 5 March, 11:00
    s.complete("Stap3_GesprekOuder", {"gesprek_ouder": "gevoerd", "vermoeden_vgv_eer": True,
                                      "zorg_andere_oorzaak": True}, role=Role.LEERKRACHT)
    # Suspected FGM / honour-related violence: urgent AMK contact, due the same school day.
    assert s.open_elements() == ["Stap3_SpoedcontactAMK"]
    assert s.task("Stap3_SpoedcontactAMK").due_at == at("2026-03-05", 17)
    s.complete("Stap3_SpoedcontactAMK", {"spoed_contact_met": "amk", "spoed_vermoeden": ["eergerelateerd"]})
    assert s.open_elements() == ["Stap3_Afsluiten"]
    s.complete("Stap3_Afsluiten")
    assert s.is_closed
    assert s.case.outcome == "Zorg heeft een andere oorzaak: traject afgesloten"
    assert "Stap2_VerwijsindexRegistreren" not in s.visited
    return s


def scenario_help_then_violence_continues_report_and_recontact(start) -> Scenario:
    s = start(pupil="Milan")
    to_step_5(s, "hulp_organiseren", verwijsindex="overwegen")
    assert "Stap2_AdviesAMK" not in s.visited  # no doubt, no advice asked
    organise_help(s, {"amount": 2, "unit": "weken"})
    assert timers(s) == {"Stap5a_Volgtermijn": at("2026-03-16")}
    assert advance_to(s, at("2026-03-15", 23)) == 0
    assert s.open_elements() == []
    assert advance_to(s, at("2026-03-16", 10)) >= 1
    assert s.open_elements() == ["Stap5a_EffectenVolgen"]
    s.complete("Stap5a_EffectenVolgen", {"effecten_5a": "doorgaan",
                                         "volgtermijn": {"amount": 3, "unit": "weken"}})
    assert timers(s) == {"Stap5a_Volgtermijn": at("2026-04-06", 10)}
    advance_to(s, at("2026-03-23", 10))
    # The violence does not stop: new signals need not wait for the agreed term.
    assert "nieuwe_signalen" in receivable(s)
    s.send_signal("nieuwe_signalen")
    assert s.open_elements() == ["Stap5a_EffectenVolgen"]
    assert timers(s) == {}
    s.complete("Stap5a_EffectenVolgen", {"effecten_5a": "melden"})
    # 5b: the IB'er discusses the intended report with the parent; Milan (12) may be told too.
    assert s.open_elements() == ["Stap5b_GesprekOuder"]
    s.complete("Stap5b_GesprekOuder", {"contact_ouder_melding": "besproken",
                                       "bezwaren_ouder": "Ouder is het er niet mee eens."})
    assert s.open_elements() == ["Stap5b_GesprekLeerling"]
    s.complete("Stap5b_GesprekLeerling", {"gesprek_leerling_melding": "besproken"})
    s.complete("Stap5b_Afweging", {"bezwaren": "afgewogen", "afweging_bezwaren": "Bescherming weegt zwaarder.",
                                   "besluit_melden": "melden"})
    assert s.open_elements() == ["Stap5b_Melden"]
    assert lane_of(s, "Stap5b_Melden") == "intern_begeleider"  # the melding is the IB'er's task
    s.complete("Stap5b_Melden", {"gemeld_bij": "amk", "termijn_verbetering": {"amount": 1, "unit": "maanden"}})
    assert timers(s) == {"Stap5b_Volgtermijn": at("2026-04-23", 10)}  # a calendar month
    assert_acute_danger_possible(s)
    # Thursday 2 April: the situation worsens before the term ends; the IB'er contacts the AMK again.
    advance_to(s, at("2026-04-02", 10))
    s.send_signal("nieuwe_signalen")
    s.complete("Stap5b_Verbetering", {"verbetering": "verslechtering"})
    assert s.open_elements() == ["Stap5b_OpnieuwContactAMK"]
    s.complete("Stap5b_OpnieuwContactAMK", {"opnieuw_melding": True,
                                            "termijn_verbetering": {"amount": 5, "unit": "werkdagen"}})
    # Five working days from Thursday 2 April skip Good Friday, the weekend and Easter Monday:
    # Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April, at the end of the school day.
    assert timers(s) == {"Stap5b_Volgtermijn": at("2026-04-13", 17)}
    assert advance_to(s, at("2026-04-10", 17)) == 0
    assert s.open_elements() == []
    advance_to(s, at("2026-04-13", 17, 1))
    assert s.open_elements() == ["Stap5b_Verbetering"]
    s.complete("Stap5b_Verbetering", {"verbetering": "voldoende"})
    assert s.is_closed
    assert s.case.outcome == "Melding gedaan: voldoende verbetering zichtbaar"
    return s


def scenario_report_without_contact_and_recontact_after_the_term(start) -> Scenario:
    s = start(pupil="Sam")
    to_step_5(s, "melden", twijfel=True)
    # Contact about the report may be skipped, but only for one of the two reasons.
    s.complete("Stap5b_GesprekOuder", {"contact_ouder_melding": "afgezien", "reden_afzien_5b": "veiligheid"})
    # Sam is eight: no conversation about the report with the pupil.
    assert s.open_elements() == ["Stap5b_Afweging"]
    s.complete("Stap5b_Afweging", {"bezwaren": "geen", "besluit_melden": "melden"})
    s.complete("Stap5b_Melden", {"gemeld_bij": "amk", "termijn_verbetering": {"amount": 6, "unit": "weken"}})
    assert timers(s) == {"Stap5b_Volgtermijn": at("2026-04-13")}
    assert advance_to(s, at("2026-04-13", 8, 59)) == 0
    advance_to(s, at("2026-04-13", 9, 1))
    # After the agreed period: no sufficient improvement → the IB'er contacts the AMK again.
    assert s.open_elements() == ["Stap5b_Verbetering"]
    s.complete("Stap5b_Verbetering", {"verbetering": "onvoldoende"})
    s.complete("Stap5b_OpnieuwContactAMK", {"opnieuw_melding": False,
                                            "termijn_verbetering": {"amount": 2, "unit": "maanden"}})
    assert timers(s) == {"Stap5b_Volgtermijn": at("2026-06-13", 9, 1)}
    advance_to(s, at("2026-06-13", 10))
    assert s.open_elements() == ["Stap5b_Verbetering"]  # the loop: checked again after the new term
    s.complete("Stap5b_Verbetering", {"verbetering": "voldoende"})
    assert s.is_closed and s.case.outcome == "Melding gedaan: voldoende verbetering zichtbaar"
    return s


def scenario_objections_met_then_help_works(start) -> Scenario:
    s = start(pupil="Milan")
    to_step_5(s, "melden")
    s.complete("Stap5b_GesprekOuder", {"contact_ouder_melding": "besproken"})
    s.complete("Stap5b_GesprekLeerling", {"gesprek_leerling_melding": "niet_besproken",
                                          "reden_niet_besproken": "niet_passend"})
    s.complete("Stap5b_Afweging", {"bezwaren": "tegemoetgekomen", "tegemoetkoming": "Ouder neemt hulp aan.",
                                   "besluit_melden": "niet_melden"})
    # The objections were met: the school organises help instead (5a).
    organise_help(s, {"amount": 10, "unit": "werkdagen"})
    # Monday 2 March + 10 working days = Monday 16 March, end of the school day.
    assert timers(s) == {"Stap5a_Volgtermijn": at("2026-03-16", 17)}
    advance_to(s, at("2026-03-16", 17, 30))
    s.complete("Stap5a_EffectenVolgen", {"ouder_aangekomen_bij_hulp": "ja", "effecten_5a": "afronden"})
    assert s.is_closed
    assert s.case.outcome == "Hulp georganiseerd en effecten gevolgd: afgerond"
    return s


def scenario_emergency_without_report_then_with_report_and_again_in_aftercare(start) -> Scenario:
    s = start()
    step_1(s)
    s.complete("Stap2_ToestemmingOuder", {"ouder_op_de_hoogte": "ja", "toestemming_open_bespreken": "gegeven"})
    assert_acute_danger_possible(s)
    s.raise_acute_danger()
    # The step plan waits on; only a melding stops it.
    assert s.open_elements() == ["Acuut_ContactAMK", "Stap2_ZorgoverlegOpen"]
    assert s.task("Acuut_ContactAMK").due_at == at("2026-03-02", 17)
    assert s.case.acute_raised_at is not None
    # Any staff member may call: the teacher makes the contact.
    s.complete("Acuut_ContactAMK", {"acuut_contact_met": "amk", "onmiddellijke_actie": False,
                                    "melding_gedaan": False}, role=Role.LEERKRACHT)
    assert s.task("Acuut_DirectieInformeren").due_at == at("2026-03-02", 17)
    s.complete("Acuut_DirectieInformeren", role=Role.DIRECTEUR)
    # The AMK saw no need for immediate action and no report was made: the case carries on
    # where it was, in step 2, not again from step 1.
    assert s.open_elements() == ["Stap2_ZorgoverlegOpen"]
    assert lane_of(s, "Stap2_ZorgoverlegOpen") == "zorgteam"
    s.complete("Stap2_ZorgoverlegOpen", {"twijfel_oorzaak_veiligheid": False, "advies_amk_gewenst": False,
                                         "verwijsindex": "niet"})
    s.complete("Stap2_DirectieInformeren", {"directie_geinformeerd_via": "notulen"}, role=Role.DIRECTEUR)
    steps_3_and_4(s, "hulp_organiseren")
    organise_help(s, {"amount": 4, "unit": "weken"})
    assert list(timers(s)) == ["Stap5a_Volgtermijn"]
    s.advance_clock(days=7)
    s.raise_acute_danger()  # acute again while the effects of help are followed
    assert list(timers(s)) == ["Stap5a_Volgtermijn"]  # the wait goes on until a melding is made
    s.complete("Acuut_ContactAMK", {"acuut_contact_met": "crisisdienst_bureau_jeugdzorg",
                                    "onmiddellijke_actie": True, "melding_gedaan": True,
                                    "ook_ingeschakeld": ["crisisdienst", "politie"]})
    s.complete("Acuut_DirectieInformeren", role=Role.DIRECTEUR)
    assert timers(s) == {}  # the melding stopped the stappenplan and its wait
    assert s.open_elements() == ["Nazorg_Acuut_Afspraken"]
    s.complete("Nazorg_Acuut_Afspraken", {"termijn_verbetering": {"amount": 4, "unit": "weken"}})
    assert timers(s) == {"Nazorg_Acuut_Volgtermijn": at("2026-04-06")}
    advance_to(s, at("2026-04-06", 9, 5))
    s.complete("Nazorg_Acuut_Verbetering", {"verbetering": "onvoldoende"})
    s.complete("Nazorg_Acuut_OpnieuwContactAMK", {"opnieuw_melding": True,
                                                  "termijn_verbetering": {"amount": 3, "unit": "weken"}})
    s.advance_clock(days=2)
    s.send_signal("nieuwe_signalen")
    assert s.open_elements() == ["Nazorg_Acuut_Verbetering"]
    s.complete("Nazorg_Acuut_Verbetering", {"verbetering": "verslechtering"})
    assert s.open_elements() == ["Nazorg_Acuut_OpnieuwContactAMK"]
    assert_acute_danger_possible(s)
    s.raise_acute_danger()  # acute danger again during the aftercare: it goes on alongside
    assert s.open_elements() == ["Nazorg_Acuut_OpnieuwContactAMK", "Nazorg_Opnieuw_Contact"]
    assert lane_of(s, "Nazorg_Opnieuw_Contact") == "leerkracht"
    assert s.task("Nazorg_Opnieuw_Contact").due_at.date() == s.services.now().date()
    s.complete("Nazorg_Opnieuw_Contact", {"acuut_contact_met": "politie_alarmnummer", "onmiddellijke_actie": True,
                                          "melding_gedaan": True, "ook_ingeschakeld": ["politie"]})
    s.complete("Nazorg_Opnieuw_Directie", role=Role.DIRECTEUR)
    s.complete("Nazorg_Acuut_OpnieuwContactAMK", {"opnieuw_melding": True,
                                                  "termijn_verbetering": {"amount": 2, "unit": "weken"}})
    s.advance_clock(weeks=2, hours=1)
    s.complete("Nazorg_Acuut_Verbetering", {"verbetering": "voldoende"})
    assert s.is_closed
    assert s.case.outcome == "Melding in noodsituatie gedaan: voldoende verbetering zichtbaar"
    return s


SCENARIOS = [
    scenario_signals_about_staff,
    scenario_acute_danger_leaves_the_staff_duty_open,
    scenario_no_worries_after_the_instrument,
    scenario_consent_refused_fgm_suspicion_then_other_cause,
    scenario_help_then_violence_continues_report_and_recontact,
    scenario_report_without_contact_and_recontact_after_the_term,
    scenario_objections_met_then_help_works,
    scenario_emergency_without_report_then_with_report_and_again_in_aftercare,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.removeprefix("scenario_"))
def test_scenario(scenario, start):
    s = scenario(start)
    assert s.case.status == CaseStatus.CLOSED


def test_new_signals_are_only_offered_while_effects_are_followed(start):
    s = start()
    step_1(s)
    assert "nieuwe_signalen" not in receivable(s)
    with pytest.raises(NotPossibleNow):
        s.send_signal("nieuwe_signalen")
    assert s.open_elements() == ["Stap2_ToestemmingOuder"]


def test_step_5_is_one_exclusive_choice(start):
    s = start()
    compiled = s.compiled()
    assert compiled.elements["GW_Stap5_Besluit"].kind == "exclusiveGateway"
    assert not [e for e in compiled.elements.values() if e.kind == "inclusiveGateway"]


def test_sociale_kaart_as_written(services):
    variant = services.variants[VARIANT]
    assert variant.organisation == "De Oostpoortschool (Delft)"
    assert variant.terms["registratiesysteem"].startswith("ESIS")
    kaart = {c.id: c for c in variant.contacts}
    assert kaart["crisisdienst_bureau_jeugdzorg"].phone == "015- 2190937 / 070-3795160 buiten kantooruren"
    assert (kaart["amk"].address, kaart["amk"].phone) == ("Neherkade 3054, Den Haag", "070-3469717")
    assert kaart["politie_alarmnummer"].phone == "112"
    assert kaart["integrale_vroeghulp"].email == "ivh.delft@meezhn.nl"
    assert kaart["kwadraad"].address == "Van Bleijswijckstraat 91, Delft"
    assert kaart["steunpunt_huiselijk_geweld"].address == "Van Bleiswijckstraat 91, Delft"
    assert kaart["politie"].phone == "0900- 8844"
    assert len(kaart) == 14
    assert variant.emergency_contact_ids == ("amk", "crisisdienst_bureau_jeugdzorg", "politie_alarmnummer")
    assert all(contact_id in kaart for contact_id in variant.emergency_contact_ids)


def test_scenarios_visit_every_element(start, clock):
    assert_scenarios_visit_every_element(SCENARIOS, start, clock)
