"""The meldcode of Stichting Symbio Hengelo (seed 004), walked through the case layer.

JSO steps 1–5 with the old choice in step 5: 5a (hulp organiseren en effecten volgen) *or* 5b
(melden en bespreken met de ouder) at Veilig Thuis Twente (VTT), the schoolondersteuningsteam
(SOT) with written parental consent, the zorgloket of the gemeente Hengelo, and emergencies at
any moment. Together the scenarios reach every end event and visit every element
(`test_scenarios_visit_every_element`). Every task is completed by a user whose role may act in
the task's lane.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.support.coverage import assert_scenarios_visit_every_element
from tests.support.scenario import Scenario, setup_school
from webapp.cases.models import CaseStatus
from webapp.clock import SCHOOL_TIMEZONE
from webapp.roles import Role

PUPILS = {"Sam": date(2017, 3, 14), "Milan": date(2013, 11, 23)}  # Milan is 12 in March 2026

# The user who acts in each lane (SCP-er and SOT decisions are recorded by the intern
# begeleider role, which stands for the aandachtsfunctionaris).
ROLE_FOR_LANE = {
    "leerkracht": Role.LEERKRACHT,
    "intern_begeleider": Role.INTERN_BEGELEIDER,
    "zorgteam": Role.INTERN_BEGELEIDER,
    "directie": Role.DIRECTEUR,
    "bestuur": Role.BESTUUR,
}


def at(day: int, month: int, hour: int = 17, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SCHOOL_TIMEZONE)


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "symbio_hengelo", pupil_birthdays=PUPILS)


@pytest.fixture
def start(session, services, database, school):
    def start_case(pupil: str = "Sam") -> Scenario:
        return Scenario.start(session, services, database, school, pupil=pupil)
    return start_case


def act(s: Scenario, element_id: str, answers: dict | None = None):
    """Complete a task as the role that works in its lane."""
    return s.complete(element_id, answers, role=ROLE_FOR_LANE[s.task(element_id).lane])


def walk(s: Scenario, *steps) -> None:
    for step in steps:
        element_id, answers = (step, None) if isinstance(step, str) else step
        act(s, element_id, answers)


def lane_of(s: Scenario, element_id: str) -> str:
    return s.task(element_id).lane


def through_step_1(s: Scenario) -> None:
    walk(s, ("Stap1_Signaleren", {"signalen_over_medewerker": False}), "Stap1_ZorgDelenOuder")
    assert s.open_elements() == ["Stap2_Consultatie"]
    assert lane_of(s, "Stap2_Consultatie") == "intern_begeleider"  # the SCP-er


def step_2_without_sot(s: Scenario, advies: str = "niet_nodig") -> None:
    walk(s, ("Stap2_Consultatie", {"bespreken_in_sot": False}),
         ("Stap2_AdviesNagaan", {"advies_vtt": advies}))


def through_step_4(s: Scenario, **step3) -> None:
    through_step_1(s)
    step_2_without_sot(s)
    walk(s, ("Stap3_GesprekOuder", {"vermoeden_vgv_eer": False, "uitkomst_stap3": "zorgen_blijven",
                                    **step3}),
         ("Stap4_Wegen", {"weging_contact": "veilig_thuis_twente"}))
    assert s.open_elements() == ["Stap5_Beslissen"]


def scenario_signals_about_staff_go_to_the_board(start) -> Scenario:
    s = start()
    act(s, "Stap1_Signaleren", {"signalen_over_medewerker": True})
    assert s.open_elements() == ["Medewerker_MeldenSchoolbestuur"]
    # "Onmiddellijk": due before the end of this school day.
    assert s.task("Medewerker_MeldenSchoolbestuur").due_at == at(2, 3)
    act(s, "Medewerker_MeldenSchoolbestuur")
    assert s.open_elements() == ["Schoolbestuur_MeldingMedewerker"]
    assert lane_of(s, "Schoolbestuur_MeldingMedewerker") == "bestuur"
    act(s, "Schoolbestuur_MeldingMedewerker")
    assert s.is_closed
    assert s.case.outcome == "Buiten de meldcode: gemeld bij het schoolbestuur"
    return s


def scenario_acute_danger_leaves_the_staff_duty_open(start) -> Scenario:
    """Acute danger for the pupil must not wipe out the report to the board about a staff member."""
    s = start()
    act(s, "Stap1_Signaleren", {"signalen_over_medewerker": True})
    s.raise_acute_danger()
    assert s.open_elements() == ["Acuut_ContactVTT", "Medewerker_MeldenSchoolbestuur"]
    assert s.task("Medewerker_MeldenSchoolbestuur").due_at == at(2, 3)
    act(s, "Medewerker_MeldenSchoolbestuur")
    assert s.open_elements() == ["Acuut_ContactVTT", "Schoolbestuur_MeldingMedewerker"]
    assert lane_of(s, "Schoolbestuur_MeldingMedewerker") == "bestuur"
    walk(s, ("Acuut_ContactVTT", {"contact_met": "politie", "melding_gedaan": False}),
         "Acuut_DirectieInformeren")  # advice only
    assert s.open_elements() == ["Schoolbestuur_MeldingMedewerker"]
    s.raise_acute_danger()  # again, while the board handles the report: that stays open too
    assert s.open_elements() == ["Acuut_ContactVTT", "Schoolbestuur_MeldingMedewerker"]
    walk(s, ("Acuut_ContactVTT", {"contact_met": "politie", "melding_gedaan": True}),
         "Acuut_DirectieInformeren",
         ("Nazorg_Acuut_Afspraken", {"termijn_verbetering": {"amount": 1, "unit": "weken"}}))
    assert s.open_elements() == ["Schoolbestuur_MeldingMedewerker"]
    assert s.advance_clock(weeks=1, hours=1) >= 1
    act(s, "Nazorg_Acuut_Verbetering", {"verbetering": "voldoende"})
    assert not s.is_closed and s.open_elements() == ["Schoolbestuur_MeldingMedewerker"]
    act(s, "Schoolbestuur_MeldingMedewerker")
    assert s.is_closed
    return s


def scenario_other_cause_closes_after_step_3(start) -> Scenario:
    s = start()
    through_step_1(s)
    act(s, "Stap2_Consultatie", {"bespreken_in_sot": False, "geconsulteerd": ["intern_begeleider", "zorgloket"]})
    assert s.open_elements() == ["Stap2_AdviesNagaan"]  # no SOT: no consent needed
    act(s, "Stap2_AdviesNagaan", {"advies_vtt": "niet_nodig", "verwijsindex": "niet_aangesloten"})
    assert s.open_elements() == ["Stap3_GesprekOuder"]  # no doubt at all: no VTT advice
    act(s, "Stap3_GesprekOuder", {"vermoeden_vgv_eer": False, "uitkomst_stap3": "andere_oorzaak"})
    assert s.open_elements() == ["Stap3_Afsluiten"]
    act(s, "Stap3_Afsluiten", {"verdere_begeleiding": "interne_zorgstructuur"})
    assert s.is_closed
    assert s.case.outcome == "Zorgen hebben een andere oorzaak: traject afgesloten"
    return s


def scenario_sot_with_consent_then_help_and_effects(start) -> Scenario:
    s = start()
    through_step_1(s)
    act(s, "Stap2_Consultatie", {"bespreken_in_sot": True})
    assert s.open_elements() == ["Stap2_ToestemmingOuder"]
    act(s, "Stap2_ToestemmingOuder", {"toestemming_sot": "gegeven"})
    # Before the SOT discussion: an intake by maatschappelijk werk or another SOT member.
    assert s.open_elements() == ["Stap2_Intakegesprek"]
    assert lane_of(s, "Stap2_Intakegesprek") == "zorgteam"
    walk(s, ("Stap2_Intakegesprek", {"intake_met": ["ouder", "leerkracht"]}), "Stap2_SOTBespreking")
    # Any doubt about cause or safety: advice from VTT is mandatory.
    act(s, "Stap2_AdviesNagaan", {"advies_vtt": "twijfel"})
    assert s.open_elements() == ["Stap2_AdviesVTT"]
    act(s, "Stap2_AdviesVTT", {"advies_contact": "veilig_thuis_twente", "advies_anoniem": True})
    assert s.open_elements() == ["Stap3_GesprekOuder"]
    act(s, "Stap3_GesprekOuder", {"vermoeden_vgv_eer": True, "uitkomst_stap3": "zorgen_blijven"})
    # Female genital mutilation / honour-related violence: urgent contact with VTT, the same day.
    assert s.open_elements() == ["Stap3_SpoedcontactVTT"]
    assert s.task("Stap3_SpoedcontactVTT").due_at == at(2, 3)
    act(s, "Stap3_SpoedcontactVTT", {"spoed_contact": "veilig_thuis_twente"})
    assert s.open_elements() == ["Stap4_Wegen"]
    act(s, "Stap4_Wegen", {"weging_contact": "jeugdgezondheidszorg"})
    act(s, "Stap5_Beslissen", {"besluit_stap5": "hulp", "sot_coordineert": True})
    assert s.open_elements() == ["Stap5a_SOTCoordinatie"]
    act(s, "Stap5a_SOTCoordinatie")
    act(s, "Stap5a_BesprekenOuder", {"verwezen_naar": "zorgloket_hengelo",
                                     "termijn_navragen": {"amount": 2, "unit": "weken"}})
    # The class plan runs while the school waits for the agreed moment to ask about the help.
    assert s.open_elements() == ["Stap5a_Handelingsplan"]
    assert [t.element_id for t in s.waiting_timers()] == ["Stap5a_Navragen"]
    assert s.waiting_timers()[0].fires_at == at(16, 3, 9)
    act(s, "Stap5a_Handelingsplan", {"gedeeld_met_ouders": True})
    assert s.advance_clock(days=13) == 0
    assert s.open_elements() == []
    assert s.advance_clock(days=1, minutes=1) >= 1
    assert s.open_elements() == ["Stap5a_AangekomenBijHulp"]
    act(s, "Stap5a_AangekomenBijHulp", {"aangekomen_bij_hulp": "ja"})
    assert s.open_elements() == ["Stap5a_EffectenVolgen"]
    # Following the effects: look again after the agreed term.
    act(s, "Stap5a_EffectenVolgen", {"effect_hulp": "blijven_volgen",
                                     "volgtermijn": {"amount": 2, "unit": "maanden"}})
    assert [t.element_id for t in s.waiting_timers()] == ["Stap5a_Volgtermijn"]
    assert s.waiting_timers()[0].fires_at == at(16, 5, 9, 1)  # calendar months, same wall-clock time
    assert s.advance_clock(days=60) == 0  # 15 May
    assert s.advance_clock(days=1, minutes=1) >= 1
    assert s.open_elements() == ["Stap5a_EffectenVolgen"]
    act(s, "Stap5a_EffectenVolgen", {"effect_hulp": "afsluiten"})
    assert s.is_closed
    assert s.case.outcome == "Hulp georganiseerd en effecten gevolgd: traject afgesloten"
    return s


def scenario_anonymous_sot_then_report_pupil_of_twelve(start) -> Scenario:
    s = start(pupil="Milan")
    through_step_1(s)
    act(s, "Stap2_Consultatie", {"bespreken_in_sot": True})
    act(s, "Stap2_ToestemmingOuder", {"toestemming_sot": "geweigerd", "anoniem_bespreken": True})
    # Refused consent: the pupil may be discussed anonymously, without an intake with the parent.
    assert s.open_elements() == ["Stap2_SOTAnoniem"]
    act(s, "Stap2_SOTAnoniem")
    act(s, "Stap2_AdviesNagaan", {"advies_vtt": "gewenst"})
    act(s, "Stap2_AdviesVTT", {"advies_contact": "veilig_thuis_twente"})
    walk(s, ("Stap3_GesprekOuder", {"vermoeden_vgv_eer": False, "uitkomst_stap3": "zorgen_blijven"}),
         ("Stap4_Wegen", {"weging_contact": "veilig_thuis_twente"}),
         ("Stap5_Beslissen", {"besluit_stap5": "melden"}))
    assert s.open_elements() == ["Stap5b_GesprekOuder"]
    act(s, "Stap5b_GesprekOuder", {"contact_ouder_melding": "besproken"})
    # Milan is twelve: the melding may be discussed with him too.
    assert s.open_elements() == ["Stap5b_GesprekLeerling"]
    act(s, "Stap5b_GesprekLeerling", {"contact_leerling_melding": "besproken"})
    act(s, "Stap5b_Afweging", {"bezwaren": "afgewogen", "besluit_melding": "melden"})
    assert s.open_elements() == ["Stap5b_Melden"]
    # The melding is made on Thursday 23 April; the improvement is checked after three working
    # days: Friday 24, (weekend), Koningsdag on Monday 27 April is skipped, Tuesday 28, Wednesday 29.
    s.advance_clock(days=52)
    assert s.services.now().date() == date(2026, 4, 23)
    act(s, "Stap5b_Melden", {"gemeld_bij": "veilig_thuis_twente",
                             "termijn_verbetering": {"amount": 3, "unit": "werkdagen"}})
    assert [t.element_id for t in s.waiting_timers()] == ["Stap5b_Verbeteringstermijn"]
    assert s.waiting_timers()[0].fires_at == at(29, 4)
    assert s.advance_clock(days=5, hours=8) == 0  # Tuesday 28 April 17:00: not yet
    assert s.open_elements() == []
    assert s.advance_clock(days=1, minutes=1) >= 1  # Wednesday 29 April 17:01
    assert s.open_elements() == ["Stap5b_VerbeteringBeoordelen"]
    # Not enough improvement: contact VTT again, possibly report again, agree a new period.
    act(s, "Stap5b_VerbeteringBeoordelen", {"verbetering": "onvoldoende"})
    assert s.open_elements() == ["Stap5b_OpnieuwContactVTT"]
    act(s, "Stap5b_OpnieuwContactVTT", {"opnieuw_gemeld": True,
                                        "termijn_verbetering": {"amount": 6, "unit": "weken"}})
    assert [t.element_id for t in s.waiting_timers()] == ["Stap5b_Verbeteringstermijn"]
    assert s.advance_clock(weeks=6, hours=1) >= 1
    act(s, "Stap5b_VerbeteringBeoordelen", {"verbetering": "voldoende"})
    assert s.is_closed
    assert s.case.outcome == "Gemeld bij VTT; voldoende verbetering: traject afgesloten"
    return s


def scenario_no_consent_no_talk_objections_then_help_fails(start) -> Scenario:
    s = start(pupil="Sam")
    through_step_1(s)
    act(s, "Stap2_Consultatie", {"bespreken_in_sot": True})
    act(s, "Stap2_ToestemmingOuder", {"toestemming_sot": "geweigerd", "anoniem_bespreken": False})
    assert s.open_elements() == ["Stap2_AdviesNagaan"]  # not discussed in the SOT at all
    act(s, "Stap2_AdviesNagaan", {"advies_vtt": "niet_nodig"})
    # Signals not discussed with the parent: only for one of the two reasons.
    act(s, "Stap3_GesprekOuder", {"gesprek_ouder": "afgezien", "reden_afzien": "contact_verbreken",
                                  "vermoeden_vgv_eer": False, "uitkomst_stap3": "zorgen_blijven"})
    walk(s, ("Stap4_Wegen", {"weging_contact": "veilig_thuis_twente"}),
         ("Stap5_Beslissen", {"besluit_stap5": "melden"}))
    act(s, "Stap5b_GesprekOuder", {"contact_ouder_melding": "afgezien", "reden_afzien": "veiligheid"})
    assert s.open_elements() == ["Stap5b_Afweging"]  # Sam is eight: no talk with the pupil
    # The objections outweigh: no melding now; step 5 is decided again.
    act(s, "Stap5b_Afweging", {"bezwaren": "afgewogen", "besluit_melding": "niet_melden"})
    assert s.open_elements() == ["Stap5_Beslissen"]
    act(s, "Stap5_Beslissen", {"besluit_stap5": "hulp", "sot_coordineert": False})
    assert s.open_elements() == ["Stap5a_BesprekenOuder"]  # without SOT coordination
    act(s, "Stap5a_BesprekenOuder", {"verwezen_naar": "zorgloket_hengelo",
                                     "termijn_navragen": {"amount": 5, "unit": "werkdagen"}})
    # Monday 2 March + 5 working days = Monday 9 March, end of the school day.
    assert s.waiting_timers()[0].fires_at == at(9, 3)
    act(s, "Stap5a_Handelingsplan")
    s.advance_clock(days=7, hours=9)
    act(s, "Stap5a_AangekomenBijHulp", {"aangekomen_bij_hulp": "nee"})
    # The violence does not stop: report after all (5b).
    act(s, "Stap5a_EffectenVolgen", {"effect_hulp": "alsnog_melden"})
    assert s.open_elements() == ["Stap5b_GesprekOuder"]
    walk(s, ("Stap5b_GesprekOuder", {"contact_ouder_melding": "besproken"}),
         ("Stap5b_Afweging", {"bezwaren": "geen", "besluit_melding": "melden"}),
         ("Stap5b_Melden", {"gemeld_bij": "veilig_thuis_twente",
                            "termijn_verbetering": {"amount": 1, "unit": "maanden"}}))
    s.advance_clock(days=31)
    act(s, "Stap5b_VerbeteringBeoordelen", {"verbetering": "voldoende"})
    assert s.is_closed
    assert s.case.outcome == "Gemeld bij VTT; voldoende verbetering: traject afgesloten"
    return s


def scenario_emergency_in_step_2_again_in_aftercare_then_advice_only(start) -> Scenario:
    s = start()
    through_step_1(s)
    act(s, "Stap2_Consultatie", {"bespreken_in_sot": True})
    assert s.open_elements() == ["Stap2_ToestemmingOuder"]
    s.raise_acute_danger()
    # VTT judges that no immediate action is needed: advice only, the case goes on in step 2.
    assert s.open_elements() == ["Acuut_ContactVTT", "Stap2_ToestemmingOuder"]
    assert s.task("Acuut_ContactVTT").due_at == at(2, 3)
    assert s.case.acute_raised_at is not None
    act(s, "Acuut_ContactVTT", {"contact_met": "veilig_thuis_twente", "onmiddellijke_actie": False,
                                "melding_gedaan": False})
    act(s, "Acuut_DirectieInformeren")
    assert s.open_elements() == ["Stap2_ToestemmingOuder"]
    assert lane_of(s, "Stap2_ToestemmingOuder") == "leerkracht"
    s.raise_acute_danger()  # again, now with a melding: the stappenplan stops
    act(s, "Acuut_ContactVTT", {"contact_met": "veilig_thuis_twente", "onmiddellijke_actie": True,
                                "melding_gedaan": True, "ook_ingeschakeld": ["zorgloket_hengelo", "politie"]})
    assert s.open_elements() == ["Acuut_DirectieInformeren", "Stap2_ToestemmingOuder"]
    assert lane_of(s, "Acuut_DirectieInformeren") == "directie"
    act(s, "Acuut_DirectieInformeren")
    assert s.open_elements() == ["Nazorg_Acuut_Afspraken"]
    act(s, "Nazorg_Acuut_Afspraken", {"termijn_verbetering": {"amount": 4, "unit": "weken"}})
    assert s.advance_clock(weeks=4, hours=1) >= 1
    act(s, "Nazorg_Acuut_Verbetering", {"verbetering": "verslechtering"})
    act(s, "Nazorg_Acuut_OpnieuwVTT", {"opnieuw_gemeld": True,
                                       "termijn_verbetering": {"amount": 2, "unit": "weken"}})
    assert [t.element_id for t in s.waiting_timers()] == ["Nazorg_Acuut_Termijn"]
    s.raise_acute_danger()  # acute again while the school follows the improvement
    # The follow-up goes on; the new contact is made alongside it, the same day.
    assert [t.element_id for t in s.waiting_timers()] == ["Nazorg_Acuut_Termijn"]
    assert s.open_elements() == ["Nazorg_Opnieuw_Contact"]
    assert s.task("Nazorg_Opnieuw_Contact").due_at.date() == s.services.now().date()
    act(s, "Nazorg_Opnieuw_Contact", {"contact_met": "veilig_thuis_twente", "onmiddellijke_actie": False,
                                      "melding_gedaan": False})
    act(s, "Nazorg_Opnieuw_Directie")
    assert s.advance_clock(weeks=2, hours=1) >= 1
    act(s, "Nazorg_Acuut_Verbetering", {"verbetering": "voldoende"})
    assert s.is_closed
    assert s.case.outcome == "Na noodsituatie gemeld bij VTT; voldoende verbetering: afgesloten"
    return s


def scenario_emergency_during_help_then_improvement(start) -> Scenario:
    s = start()
    through_step_4(s)
    act(s, "Stap5_Beslissen", {"besluit_stap5": "hulp", "sot_coordineert": False})
    act(s, "Stap5a_BesprekenOuder", {"termijn_navragen": {"amount": 3, "unit": "weken"}})
    assert s.open_elements() == ["Stap5a_Handelingsplan"]
    assert [t.element_id for t in s.waiting_timers()] == ["Stap5a_Navragen"]
    s.raise_acute_danger()
    walk(s, ("Acuut_ContactVTT", {"contact_met": "politie", "melding_gedaan": True}),
         "Acuut_DirectieInformeren")
    # The melding stops the regular route: its open task and its waiting timer.
    assert s.open_elements() == ["Nazorg_Acuut_Afspraken"]
    assert s.waiting_timers() == []
    act(s, "Nazorg_Acuut_Afspraken", {"termijn_verbetering": {"amount": 6, "unit": "weken"}})
    assert s.advance_clock(weeks=6, hours=1) >= 1
    act(s, "Nazorg_Acuut_Verbetering", {"verbetering": "voldoende"})
    assert s.is_closed
    assert s.case.outcome == "Na noodsituatie gemeld bij VTT; voldoende verbetering: afgesloten"
    return s


SCENARIOS = [
    scenario_signals_about_staff_go_to_the_board,
    scenario_acute_danger_leaves_the_staff_duty_open,
    scenario_other_cause_closes_after_step_3,
    scenario_sot_with_consent_then_help_and_effects,
    scenario_anonymous_sot_then_report_pupil_of_twelve,
    scenario_no_consent_no_talk_objections_then_help_fails,
    scenario_emergency_in_step_2_again_in_aftercare_then_advice_only,
    scenario_emergency_during_help_then_improvement,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.removeprefix("scenario_"))
def test_scenario(scenario, start):
    s = scenario(start)
    assert s.case.status == CaseStatus.CLOSED


def test_sociale_kaart_as_written(services):
    variant = services.variants["symbio_hengelo"]
    vtt = variant.contact("veilig_thuis_twente")
    assert (vtt.address, vtt.phone, vtt.email) == (
        "Nijverheidstraat 30, 7511 JM Enschede", "0800-2000", "info@veiligthuistwente.nl")
    zorgloket = variant.contact("zorgloket_hengelo")
    assert (zorgloket.address, zorgloket.phone, zorgloket.email) == (
        "Publieksplein (Stadhuis) Burgemeester van der Dussenplein 1", "(0)14074 (Keuze 1)",
        "zorgloket@hengelo.nl")
    assert variant.contact("politie").phone == "112"
    assert variant.emergency_contact_ids == ("politie", "veilig_thuis_twente", "zorgloket_hengelo")


def test_scenarios_visit_every_element(start, clock):
    assert_scenarios_visit_every_element(SCENARIOS, start, clock)
