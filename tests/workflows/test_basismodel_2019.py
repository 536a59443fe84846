"""The 2019 basismodel (seed 001), walked through the case layer like a school would.

Each scenario follows one route through the text's steps 1–6; together they reach every end
event and visit every element of the diagram (`test_scenarios_visit_every_element`).
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.support.coverage import assert_scenarios_visit_every_element
from tests.support.scenario import Scenario, setup_school
from webapp.cases.models import CaseStatus
from webapp.clock import SCHOOL_TIMEZONE
from webapp.roles import Lane

PUPILS = {"Sam": date(2017, 3, 14), "Milan": date(2013, 11, 23)}  # Milan is 12 in March 2026


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019", pupil_birthdays=PUPILS)


@pytest.fixture
def start(session, services, database, school):
    def start_case(pupil: str = "Sam") -> Scenario:
        return Scenario.start(session, services, database, school, pupil=pupil)
    return start_case


def through_step_1(s: Scenario, **decision) -> None:
    s.walk(
        ("Stap1_Signaleren", {"signalen_over_medewerker": False}),
        ("Stap1_ZorgDelen", {"veiligheid_in_geding": False,
                             "tijdslimiet_fase1": {"amount": 3, "unit": "weken"}}),
        "Stap1_GesprekOuders",
        "Stap1_GesprekLeerling",
        ("Stap1_Besluit", {"uitkomst_fase1": "twijfel_bevestiging", **decision}),
    )


def through_step_3(s: Scenario) -> None:
    through_step_1(s)
    s.walk(
        "Stap2_Consultatie",
        ("Stap2_Zorgteambespreking", {"uitkomst_fase2": "twijfel_bevestiging"}),
        ("Stap3_GesprekOuders", {"vermoeden_vgv_eer": False}),
        "Stap3_GesprekKind",
        ("Stap3_Besluit", {"uitkomst_fase3": "twijfel_bevestiging"}),
    )


def through_step_4(s: Scenario) -> None:
    through_step_3(s)
    s.complete("Stap4_Wegen", {"uitkomst_fase4": "bevestigd"})


def decide_step_5(s: Scenario, *, melden: bool, hulp: bool) -> None:
    s.complete("Stap5_Beslissingen", {
        "melden_noodzakelijk": melden, "hulp_effectief": hulp, "hulp_meewerken": hulp,
        "hulp_duurzaam": hulp,
    })


def scenario_signals_about_staff(start) -> Scenario:
    s = start()
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": True})
    assert s.open_elements() == ["Medewerker_Meldplicht"]
    assert s.task("Medewerker_Meldplicht").lane == Lane.DIRECTIE.value
    s.complete("Medewerker_Meldplicht")
    assert s.is_closed
    assert s.case.outcome == "Buiten de meldcode: meld- en aangifteplicht"
    return s


def scenario_acute_danger_leaves_the_staff_duty_open(start) -> Scenario:
    """Acute danger for the pupil must not wipe out the director's duty about a staff member."""
    s = start()
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": True})
    s.raise_acute_danger()
    assert s.open_elements() == ["Acuut_ContactAMK", "Medewerker_Meldplicht"]
    assert s.task("Medewerker_Meldplicht").lane == Lane.DIRECTIE.value
    assert s.task("Acuut_ContactAMK").due_at == datetime(2026, 3, 2, 17, 0, tzinfo=SCHOOL_TIMEZONE)
    s.walk(("Acuut_ContactAMK", {"onmiddellijke_actie": True, "melding_gedaan": True}),
           "Acuut_DirectieInformeren", "Nazorg_Acuut_Evaluatie", "Nazorg_Acuut_Medewerkers")
    assert s.open_elements() == ["Medewerker_Meldplicht"]
    s.advance_clock(days=186)
    s.complete("Nazorg_Acuut_Halfjaarbespreking")
    assert not s.is_closed and s.open_elements() == ["Medewerker_Meldplicht"]
    s.complete("Medewerker_Meldplicht")
    assert s.is_closed
    return s


def scenario_unfounded_after_step_1(start) -> Scenario:
    s = start()
    s.walk(
        ("Stap1_Signaleren", {"signalen_over_medewerker": False}),
        # Safety at stake: no exploratory talk with the parents.
        ("Stap1_ZorgDelen", {"veiligheid_in_geding": True}),
    )
    assert s.open_elements() == ["Stap1_GesprekLeerling"]
    s.complete("Stap1_GesprekLeerling")
    # The agreed phase-1 limit (one week) is the decision's due date; it lapses, the task stays.
    assert s.task("Stap1_Besluit").due_at == datetime(2026, 3, 9, 9, 0, tzinfo=SCHOOL_TIMEZONE)
    assert s.advance_clock(weeks=1, hours=1) >= 1
    assert s.open_elements() == ["Stap1_Besluit"]
    s.complete("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"})
    assert s.open_elements() == ["Afsluiten_Ongegrond"]
    s.complete("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": True})
    assert s.is_closed and s.case.outcome == "Vermoeden ongegrond: dossier afgesloten"
    return s


def scenario_no_confirmation_loops_back_within_two_months(start) -> Scenario:
    s = start()
    s.walk(
        ("Stap1_Signaleren", {"signalen_over_medewerker": False}),
        ("Stap1_ZorgDelen", {"veiligheid_in_geding": False,
                             "tijdslimiet_fase1": {"amount": 1, "unit": "maanden"}}),
        "Stap1_GesprekOuders", "Stap1_GesprekLeerling",
    )
    # The phase-1 limit, agreed on 2 March, is the decision's due date.
    assert s.task("Stap1_Besluit").due_at == datetime(2026, 4, 2, 9, 0, tzinfo=SCHOOL_TIMEZONE)
    s.complete("Stap1_Besluit", {"uitkomst_fase1": "geen_bevestiging",
                                 "herbeoordeling": {"amount": 6, "unit": "weken"}})
    assert s.open_elements() == []
    assert [t.element_id for t in s.waiting_timers()] == ["Stap1_Herbeoordeling"]
    assert [t.name for t in s.waiting_timers()] == ["Aantekeningen opnieuw bekijken (6 weken)"]
    assert s.advance_clock(weeks=5) == 0  # not yet: six weeks were agreed
    assert s.advance_clock(weeks=1, hours=1) >= 1
    # Re-reading the notes brings a new decision with its own term, not the lapsed phase-1
    # limit (which would be overdue at once and escalate): Monday 13 April + 5 working days.
    assert s.open_elements() == ["Stap1_Herbeoordelen"]
    herbeoordelen = s.task("Stap1_Herbeoordelen")
    assert herbeoordelen.lane == Lane.LEERKRACHT.value
    assert herbeoordelen.due_at == datetime(2026, 4, 20, 17, 0, tzinfo=SCHOOL_TIMEZONE)
    assert herbeoordelen.due_at > s.services.now()
    s.complete("Stap1_Herbeoordelen", {"uitkomst_fase1": "twijfel_bevestiging"})
    assert s.open_elements() == ["Stap2_Consultatie"]
    s.walk(
        ("Stap2_Consultatie", {"tijdslimiet_fase2": {"amount": 2, "unit": "weken"}}),
        ("Stap2_Zorgteambespreking", {"uitkomst_fase2": "geen_bevestiging",
                                      "volgend_overleg": {"amount": 3, "unit": "weken"}}),
    )
    s.advance_clock(weeks=3, hours=1)  # Monday 4 May (a school day) + 5 working days
    assert s.open_elements() == ["Stap2_VolgendeBespreking"]
    assert s.task("Stap2_VolgendeBespreking").lane == Lane.ZORGTEAM.value
    assert s.task("Stap2_VolgendeBespreking").due_at == datetime(2026, 5, 11, 17, 0, tzinfo=SCHOOL_TIMEZONE)
    s.complete("Stap2_VolgendeBespreking", {"uitkomst_fase2": "ongegrond"})
    s.complete("Afsluiten_Ongegrond")
    assert s.is_closed
    return s


def scenario_phase_limits_expire(start) -> Scenario:
    s = start()
    through_step_1(s)
    s.complete("Stap2_Consultatie", {"tijdslimiet_fase2": {"amount": 5, "unit": "werkdagen"}})
    # Monday 2 March + 5 working days = Monday 9 March, end of the school day.
    assert s.task("Stap2_Zorgteambespreking").due_at == datetime(2026, 3, 9, 17, 0, tzinfo=SCHOOL_TIMEZONE)
    s.advance_clock(days=8)
    assert s.open_elements() == ["Stap2_Zorgteambespreking"]  # non-interrupting: still to do
    s.walk(("Stap2_Zorgteambespreking", {"uitkomst_fase2": "twijfel_bevestiging"}),
           ("Stap3_GesprekOuders", {"vermoeden_vgv_eer": True}))
    assert s.open_elements() == ["Stap3_SpoedcontactAMK"]
    assert s.task("Stap3_SpoedcontactAMK").due_at.date() == s.services.now().date()
    s.walk("Stap3_SpoedcontactAMK", "Stap3_GesprekKind",
           ("Stap3_Besluit", {"uitkomst_fase3": "geen_bevestiging",
                              "volgend_overleg": {"amount": 2, "unit": "weken"}}))
    s.advance_clock(weeks=2, hours=1)
    s.complete("Stap3_Besluit", {"uitkomst_fase3": "ongegrond"})
    s.complete("Afsluiten_Ongegrond")
    assert s.is_closed
    return s


def scenario_step_4_doubt_then_other_cause(start) -> Scenario:
    s = start()
    through_step_3(s)
    assert s.task("Stap4_Wegen").due_at == datetime(2026, 4, 2, 9, 0, tzinfo=SCHOOL_TIMEZONE)
    s.complete("Stap4_Wegen", {"uitkomst_fase4": "twijfel",
                               "observatieperiode": {"amount": 2, "unit": "weken"}})
    s.advance_clock(weeks=2, hours=1)
    assert s.open_elements() == ["Stap3_GesprekOuders"]  # phase 3 again
    s.walk(("Stap3_GesprekOuders", {"vermoeden_vgv_eer": False}), "Stap3_GesprekKind",
           ("Stap3_Besluit", {"uitkomst_fase3": "twijfel_bevestiging"}))
    s.advance_clock(days=32)  # the one-month meeting term lapses
    s.complete("Stap4_Wegen", {"uitkomst_fase4": "ongegrond"})
    s.walk("Stap4_AndereOorzaak", "Afsluiten_Ongegrond")
    assert s.is_closed
    return s


def scenario_report_and_help_then_regular_meetings(start) -> Scenario:
    s = start(pupil="Milan")
    through_step_4(s)
    decide_step_5(s, melden=True, hulp=True)
    assert s.open_elements() == ["Stap5a_HulpOrganiseren", "Stap5b_GesprekOuders"]
    s.walk(("Stap5a_HulpOrganiseren", {"tijdslimiet_hulp": {"amount": 4, "unit": "weken"}}),
           "Stap5a_BesprekenOuders", "Stap5a_Begeleidingsplan", "Stap5b_GesprekOuders")
    # Milan is twelve: the report is discussed with him too.
    assert s.open_elements() == ["Stap5a_Controle", "Stap5b_GesprekLeerling"]
    s.walk("Stap5b_GesprekLeerling", "Stap5b_Melden")
    s.advance_clock(weeks=4, hours=1)  # 5a limit lapses (task stays), 6 weeks not yet
    assert s.open_elements() == ["Stap5a_Controle"]
    s.complete("Stap5a_Controle")
    assert s.open_elements() == []  # the join waits for 5b
    s.advance_clock(weeks=2)
    s.complete("Stap5b_Terugkoppeling")
    s.complete("Stap6_Evaluatie")
    assert s.open_elements() == ["Stap6_NazorgMedewerkers"]
    s.complete("Stap6_NazorgMedewerkers")
    s.advance_clock(days=4 * 31)
    assert s.open_elements() == ["Stap6_TerugblikLeerkracht"]
    terugblik = s.task("Stap6_TerugblikLeerkracht")
    assert terugblik.lane == Lane.LEERKRACHT.value
    assert terugblik.due_at is not None and terugblik.due_at > s.services.now()
    s.complete("Stap6_TerugblikLeerkracht")
    s.advance_clock(days=62)
    assert s.open_elements() == ["Stap6_Halfjaarbespreking"]
    s.complete("Stap6_Halfjaarbespreking", {"vervolg_nazorg": "opnieuw"})
    assert s.open_elements() == ["Stap2_Consultatie"]  # stappenplan again from step 2
    s.walk("Stap2_Consultatie", ("Stap2_Zorgteambespreking", {"uitkomst_fase2": "twijfel_bevestiging"}),
           ("Stap3_GesprekOuders", {"vermoeden_vgv_eer": False}), "Stap3_GesprekKind",
           ("Stap3_Besluit", {"uitkomst_fase3": "twijfel_bevestiging"}),
           ("Stap4_Wegen", {"uitkomst_fase4": "bevestigd"}))
    decide_step_5(s, melden=False, hulp=True)
    s.walk(("Stap5a_HulpOrganiseren", {"tijdslimiet_hulp": {"amount": 4, "unit": "weken"}}),
           "Stap5a_BesprekenOuders", "Stap5a_Begeleidingsplan", ("Stap5a_Controle", HULP_WERKT),
           "Stap6_Evaluatie", "Stap6_NazorgMedewerkers")
    s.advance_clock(days=190)
    s.walk("Stap6_TerugblikLeerkracht", ("Stap6_Halfjaarbespreking", {"vervolg_nazorg": "regulier"}))
    assert s.is_closed
    assert s.case.outcome == "Nazorg afgerond: reguliere besprekingen"
    return s


HULP_WERKT = {"ouders_werken_mee": True, "contact_hulpverlening": True, "hulp_werkt": True}


def finish_after_the_report(s: Scenario) -> None:
    """From the report to the AMK: feedback after six weeks, evaluation; the pupil then leaves."""
    s.complete("Stap5b_Melden")
    s.advance_clock(weeks=6, hours=1)
    assert "Stap5b_Terugkoppeling" in s.open_elements()
    # A task opened by a waiting timer has a due date too: a working week from Monday 13 April.
    assert s.task("Stap5b_Terugkoppeling").lane == Lane.INTERN_BEGELEIDER.value
    assert s.task("Stap5b_Terugkoppeling").due_at == datetime(2026, 4, 20, 17, 0, tzinfo=SCHOOL_TIMEZONE)


def scenario_failed_help_leads_to_a_melding(start) -> Scenario:
    """5a: help does not work or the parents do not cooperate → "doe alsnog een melding"."""
    s = start()
    through_step_4(s)
    decide_step_5(s, melden=False, hulp=True)
    assert s.open_elements() == ["Stap5a_HulpOrganiseren"]
    s.walk(("Stap5a_HulpOrganiseren", {"tijdslimiet_hulp": {"amount": 3, "unit": "weken"}}),
           "Stap5a_BesprekenOuders", "Stap5a_Begeleidingsplan")
    controle = s.task("Stap5a_Controle")
    assert controle.lane == Lane.INTERN_BEGELEIDER.value
    assert controle.due_at == datetime(2026, 3, 23, 9, 0, tzinfo=SCHOOL_TIMEZONE)  # three weeks from 2 March
    s.complete("Stap5a_Controle", {"ouders_werken_mee": False, "contact_hulpverlening": True,
                                   "hulp_werkt": False})
    assert s.open_elements() == ["Stap5b_GesprekOuders"]
    assert s.task("Stap5b_GesprekOuders").lane == Lane.INTERN_BEGELEIDER.value
    s.complete("Stap5b_GesprekOuders", {"contact_ouders_melding": "afgezien", "reden_afzien": "veiligheid"})
    finish_after_the_report(s)
    s.walk("Stap5b_Terugkoppeling", "Stap6_Evaluatie")
    s.send_signal("leerling_vertrekt")
    s.complete("Stap6_Overdracht")
    assert s.is_closed and s.case.outcome == "Zorg overgedragen aan de nieuwe school"
    assert s.path().count("Stap5b_Melden") == 1
    return s


def scenario_unsafety_in_step_4_forces_a_melding(start) -> Scenario:
    """Afwegingskader question 2 "ja": melden is noodzakelijk, also when step 5 says help suffices."""
    s = start()
    through_step_3(s)
    s.complete("Stap4_Wegen", {"onveiligheid": "ja", "uitkomst_fase4": "bevestigd"})
    decide_step_5(s, melden=False, hulp=True)
    assert s.open_elements() == ["Stap5a_HulpOrganiseren", "Stap5b_GesprekOuders"]
    assert s.task("Stap5b_GesprekOuders").lane == Lane.INTERN_BEGELEIDER.value
    assert s.task("Stap5a_HulpOrganiseren").lane == Lane.ZORGTEAM.value
    s.walk(("Stap5a_HulpOrganiseren", {"tijdslimiet_hulp": {"amount": 2, "unit": "weken"}}),
           "Stap5a_BesprekenOuders", "Stap5a_Begeleidingsplan")
    # Help failing does not report a second time: the report is already under way.
    s.complete("Stap5a_Controle", {"ouders_werken_mee": False, "hulp_werkt": False})
    assert s.open_elements() == ["Stap5b_GesprekOuders"]
    s.complete("Stap5b_GesprekOuders", {"contact_ouders_melding": "afgezien", "reden_afzien": "veiligheid"})
    finish_after_the_report(s)
    s.walk("Stap5b_Terugkoppeling", "Stap6_Evaluatie")
    assert s.path().count("Stap5b_GesprekOuders") == 1
    s.send_signal("leerling_vertrekt")
    s.complete("Stap6_Overdracht")
    assert s.is_closed
    return s


def report_after_help_proved_impossible(s: Scenario) -> None:
    """Steps 1-4, help impossible, a report without the parents' talk, its feedback: in aftercare."""
    through_step_4(s)
    # Help is not possible (parents do not cooperate): reporting is then necessary.
    decide_step_5(s, melden=False, hulp=False)
    assert s.open_elements() == ["Stap5b_GesprekOuders"]
    s.complete("Stap5b_GesprekOuders", {"contact_ouders_melding": "afgezien", "reden_afzien": "veiligheid"})
    assert s.open_elements() == ["Stap5b_Melden"]  # Sam is eight: no talk about the report
    s.complete("Stap5b_Melden")
    s.advance_clock(weeks=6, hours=1)
    s.walk("Stap5b_Terugkoppeling", "Stap6_Evaluatie")


def scenario_help_only_and_pupil_leaves(start) -> Scenario:
    s = start(pupil="Sam")
    report_after_help_proved_impossible(s)
    s.advance_clock(weeks=6)
    s.send_signal("leerling_vertrekt")
    assert s.open_elements() == ["Stap6_NazorgMedewerkers", "Stap6_Overdracht"]
    s.complete("Stap6_Overdracht")
    assert s.is_closed  # the terminate end stops the remaining aftercare
    assert s.case.outcome == "Zorg overgedragen aan de nieuwe school"
    assert s.waiting_timers() == []
    return s


def scenario_phase_limits_cover_the_phase(start) -> Scenario:
    """The phase-1 month and the phase-2 limit are due dates of every task of the phase, from its
    start — not only of the closing decision (issue 15 item 8); doubt in step 2 requires the
    advice of the AMK / Veilig Thuis (item 9)."""
    s = start()
    # Phase 1 begins when the worry is reported (Monday 2 March, 09:00): at most one month.
    month = datetime(2026, 4, 2, 9, 0, tzinfo=SCHOOL_TIMEZONE)
    assert s.open_elements() == ["Stap1_Signaleren"]
    assert s.task("Stap1_Signaleren").lane == Lane.LEERKRACHT.value
    assert s.task("Stap1_Signaleren").due_at == month
    s.advance_clock(days=3)
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False})
    # Sharing the worry opens three days later, still due a month after the phase began.
    assert s.task("Stap1_ZorgDelen").lane == Lane.ZORGTEAM.value
    assert s.task("Stap1_ZorgDelen").due_at == month
    s.complete("Stap1_ZorgDelen", {"veiligheid_in_geding": False,
                                   "tijdslimiet_fase1": {"amount": 3, "unit": "weken"}})
    # The agreed limit (three weeks from Thursday 5 March) is the parent talk's due date …
    limit = datetime(2026, 3, 26, 9, 0, tzinfo=SCHOOL_TIMEZONE)
    assert s.open_elements() == ["Stap1_GesprekOuders"]
    assert s.task("Stap1_GesprekOuders").lane == Lane.LEERKRACHT.value
    assert s.task("Stap1_GesprekOuders").due_at == limit
    s.advance_clock(weeks=6)  # six weeks with the parent talk open: overdue, not dateless
    assert s.task("Stap1_GesprekOuders").due_at < s.services.now()
    s.complete("Stap1_GesprekOuders")
    # … and the talk with the pupil's, and the closing decision's (its boundary timer).
    assert s.task("Stap1_GesprekLeerling").due_at == limit
    s.complete("Stap1_GesprekLeerling")
    assert s.task("Stap1_Besluit").due_at == limit
    s.complete("Stap1_Besluit", {"uitkomst_fase1": "twijfel_bevestiging"})
    assert s.open_elements() == ["Stap2_Consultatie"]
    consultatie = s.task("Stap2_Consultatie")
    assert consultatie.lane == Lane.INTERN_BEGELEIDER.value and consultatie.never_by == ";leerkracht;"
    s.complete("Stap2_Consultatie", {"coordinator_functie": "schoolmaatschappelijk_werker",
                                     "tijdslimiet_fase2": {"amount": 2, "unit": "weken"},
                                     "twijfel_oorzaak_veiligheid": True})
    # Doubt about the cause or safety: advice of the AMK / Veilig Thuis is required, within the
    # phase-2 limit (two weeks from Thursday 16 April), before the zorgteam meets.
    phase_2 = datetime(2026, 4, 30, 9, 0, tzinfo=SCHOOL_TIMEZONE)
    assert s.open_elements() == ["Stap2_AdviesAMK"]
    assert s.task("Stap2_AdviesAMK").lane == Lane.INTERN_BEGELEIDER.value
    assert s.task("Stap2_AdviesAMK").due_at == phase_2
    s.complete("Stap2_AdviesAMK", {"advies_gevraagd_bij": "veilig_thuis", "advies_anoniem": True})
    assert s.open_elements() == ["Stap2_Zorgteambespreking"]
    assert s.task("Stap2_Zorgteambespreking").lane == Lane.ZORGTEAM.value
    assert s.task("Stap2_Zorgteambespreking").due_at == phase_2
    s.complete("Stap2_Zorgteambespreking", {"uitkomst_fase2": "ongegrond"})
    s.complete("Afsluiten_Ongegrond")
    assert s.is_closed
    return s


def scenario_new_signals_in_the_four_month_watch(start) -> Scenario:
    """Step 6: new signals during the teacher's four-month watch bring the pupil back to the
    zorgteam at once — not at the half-year meeting — and from there to step 2, the signals passed
    on to Veilig Thuis (issue 15 item 7)."""
    s = start()
    report_after_help_proved_impossible(s)  # evaluated on Monday 13 April
    assert s.open_elements() == ["Stap6_NazorgMedewerkers"]
    assert sorted(t.element_id for t in s.waiting_timers()) == ["Stap6_HalfJaar", "Stap6_VierMaanden"]
    s.complete("Stap6_NazorgMedewerkers")
    s.advance_clock(days=4 * 31)  # Friday 14 August
    terugblik = s.task("Stap6_TerugblikLeerkracht")
    assert terugblik.lane == Lane.LEERKRACHT.value
    assert terugblik.due_at == datetime(2026, 8, 21, 17, 0, tzinfo=SCHOOL_TIMEZONE)
    s.complete("Stap6_TerugblikLeerkracht", {"nieuwe_signalen_leerkracht": True})
    # The zorgteam meets now (within a working week), the half-year wait is over.
    assert s.open_elements() == ["Stap6_Halfjaarbespreking"]
    bespreking = s.task("Stap6_Halfjaarbespreking")
    assert bespreking.lane == Lane.ZORGTEAM.value
    assert bespreking.due_at == datetime(2026, 8, 21, 17, 0, tzinfo=SCHOOL_TIMEZONE)
    assert s.waiting_timers() == []
    s.complete("Stap6_Halfjaarbespreking", {"vervolg_nazorg": "opnieuw", "signalen_aan_veilig_thuis": "doorgegeven"})
    assert s.open_elements() == ["Stap2_Consultatie"]  # back to step 2
    assert s.task("Stap2_Consultatie").lane == Lane.INTERN_BEGELEIDER.value
    assert s.advance_clock(days=62) == 0  # the cancelled half-year wait never fires
    assert s.open_elements() == ["Stap2_Consultatie"]
    s.walk(("Stap2_Consultatie", {"tijdslimiet_fase2": {"amount": 2, "unit": "weken"}}),
           ("Stap2_Zorgteambespreking", {"uitkomst_fase2": "ongegrond"}), "Afsluiten_Ongegrond")
    assert s.is_closed and s.case.outcome == "Vermoeden ongegrond: dossier afgesloten"
    assert "Stap6_NieuweSignalen" in s.path() and "Stap6_HalfJaar" not in s.path()
    return s


MELDING = {"onmiddellijke_actie": True, "melding_gedaan": True}
ADVIES = {"onmiddellijke_actie": False, "melding_gedaan": False}


def scenario_acute_danger_during_step_2_and_again_in_aftercare(start) -> Scenario:
    s = start()
    through_step_1(s)
    s.raise_acute_danger()
    # The step plan runs on until the meldpunt is called: only a melding stops it.
    assert s.open_elements() == ["Acuut_ContactAMK", "Stap2_Consultatie"]
    assert s.task("Acuut_ContactAMK").due_at == datetime(2026, 3, 2, 17, 0, tzinfo=SCHOOL_TIMEZONE)
    assert s.task("Acuut_ContactAMK").lane == Lane.ZORGTEAM.value
    assert s.case.acute_raised_at is not None
    s.complete("Acuut_ContactAMK", MELDING)
    assert s.task("Acuut_DirectieInformeren").lane == Lane.DIRECTIE.value
    s.walk("Acuut_DirectieInformeren")
    assert s.open_elements() == ["Nazorg_Acuut_Evaluatie"]  # the melding stopped the step plan
    s.complete("Nazorg_Acuut_Evaluatie")
    assert s.open_elements() == ["Nazorg_Acuut_Medewerkers"]
    s.raise_acute_danger()  # acute again during the aftercare: it goes on alongside the new contact
    assert s.open_elements() == ["Nazorg_Acuut_Medewerkers", "Nazorg_Opnieuw_Contact"]
    assert s.task("Nazorg_Opnieuw_Contact").lane == Lane.ZORGTEAM.value
    assert s.task("Nazorg_Opnieuw_Contact").due_at == datetime(2026, 3, 2, 17, 0, tzinfo=SCHOOL_TIMEZONE)
    s.complete("Nazorg_Opnieuw_Contact", MELDING)
    assert s.task("Nazorg_Opnieuw_Directie").lane == Lane.DIRECTIE.value
    s.walk("Nazorg_Opnieuw_Directie", "Nazorg_Acuut_Medewerkers")
    assert [t.element_id for t in s.waiting_timers()] == ["Nazorg_Acuut_HalfJaar"]
    s.advance_clock(days=186)
    assert s.open_elements() == ["Nazorg_Acuut_Halfjaarbespreking"]
    s.complete("Nazorg_Acuut_Halfjaarbespreking")
    assert s.is_closed and s.case.outcome == "Nazorg na acuut gevaar afgerond"
    return s


def scenario_advice_only_emergency_resumes_the_step_plan(start) -> Scenario:
    """The meldpunt only advises: the case carries on where it was, with its terms (text: noodsituaties)."""
    s = start()
    through_step_3(s)
    assert s.open_elements() == ["Stap4_Wegen"]
    due = s.task("Stap4_Wegen").due_at
    assert due == datetime(2026, 4, 2, 9, 0, tzinfo=SCHOOL_TIMEZONE)
    s.advance_clock(days=3)
    s.raise_acute_danger()
    s.walk(("Acuut_ContactAMK", ADVIES), "Acuut_DirectieInformeren")
    assert s.open_elements() == ["Stap4_Wegen"]
    assert s.task("Stap4_Wegen").lane == Lane.ZORGTEAM.value
    assert s.task("Stap4_Wegen").due_at == due  # the month still counts from when it began
    s.complete("Stap4_Wegen", {"uitkomst_fase4": "bevestigd"})
    assert s.open_elements() == ["Stap5_Beslissingen"]
    # Acute danger again with a melding: the step plan stops, the aftercare begins.
    s.raise_acute_danger()
    assert s.open_elements() == ["Acuut_ContactAMK", "Stap5_Beslissingen"]
    s.walk(("Acuut_ContactAMK", MELDING), "Acuut_DirectieInformeren")
    assert s.open_elements() == ["Nazorg_Acuut_Evaluatie"]
    assert s.task("Nazorg_Acuut_Evaluatie").lane == Lane.ZORGTEAM.value
    s.complete("Nazorg_Acuut_Evaluatie")
    s.raise_acute_danger()  # and again in the aftercare, advice only: the aftercare goes on
    s.walk(("Nazorg_Opnieuw_Contact", ADVIES), "Nazorg_Opnieuw_Directie")
    assert s.open_elements() == ["Nazorg_Acuut_Medewerkers"]
    assert [t.element_id for t in s.waiting_timers()] == ["Nazorg_Acuut_HalfJaar"]
    s.complete("Nazorg_Acuut_Medewerkers")
    s.advance_clock(days=186)
    s.complete("Nazorg_Acuut_Halfjaarbespreking")
    assert s.is_closed
    return s


SCENARIOS = [
    scenario_signals_about_staff,
    scenario_acute_danger_leaves_the_staff_duty_open,
    scenario_unfounded_after_step_1,
    scenario_no_confirmation_loops_back_within_two_months,
    scenario_phase_limits_expire,
    scenario_phase_limits_cover_the_phase,
    scenario_new_signals_in_the_four_month_watch,
    scenario_step_4_doubt_then_other_cause,
    scenario_report_and_help_then_regular_meetings,
    scenario_help_only_and_pupil_leaves,
    scenario_failed_help_leads_to_a_melding,
    scenario_unsafety_in_step_4_forces_a_melding,
    scenario_acute_danger_during_step_2_and_again_in_aftercare,
    scenario_advice_only_emergency_resumes_the_step_plan,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.removeprefix("scenario_"))
def test_scenario(scenario, start):
    s = scenario(start)
    assert s.case.status == CaseStatus.CLOSED


def test_scenarios_visit_every_element(start, clock):
    assert_scenarios_visit_every_element(SCENARIOS, start, clock)
