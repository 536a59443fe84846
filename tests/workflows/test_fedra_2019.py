"""Stichting Fedra's 2019 meldcode (seed 002), walked through the case layer like a school would.

Each scenario follows one route through the text: steps 1–4 with the kindcheck and the written
consent for the groot ondersteuningsteam, the five questions of the afwegingskader with every
outcome, the melding at Veilig Thuis (which decides within five working days), help by the school
within an agreed term, the interne evaluatie, the emergency route and the meldplicht for staff.
Together they reach every end event and visit every element (`test_scenarios_visit_every_element`).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import START_OF_TESTS
from tests.support.coverage import assert_scenarios_visit_every_element
from tests.support.scenario import Scenario, setup_school
from webapp.cases.models import CaseStatus
from webapp.clock import SCHOOL_TIMEZONE
from webapp.roles import Lane, Role

VARIANT = "fedra_2019"

OUTCOME_GEEN_ACTIE = "Geen actie nodig: dossier vastgelegd en gesloten"
OUTCOME_GEMELD = "Gemeld bij Veilig Thuis; de school volgt of kind en ouders hulp krijgen"
OUTCOME_HULP = "Hulp afgesloten met vastgelegde afspraken over het monitoren van de veiligheid"
OUTCOME_NOOD = "Noodsituatie: Veilig Thuis ingeschakeld, nazorg afgerond"
OUTCOME_MELDPLICHT = "Meldplicht: na overleg met de vertrouwensinspecteur gemeld bij politie of justitie"

EVALUATION = ["Evaluatie_Proces", "Evaluatie_Monitoring"]


def at(year, month, day, hour=9, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SCHOOL_TIMEZONE)


@pytest.fixture
def school(session, services):
    return setup_school(session, services, VARIANT)


@pytest.fixture
def start(session, services, database, school):
    def start_case() -> Scenario:
        return Scenario.start(session, services, database, school)
    return start_case


# -- helpers -------------------------------------------------------------------------------


def move_to(s: Scenario, moment: datetime) -> int:
    """Move the clock to a moment (running the timer worker on the way there)."""
    return s.advance_clock(seconds=(moment - s.services.now()).total_seconds())


def signal_and_contact(s: Scenario, *, gesprek_ouders: str = "ja") -> None:
    s.walk(("Stap1_Signaleren", {"vermoeden_personeelslid": False}),
           ("Stap1_ContactZorgcoordinator", {"gesprek_ouders_stap1": gesprek_ouders}))


def through_step_1(s: Scenario) -> None:
    signal_and_contact(s)
    s.walk(("Stap1_GesprekOuders", {"kindcheck_nodig": False}), "Stap1_InKaart")


def through_step_3(s: Scenario, *, toestemming: str = "gegeven") -> None:
    through_step_1(s)
    s.walk(("Stap2_Bespreking", {"extern_advies": "nee"}),
           ("Stap3_GesprekOuders", {"gesprek_stap3": "gevoerd", "gesprek_met_leerling": False}),
           ("Stap3_Toestemming", {"toestemming_ouders": toestemming}))


def strong_suspicion(s: Scenario, *, afweging2: str) -> None:
    """Step 4 in the klein ondersteuningsteam, afweging 1B (bestuur + Veilig Thuis), afweging 2."""
    through_step_3(s)
    s.walk(("Stap4_KleinOndersteuningsteam", {"afweging_lastig": False}),
           ("Afweging1_Vermoeden", {"afweging1": "sterk_vermoeden"}))
    assert s.open_elements() == ["Afweging1_BestuurInformeren", "Stap4_VeiligThuisRaadplegen"]
    s.complete("Afweging1_BestuurInformeren", role=Role.DIRECTEUR)
    assert s.open_elements() == ["Stap4_VeiligThuisRaadplegen"]  # afweging 2 waits for both
    s.complete("Stap4_VeiligThuisRaadplegen", {"geraadpleegd": "veilig_thuis", "eergerelateerd": False})
    s.complete("Afweging2_Veiligheid", {"afweging2": afweging2}, role=Role.DIRECTEUR)


def help_started(s: Scenario, term: dict) -> None:
    """Afweging 2A, 3B, 4D: help by the school with an agreed term, parents referred."""
    strong_suspicion(s, afweging2="nee")
    s.walk(("Afweging3_Hulp", {"afweging3": "ja"}),
           ("Afweging4_HulpAanvaarden", {"afweging4": "ja"}),
           ("Afweging4_HulpInGang", {"termijn_effect": term, "casemanager": "Ilse (zorgcoördinator)"}),
           ("Hulp_Doorverwijzen", {"verwezen_naar": "cjg", "daadwerkelijk_gegaan": True}))


def report(s: Scenario, moment: datetime | None = None, **afspraken) -> None:
    """Melding: afspraken in the ondersteuningsteam, talk to the parents, report (at `moment`)."""
    s.complete("Melding_Afspraken", {"gesprek_ouders_melding": "ja", **afspraken})
    s.complete("Melding_GesprekOuders", {"bezwaren_ouders": False}, role=Role.LEERKRACHT)
    if moment is not None:
        move_to(s, moment)
    s.complete("Melding_Doen", {"gemeld_bij": "veilig_thuis"})


def evaluate(s: Scenario, *, afhandeling: str, melding: bool, also_open: tuple[str, ...] = ()) -> None:
    assert s.open_elements() == sorted(["Evaluatie_Proces", *also_open])
    s.complete("Evaluatie_Proces")
    s.complete("Evaluatie_Monitoring", {
        "wijze_afhandeling": afhandeling, "leidde_tot_melding": melding,
        "aantal_vermoedens_schooljaar": 4, "aantal_meldingen_schooljaar": 1 if melding else 0,
    })


def finish_acute_route(s: Scenario) -> None:
    s.walk(("Acuut_ContactVeiligThuis", {"contact_met": "veilig_thuis", "melding_gedaan_acuut": True,
                                         "ook_ingeschakeld": ["crisisdienst", "politie"]}))
    s.complete("Acuut_DirectieInformeren", role=Role.DIRECTEUR)
    s.walk(("Nazorg_Acuut_Terugkoppeling", {"raad_kinderbescherming": True}), "Nazorg_Acuut_Volgen")


# -- scenarios -----------------------------------------------------------------------------


def scenario_staff_offence_leaves_the_meldcode(start) -> Scenario:
    s = start()
    s.complete("Stap1_Signaleren", {"vermoeden_personeelslid": True}, role=Role.LEERKRACHT)
    # Footnote 4: not the meldcode but the meldplicht, carried out by the bestuur.
    assert s.open_elements() == ["Meldplicht_Bestuur"]
    assert s.task("Meldplicht_Bestuur").lane == Lane.BESTUUR.value
    # The child's acute danger can still be raised; the legal duty stays open alongside it.
    s.raise_acute_danger()
    assert s.open_elements() == ["Acuut_ContactVeiligThuis", "Meldplicht_Bestuur"]
    finish_acute_route(s)
    evaluate(s, afhandeling="noodsituatie", melding=True, also_open=("Meldplicht_Bestuur",))
    assert not s.is_closed and s.open_elements() == ["Meldplicht_Bestuur"]
    s.complete("Meldplicht_Bestuur", {"gemeld_bij_justitie": "politie"}, role=Role.BESTUUR)
    assert s.is_closed
    assert s.case.outcome == OUTCOME_MELDPLICHT
    completed = s.path()
    assert "Stap1_ContactZorgcoordinator" not in completed  # the stappenplan did not go on
    return s


def scenario_kindcheck_shows_no_further_action(start) -> Scenario:
    s = start()
    signal_and_contact(s)
    assert s.open_elements() == ["Stap1_GesprekOuders"]
    assert s.task("Stap1_GesprekOuders").lane == Lane.LEERKRACHT.value
    s.complete("Stap1_GesprekOuders", {"kindcheck_nodig": True}, role=Role.LEERKRACHT)
    assert s.open_elements() == ["Stap1_Kindcheck"]
    s.complete("Stap1_Kindcheck", {"meer_kinderen": True, "andere_kinderen": "Broertje (3), peuteropvang",
                                   "verzorgers_kinderen": "Grootouders", "kindcheck_vervolg": "geen_actie"})
    assert s.open_elements() == ["Afsluiten_Dossier"]
    s.complete("Afsluiten_Dossier")
    # The outcome is fixed before the interne evaluatie, which every meldcode case ends with.
    evaluate(s, afhandeling="geen_actie", melding=False)
    assert s.is_closed and s.case.outcome == OUTCOME_GEEN_ACTIE
    return s


def scenario_no_talk_advice_large_team_without_consent_then_no_action(start) -> Scenario:
    s = start()
    signal_and_contact(s, gesprek_ouders="veiligheid")
    # Not in the pupil's interest to talk to the parents: advice from Veilig Thuis instead.
    assert s.open_elements() == ["Stap1_AdviesVeiligThuis"]
    s.walk(("Stap1_AdviesVeiligThuis", {"advies_stap1_bij": "veilig_thuis", "advies_stap1_anoniem": True}),
           "Stap1_InKaart")
    s.complete("Stap2_Bespreking", {"extern_advies": "ja"})
    assert s.open_elements() == ["Stap2_Advies"]
    s.complete("Stap2_Advies", {"advies_stap2_bij": "veilig_thuis", "soort_deskundige": "veilig_thuis",
                                "advies_stap2_wijze": "anoniem"})
    s.complete("Stap3_GesprekOuders", {"gesprek_stap3": "afgezien", "reden_afzien_stap3": "contact_verbreken",
                                       "afwegingen_afzien_stap3": "Ouders dreigden de leerling van school te halen.",
                                       "gesprek_met_leerling": False})
    assert s.open_elements() == ["Stap3_Toestemming"]
    s.complete("Stap3_Toestemming", {"toestemming_ouders": "zonder_toestemming",
                                     "reden_zonder_toestemming": "contact_verbreken",
                                     "afwegingen_zonder_toestemming": "Zie afwegingen stap 3."})
    s.complete("Stap4_KleinOndersteuningsteam", {"afweging_lastig": True})
    # A difficult weighing goes to the groot ondersteuningsteam (allowed for one of the two reasons).
    assert s.open_elements() == ["Stap4_GrootOndersteuningsteam"]
    s.complete("Stap4_GrootOndersteuningsteam")
    s.complete("Afweging1_Vermoeden", {"afweging1": "geen_actie", "verwijsindex": False})
    assert s.open_elements() == ["Afsluiten_Dossier"]
    s.complete("Afsluiten_Dossier")
    evaluate(s, afhandeling="geen_actie", melding=False)
    assert s.is_closed and s.case.outcome == OUTCOME_GEEN_ACTIE
    return s


def scenario_consent_refused_then_direct_report_and_afweging_3_with_veilig_thuis(start) -> Scenario:
    s = start()
    through_step_1(s)
    s.walk(("Stap2_Bespreking", {"extern_advies": "nee"}),
           ("Stap3_GesprekOuders", {"gesprek_stap3": "gevoerd", "zorgen_herkend": "ontkend",
                                    "gesprek_met_leerling": True}))
    assert s.open_elements() == ["Stap3_GesprekLeerling"]
    s.complete("Stap3_GesprekLeerling", {"geen_geheimhouding": True})
    s.complete("Stap3_Toestemming", {"toestemming_ouders": "geweigerd"})
    # Refusal is a worrying signal, recorded for the weighing …
    assert s.open_elements() == ["Stap3_WeigeringVastleggen"]
    s.complete("Stap3_WeigeringVastleggen")
    # … and without consent the pupil is not discussed in the groot ondersteuningsteam.
    s.complete("Stap4_KleinOndersteuningsteam", {"afweging_lastig": True})
    assert s.open_elements() == ["Afweging1_Vermoeden"]
    s.complete("Afweging1_Vermoeden", {"afweging1": "sterk_vermoeden", "verwijsindex": True})
    s.complete("Afweging1_BestuurInformeren", role=Role.DIRECTEUR)
    s.complete("Stap4_VeiligThuisRaadplegen", {"geraadpleegd": "veilig_thuis", "eergerelateerd": True,
                                               "advies_lec_egg": "Advies LEC EGG ingewonnen."})
    assert s.task("Afweging2_Veiligheid").lane == Lane.DIRECTIE.value
    s.complete("Afweging2_Veiligheid", {"afweging2": "ja_of_twijfel",
                                        "betrokken_bij_inschatting": ["directie", "bestuur", "leerplicht"]},
               role=Role.DIRECTEUR)
    # 2B: "direct melding doen" — straight to the melding, the same day, before any question
    # about help and without a meeting or a talk with the parents first.
    assert s.open_elements() == ["Melding_Direct"]
    direct = s.task("Melding_Direct")
    assert direct.lane == Lane.INTERN_BEGELEIDER.value  # the zorgcoördinator …
    assert direct.also_lanes == ";directie;"  # … or the director who made the estimate
    assert direct.due_at == at(2026, 3, 2, 17)  # Monday 2 March, end of the school day
    # Reported by the director on Wednesday 4 March (late: the reminder and expiry went out);
    # five working days skip the weekend → Wednesday 11 March.
    move_to(s, at(2026, 3, 4, 10))
    s.complete("Melding_Direct", {"gemeld_bij": "veilig_thuis",
                                  "informeert_ouders": "Zorgcoördinator, na overleg met Veilig Thuis"},
               role=Role.DIRECTEUR)
    assert s.open_elements() == ["Melding_Terugkoppeling"]
    assert s.task("Melding_Terugkoppeling").due_at == at(2026, 3, 11, 17)
    s.complete("Melding_Terugkoppeling")
    # The questions after afweging 2 are answered together with Veilig Thuis.
    assert s.open_elements() == ["Afweging3_Hulp"]
    s.complete("Afweging3_Hulp", {"afweging3": "nee", "samen_met_veilig_thuis": True})
    # 3A says "melden", but Veilig Thuis already has the melding: no second one.
    assert s.open_elements() == ["Melding_Vervolg"]
    s.complete("Melding_Vervolg", {"hulp_ontvangen": "onbekend"})
    evaluate(s, afhandeling="melding", melding=True)
    assert s.is_closed and s.case.outcome == OUTCOME_GEMELD
    path = s.path()
    assert path.count("Melding_Direct") == 1 and "Melding_Doen" not in path
    assert "Melding_Afspraken" not in path and "Melding_GesprekOuders" not in path
    return s


def scenario_afweging_3A_report_over_kings_day_and_inquiry(start) -> Scenario:
    s = start()
    strong_suspicion(s, afweging2="nee")
    s.complete("Afweging3_Hulp", {"afweging3": "nee"})
    assert s.open_elements() == ["Melding_Afspraken"]
    s.complete("Melding_Afspraken", {"gesprek_ouders_melding": "afzien", "grond_melding": "onvoldoende_hulp"})
    # Skipping the talk only for one of the two reasons, after consulting Veilig Thuis.
    assert s.open_elements() == ["Melding_AfzienGesprek"]
    s.complete("Melding_AfzienGesprek", {"reden_afzien_melding": "veiligheid"})
    # Reported on Wednesday 22 April 2026: Thu 23, Fri 24, (weekend), King's Day Mon 27 skipped,
    # Tue 28, Wed 29, Thu 30 → due Thursday 30 April at the end of the school day.
    move_to(s, at(2026, 4, 22, 11))
    s.complete("Melding_Doen", {"gemeld_bij": "veilig_thuis"})
    assert s.task("Melding_Terugkoppeling").due_at == at(2026, 4, 30, 17)
    assert [t.element_id for t in s.waiting_timers()] == ["Melding_VijfWerkdagen"]
    assert move_to(s, at(2026, 4, 29, 17, 30)) == 0  # without King's Day it would have fired
    assert s.open_elements() == ["Melding_Terugkoppeling"]
    assert move_to(s, at(2026, 4, 30, 17, 1)) == 1
    # No decision after five working days: ask Veilig Thuis; the feedback task stays open.
    assert s.open_elements() == ["Melding_Navragen", "Melding_Terugkoppeling"]
    s.walk("Melding_Navragen", "Melding_Terugkoppeling")
    assert s.open_elements() == ["Melding_Vervolg"]
    s.complete("Melding_Vervolg", {"hulp_ontvangen": "ja"})
    evaluate(s, afhandeling="melding", melding=True)
    assert s.is_closed and s.case.outcome == OUTCOME_GEMELD
    return s


def scenario_help_refused_report_over_easter(start) -> Scenario:
    s = start()
    strong_suspicion(s, afweging2="nee")
    s.complete("Afweging3_Hulp", {"afweging3": "ja", "georganiseerde_hulp": "Opvoedondersteuning via het CJG"})
    assert s.open_elements() == ["Afweging4_HulpAanvaarden"]
    assert s.task("Afweging4_HulpAanvaarden").lane == Lane.INTERN_BEGELEIDER.value
    s.complete("Afweging4_HulpAanvaarden", {"afweging4": "nee"})
    # 4C: melden.
    assert s.open_elements() == ["Melding_Afspraken"]
    # Reported on Thursday 2 April 2026: Good Friday and Easter Monday are skipped →
    # Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April.
    report(s, at(2026, 4, 2, 14), grond_melding="onvoldoende_hulp")
    assert s.task("Melding_Terugkoppeling").due_at == at(2026, 4, 13, 17)
    assert move_to(s, at(2026, 4, 10, 17, 30)) == 0
    s.complete("Melding_Terugkoppeling")  # Veilig Thuis decided in time: nothing fires
    assert s.waiting_timers() == []
    s.complete("Melding_Vervolg", {"hulp_ontvangen": "ja"})
    evaluate(s, afhandeling="melding", melding=True)
    assert s.is_closed and s.case.outcome == OUTCOME_GEMELD
    assert "Melding_Navragen" not in s.path()
    return s


def scenario_help_works_within_the_agreed_term(start) -> Scenario:
    s = start()
    help_started(s, {"amount": 6, "unit": "weken"})
    # The agreed term drives afweging 5: six weeks after it was agreed (Monday 2 March).
    timers = s.waiting_timers()
    assert [t.element_id for t in timers] == ["Afweging5_Termijn"]
    assert timers[0].fires_at == START_OF_TESTS + timedelta(weeks=6)
    assert s.open_elements() == []
    assert s.advance_clock(weeks=5) == 0
    assert s.open_elements() == []
    assert s.advance_clock(weeks=1, hours=1) == 1
    assert s.open_elements() == ["Afweging5_Resultaat"]
    # Opened by the wait, it still gets a due date: a working week from Monday 13 April.
    assert s.task("Afweging5_Resultaat").due_at == at(2026, 4, 20, 17)
    s.complete("Afweging5_Resultaat", {"afweging5": "ja"})
    assert s.open_elements() == ["Hulp_Afsluiten"]
    s.complete("Hulp_Afsluiten", {"afspraken_monitoren": "Zorgcoördinator bespreekt de leerling elke zes weken.",
                                  "monitort": "Zorgcoördinator"})
    evaluate(s, afhandeling="hulp_school", melding=False)
    assert s.is_closed and s.case.outcome == OUTCOME_HULP
    assert "Melding_Doen" not in s.path()
    return s


def scenario_insufficient_effect_before_the_term_leads_to_report(start) -> Scenario:
    s = start()
    help_started(s, {"amount": 10, "unit": "werkdagen"})
    # Ten working days from Monday 2 March: Monday 16 March, end of the school day.
    assert [t.fires_at for t in s.waiting_timers()] == [at(2026, 3, 16, 17)]
    s.advance_clock(days=4)
    # The zorgcoördinator follows the effects and sees too little: weigh a melding again.
    s.send_signal("onvoldoende_effect")
    assert s.open_elements() == ["Afweging5_Resultaat"]
    assert s.waiting_timers() == []  # the term no longer matters
    s.complete("Afweging5_Resultaat", {"afweging5": "nee"})
    assert s.open_elements() == ["Melding_Afspraken"]
    report(s, grond_melding="herhaling")
    s.complete("Melding_Terugkoppeling")
    s.complete("Melding_Vervolg", {"hulp_ontvangen": "ja"})
    evaluate(s, afhandeling="melding_en_hulp", melding=True)
    assert s.is_closed and s.case.outcome == OUTCOME_GEMELD
    return s


def scenario_direct_report_then_help_with_veilig_thuis(start) -> Scenario:
    s = start()
    strong_suspicion(s, afweging2="ja_of_twijfel")
    assert s.open_elements() == ["Melding_Direct"]
    s.complete("Melding_Direct", {"gemeld_bij": "veilig_thuis"})
    s.complete("Melding_Terugkoppeling")
    s.walk(("Afweging3_Hulp", {"afweging3": "ja", "samen_met_veilig_thuis": True}),
           ("Afweging4_HulpAanvaarden", {"afweging4": "ja"}),
           ("Afweging4_HulpInGang", {"termijn_effect": {"amount": 2, "unit": "maanden"}}),
           "Hulp_Doorverwijzen")
    assert [t.fires_at for t in s.waiting_timers()] == [at(2026, 5, 2)]  # two calendar months
    move_to(s, at(2026, 5, 2, 9, 5))
    # 5A with Veilig Thuis already involved: no second melding, follow the help.
    s.complete("Afweging5_Resultaat", {"afweging5": "nee"})
    assert s.open_elements() == ["Melding_Vervolg"]
    s.complete("Melding_Vervolg")
    evaluate(s, afhandeling="melding_en_hulp", melding=True)
    assert s.is_closed and s.case.outcome == OUTCOME_GEMELD
    assert s.path().count("Melding_Direct") == 1 and "Melding_Doen" not in s.path()
    return s


def scenario_acute_danger_in_step_3_again_in_aftercare_and_in_evaluation(start) -> Scenario:
    s = start()
    through_step_1(s)
    s.complete("Stap2_Bespreking", {"extern_advies": "nee"})
    assert s.open_elements() == ["Stap3_GesprekOuders"]
    s.advance_clock(hours=5)  # 14:00
    s.raise_acute_danger()
    # The step plan waits on: only a melding stops it.
    assert s.open_elements() == ["Acuut_ContactVeiligThuis", "Stap3_GesprekOuders"]
    assert s.case.acute_raised_at is not None
    # "Direct contact": due the same day, and anyone in the school may make the call.
    assert s.task("Acuut_ContactVeiligThuis").due_at == at(2026, 3, 2, 17)
    assert s.task("Acuut_ContactVeiligThuis").lane == Lane.LEERKRACHT.value
    s.complete("Acuut_ContactVeiligThuis", {"contact_met": "veilig_thuis", "melding_gedaan_acuut": True},
               role=Role.LEERKRACHT)
    assert s.task("Acuut_DirectieInformeren").due_at == at(2026, 3, 2, 17)
    s.complete("Acuut_DirectieInformeren", role=Role.DIRECTEUR)
    assert s.open_elements() == ["Nazorg_Acuut_Terugkoppeling"]
    s.raise_acute_danger()  # again, during the aftercare: it goes on alongside the new contact
    assert s.open_elements() == ["Nazorg_Acuut_Terugkoppeling", "Nazorg_Opnieuw_Contact"]
    assert s.task("Nazorg_Opnieuw_Contact").due_at == at(2026, 3, 2, 17)
    assert s.task("Nazorg_Opnieuw_Contact").lane == Lane.LEERKRACHT.value
    s.complete("Nazorg_Opnieuw_Contact", {"contact_met": "veilig_thuis"}, role=Role.LEERKRACHT)
    s.complete("Nazorg_Opnieuw_Directie", role=Role.DIRECTEUR)
    s.walk(("Nazorg_Acuut_Terugkoppeling", {"raad_kinderbescherming": True}), "Nazorg_Acuut_Volgen")
    assert s.open_elements() == ["Evaluatie_Proces"]
    s.raise_acute_danger()  # and once more while evaluating: the evaluation stays open
    assert s.open_elements() == ["Evaluatie_Proces", "Nazorg_Opnieuw_Contact"]
    s.complete("Nazorg_Opnieuw_Contact", {"contact_met": "veilig_thuis"}, role=Role.LEERKRACHT)
    s.complete("Nazorg_Opnieuw_Directie", role=Role.DIRECTEUR)
    evaluate(s, afhandeling="noodsituatie", melding=True)
    assert s.is_closed and s.case.outcome == OUTCOME_NOOD
    return s


def scenario_advice_only_emergency_resumes_the_step_plan(start) -> Scenario:
    """Veilig Thuis only advises: the step plan carries on where it was (not a closed case)."""
    s = start()
    through_step_1(s)
    s.complete("Stap2_Bespreking", {"extern_advies": "nee"})
    s.raise_acute_danger()
    s.complete("Acuut_ContactVeiligThuis", {"contact_met": "veilig_thuis", "melding_gedaan_acuut": False},
               role=Role.LEERKRACHT)
    s.complete("Acuut_DirectieInformeren", role=Role.DIRECTEUR)
    assert s.open_elements() == ["Stap3_GesprekOuders"]
    assert s.task("Stap3_GesprekOuders").lane == Lane.LEERKRACHT.value
    assert not s.is_closed
    s.raise_acute_danger()  # acute danger can be raised again in the same step
    assert s.open_elements() == ["Acuut_ContactVeiligThuis", "Stap3_GesprekOuders"]
    finish_acute_route(s)
    evaluate(s, afhandeling="noodsituatie", melding=True)
    assert s.is_closed and s.case.outcome == OUTCOME_NOOD
    return s


# -- the text's own words -------------------------------------------------------------------

# Figuur 2, every outcome exactly as written (form key → {value: label}).
AFWEGINGSKADER = {
    "fedra_2019/afweging1_vermoeden": {
        "geen_actie": "A. Op basis van deze doorlopen stappen is geen actie nodig: dossier vastleggen en sluiten.",
        "sterk_vermoeden": "B. Ik heb een sterk vermoeden van huiselijk geweld en/of kindermishandeling. "
                           "Het bestuur is op de hoogte gebracht. Ga verder naar afweging 2.",
    },
    "fedra_2019/afweging2_veiligheid": {
        "nee": "A. Nee. Ga verder naar afweging 3.",
        "ja_of_twijfel": "B. Ja of twijfel. Direct melding doen bij Veilig Thuis. De afwegingen hierna worden "
                         "samen met Veilig Thuis doorlopen.",
    },
    "fedra_2019/afweging3_hulp": {
        "nee": "A. Nee. Melden bij Veilig Thuis. Zij nemen binnen vijf werkdagen een besluit en koppelen dit "
               "terug naar de melder.",
        "ja": "B. Ja. Ga verder naar afweging 4.",
    },
    "fedra_2019/afweging4_hulp_aanvaarden": {
        "nee": "C. Nee. Melden bij Veilig Thuis.",
        "ja": "D. Ja. Hulp in gang zetten. Termijn afspreken waarbinnen effect merkbaar of meetbaar moet zijn. "
              "Zo concreet mogelijk maken en documenteren. Spreek af wie welke rol heeft en benoem casemanager. "
              "Spreek af welke taken alle betrokkenen hebben en de casemanager specifiek heeft, zodat de "
              "verwachtingen voor iedereen helder zijn. Leg vast, voer uit en ga verder met afweging 5.",
    },
    "fedra_2019/afweging5_resultaat": {
        "nee": "A. Nee. Melden bij Veilig Thuis.",
        "ja": "B. Ja. Hulp afsluiten met vastgelegde afspraken over het monitoren van de veiligheid van alle "
              "betrokkenen.",
    },
}

# Bijlage 1 Sociale kaart, exactly as written: (id, organisation, phone, e-mail, website).
BIJLAGE_1 = [
    ("politie", "Politie", "Alarmnummer 112 / 0900 8844", "", ""),
    ("wijkagent", "Wijkagent", "0900 8844 (algemeen nr. Heemskerk, Beverwijk, Velsen)", "", ""),
    ("veilig_thuis", "Veilig Thuis", "0800 2000 (Kennemerland; 088 8006200)", "", "www.veiligthuis.ken.nl"),
    ("jeugd_en_gezinsbeschermers", "Jeugd- en Gezinsbeschermers (voorheen Bureau Jeugdzorg)",
     "088 7778000 (crisisdienst)", "info@dejeugdengezinsbeschermers.nl", ""),
    ("ggd_kennemerland", "GGD Kennemerland", "023 5159100", "info@ggdkennerland.nl", ""),
    ("samenwerkingsverband_ijmond", "Samenwerkingsverband Passend Onderwijs IJmond", "0251 707510",
     "info@passendonderwijsijmond.nl", ""),
    ("cjg", "Centrum voor Jeugd en Gezin", "088 9958355", "info@cjgijmond.nl", ""),
    ("verwijsindex_ijmond", "Verwijsindex IJmond", "023 5113481", "verwijsindex@haarlem.nl", ""),
    ("multisignaal", "MULTIsignaal", "0187 640080", "", "www.multisignaal.nl/voor-professionals"),
]


def test_afwegingskader_outcomes_are_worded_as_in_the_text(services):
    for form_key, expected in AFWEGINGSKADER.items():
        form = services.forms.get(form_key)
        decision = next(f for f in form.fields if f.type == "choice" and f.name.startswith("afweging"))
        assert {o.value: o.label for o in decision.options} == expected, form_key


def test_sociale_kaart_is_bijlage_1_as_written(services):
    variant = services.variants[VARIANT]
    listed = [(c.id, c.organisation, c.phone, c.email, c.website) for c in variant.contacts]
    assert listed[:len(BIJLAGE_1)] == BIJLAGE_1
    # Organisations the text names without details carry no invented numbers.
    assert all(not (c.phone or c.email or c.website) for c in variant.contacts[len(BIJLAGE_1):])
    assert variant.emergency_contact_ids == ("veilig_thuis", "jeugd_en_gezinsbeschermers", "politie")


SCENARIOS = [
    scenario_staff_offence_leaves_the_meldcode,
    scenario_kindcheck_shows_no_further_action,
    scenario_no_talk_advice_large_team_without_consent_then_no_action,
    scenario_consent_refused_then_direct_report_and_afweging_3_with_veilig_thuis,
    scenario_afweging_3A_report_over_kings_day_and_inquiry,
    scenario_help_refused_report_over_easter,
    scenario_help_works_within_the_agreed_term,
    scenario_insufficient_effect_before_the_term_leads_to_report,
    scenario_direct_report_then_help_with_veilig_thuis,
    scenario_acute_danger_in_step_3_again_in_aftercare_and_in_evaluation,
    scenario_advice_only_emergency_resumes_the_step_plan,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.removeprefix("scenario_"))
def test_scenario(scenario, start):
    s = scenario(start)
    assert s.case.status == CaseStatus.CLOSED
    assert s.open_tasks() == [] and s.waiting_timers() == []


def test_scenarios_visit_every_element(start, clock):
    assert_scenarios_visit_every_element(SCENARIOS, start, clock)
