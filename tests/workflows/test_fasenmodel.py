"""The fasenmodel (seed 003): two stappenplannen in phases 0–3 and the route "bij direct gevaar".

Each scenario walks one route through the case layer like a school would. Per route, the
scenarios together reach every end event and visit every element of that route's diagram
(`test_opvoedproblemen_visits_every_element`, `test_huiselijk_geweld_visits_every_element`).
"""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from tests.conftest import START_OF_TESTS
from tests.support.coverage import assert_scenarios_visit_every_element
from tests.support.scenario import Scenario, setup_school
from webapp.cases.errors import NotPossibleNow
from webapp.cases.models import CaseStatus, CaseTask, CaseTimer, TaskStatus, TimerStatus
from webapp.clock import SCHOOL_TIMEZONE
from webapp.roles import Role

OPVOED = "opvoedproblemen"
HG = "huiselijk_geweld"
HULP_WERKT = "Traject afgesloten: de ingezette hulp lijkt voldoende te werken"


def at(year, month, day, hour=9, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SCHOOL_TIMEZONE)


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "fasenmodel", pupil_birthdays={"Sam": date(2017, 3, 14)})


@pytest.fixture
def start(session, services, database, school):
    def start_case(route: str) -> Scenario:
        return Scenario.start(session, services, database, school, route=route)
    return start_case


def walk_as(s: Scenario, role: Role, *steps) -> None:
    """Complete tasks in order as a user with `role`; a step is an id or (id, answers)."""
    for step in steps:
        element_id, answers = (step, None) if isinstance(step, str) else step
        s.complete(element_id, answers, role=role)


def lane_of(s: Scenario, element_id: str) -> str:
    return s.task(element_id).lane


def task_statuses(s: Scenario, element_id: str) -> list[str]:
    s.session.expire_all()
    return [t.status for t in s.session.scalars(
        select(CaseTask).where(CaseTask.case_id == s.case_id, CaseTask.element_id == element_id)
        .order_by(CaseTask.id)
    )]


def timer_statuses(s: Scenario, element_id: str) -> list[str]:
    s.session.expire_all()
    return [t.status for t in s.session.scalars(
        select(CaseTimer).where(CaseTimer.case_id == s.case_id, CaseTimer.element_id == element_id)
        .order_by(CaseTimer.id)
    )]


def waiting(s: Scenario) -> list[str]:
    return sorted(t.element_id for t in s.waiting_timers())


def end_of_today(s: Scenario) -> datetime:
    return datetime.combine(s.services.now().date(), time(17, 0), SCHOOL_TIMEZONE)


# ================================================================================================
# Ongewenst opvoedgedrag / opvoedproblemen
# ================================================================================================


def opvoed_fase0(s: Scenario) -> None:
    assert s.open_elements() == ["Fase0_Observaties"]
    assert lane_of(s, "Fase0_Observaties") == "leerkracht"
    s.complete("Fase0_Observaties", {"observaties_in_parnassys": True}, role=Role.LEERKRACHT)
    assert s.open_elements() == ["Fase0_BesprekenIB"]
    assert lane_of(s, "Fase0_BesprekenIB") == "intern_begeleider"
    s.complete("Fase0_BesprekenIB", {"aanpak_fase0": "thuis"})
    assert s.open_elements() == ["Fase1_Signaallijst"]


def opvoed_fase1_until_pulse(s: Scenario, termijn: dict | None = None) -> None:
    opvoed_fase0(s)
    walk_as(s, Role.LEERKRACHT,
            ("Fase1_Signaallijst", {"signaallijst_ingevuld": True}),
            ("Fase1_GesprekOuders", {"hulp_gezinscoach_besproken": True}),
            ("Fase1_NotitieActies", {"hulp_zoeken_bij": ["huisarts", "bureau_jeugdzorg"],
                                     "notitie_fase1_in_parnassys": True,
                                     **({"termijn_hulp": termijn} if termijn else {})}))
    assert s.open_elements() == ["Fase1_VingerAanDePols"]
    assert lane_of(s, "Fase1_VingerAanDePols") == "leerkracht"
    assert waiting(s) == ["Fase1_TermijnHulp"]


def opvoed_to_fase3(s: Scenario) -> None:
    opvoed_fase1_until_pulse(s)
    s.complete("Fase1_VingerAanDePols", {"hulptraject_fase1": "niet_gestart"}, role=Role.LEERKRACHT)
    s.walk("Fase2_GesprekOuders",
           ("Fase2_NotitieActies", {"termijn_hulp_fase2": {"amount": 4, "unit": "weken"}}))
    s.complete("Fase2_VingerAanDePols", {"hulptraject_fase2": "niet_gestart"})
    assert s.open_elements() == ["Fase3_GesprekMeldplicht"]
    assert lane_of(s, "Fase3_GesprekMeldplicht") == "intern_begeleider"  # IB stays casemanager
    s.complete("Fase3_GesprekMeldplicht", {"reden_fase3": "niet_structureel", "meldplicht_uitgelegd": True,
                                           "zorgen_advies_amk": True})
    assert s.open_elements() == ["Fase3_MeldingAMK"]
    s.complete("Fase3_MeldingAMK", {"gemeld_bij": "amk", "ouders_meegemeld": True})
    s.complete("Fase3_NotitieActies", {"notitie_fase3_in_parnassys": True})
    assert s.open_elements() == ["Fase3_TerugkoppelingAMK"]


def scenario_opvoed_fase0_no_plan(start) -> Scenario:
    s = start(OPVOED)
    s.complete("Fase0_Observaties", role=Role.LEERKRACHT)
    s.complete("Fase0_BesprekenIB", {"aanpak_fase0": "school"})
    assert s.is_closed
    assert s.case.outcome == "Geen stappenplan: het probleem hoeft niet thuis te worden opgelost"
    return s


def scenario_opvoed_fase1_two_weeks_by_default_then_help_works(start) -> Scenario:
    s = start(OPVOED)
    opvoed_fase1_until_pulse(s)  # no term agreed: the protocol's two weeks apply
    assert s.task("Fase1_VingerAanDePols").due_at == at(2026, 3, 16)
    # The timer says what applies, not a fixed default in its label (issue 15, item 20).
    assert [t.name for t in s.waiting_timers()] == ["Termijn hulp zoeken (2 weken, standaard)"]
    assert s.advance_clock(days=13) == 0
    assert s.advance_clock(days=1, minutes=1) == 1
    assert timer_statuses(s, "Fase1_TermijnHulp") == [TimerStatus.FIRED]
    # The term lapsed, the teacher still has to judge whether help is starting.
    assert s.open_elements() == ["Fase1_VingerAanDePols"]
    s.complete("Fase1_VingerAanDePols", {"hulptraject_fase1": "volgen",
                                         "termijn_hulp": {"amount": 3, "unit": "weken"}},
               role=Role.LEERKRACHT)
    # Finger on the pulse: judged again three weeks later (same wall-clock hour across DST).
    assert s.open_elements() == ["Fase1_VingerAanDePols"]
    assert s.task("Fase1_VingerAanDePols").due_at == at(2026, 4, 6, 9, 1)
    s.complete("Fase1_VingerAanDePols", {"hulptraject_fase1": "werkt"}, role=Role.LEERKRACHT)
    assert s.is_closed and s.case.outcome == HULP_WERKT
    assert s.waiting_timers() == []
    return s


def scenario_opvoed_fase2_working_days_then_help_works(start) -> Scenario:
    s = start(OPVOED)
    opvoed_fase1_until_pulse(s, termijn={"amount": 10, "unit": "dagen"})
    assert s.task("Fase1_VingerAanDePols").due_at == at(2026, 3, 12)
    assert [t.name for t in s.waiting_timers()] == ["Termijn hulp zoeken (10 dagen)"]
    s.complete("Fase1_VingerAanDePols", {"hulptraject_fase1": "niet_gestart"}, role=Role.LEERKRACHT)
    assert timer_statuses(s, "Fase1_TermijnHulp") == [TimerStatus.CANCELLED]
    # Fase 2: the IB-er is casemanager from now on.
    assert s.open_elements() == ["Fase2_GesprekOuders"]
    assert lane_of(s, "Fase2_GesprekOuders") == "intern_begeleider"
    s.complete("Fase2_GesprekOuders", {"aangedrongen_op_hulp": True, "niet_vrijblijvend_uitgelegd": True,
                                       "trajectoverleg_besproken": True})
    assert lane_of(s, "Fase2_NotitieActies") == "intern_begeleider"
    assert s.advance_clock(days=52) == 0  # Thursday 23 April 2026
    s.complete("Fase2_NotitieActies", {"casemanager_fase2": "Ilse Intern-Begeleider",
                                       "termijn_hulp_fase2": {"amount": 3, "unit": "werkdagen"}})
    # Three working days from Thursday 23 April: Friday 24, (weekend, King's Day Monday 27),
    # Tuesday 28, Wednesday 29 April — at the end of the school day.
    assert s.task("Fase2_VingerAanDePols").due_at == at(2026, 4, 29, 17)
    assert s.advance_clock(days=5, hours=7, minutes=59) == 0  # Tuesday 28 April 16:59
    assert s.advance_clock(days=1, minutes=1) == 1
    assert s.open_elements() == ["Fase2_VingerAanDePols"]
    s.complete("Fase2_VingerAanDePols", {"hulptraject_fase2": "volgen",
                                         "termijn_hulp_fase2": {"amount": 1, "unit": "weken"}})
    assert s.task("Fase2_VingerAanDePols").due_at == at(2026, 5, 6, 17)
    s.complete("Fase2_VingerAanDePols", {"hulptraject_fase2": "werkt"})
    assert s.is_closed and s.case.outcome == HULP_WERKT
    return s


def scenario_opvoed_fase3_report_and_raad(start) -> Scenario:
    s = start(OPVOED)
    opvoed_to_fase3(s)
    s.complete("Fase3_TerugkoppelingAMK", {"uitkomst_fase3": "raad"})
    assert s.is_closed
    assert s.case.outcome == ("Gemeld bij het AMK; het AMK heeft gemeld aan de Raad voor de "
                              "Kinderbescherming")
    return s


def scenario_opvoed_fase3_amk_continues(start) -> Scenario:
    s = start(OPVOED)
    opvoed_to_fase3(s)
    s.complete("Fase3_TerugkoppelingAMK", {"uitkomst_fase3": "amk"})
    assert s.is_closed
    assert s.case.outcome == "Gemeld bij het AMK: het AMK doet onderzoek en houdt de school op de hoogte"
    return s


def scenario_opvoed_fase3_help_works(start) -> Scenario:
    s = start(OPVOED)
    opvoed_to_fase3(s)
    s.complete("Fase3_TerugkoppelingAMK", {"uitkomst_fase3": "hulp_werkt"})
    assert s.is_closed and s.case.outcome == HULP_WERKT
    return s


# ================================================================================================
# Huiselijk geweld / incest / seksueel misbruik
# ================================================================================================


def hg_fase0(s: Scenario) -> None:
    assert s.open_elements() == ["Fase0_Observaties"]
    s.complete("Fase0_Observaties", {"observaties_in_parnassys": True}, role=Role.LEERKRACHT)
    assert s.open_elements() == ["Fase0_SignalenNaastElkaar"]
    assert lane_of(s, "Fase0_SignalenNaastElkaar") == "intern_begeleider"
    s.complete("Fase0_SignalenNaastElkaar", {"signaallijst_ingevuld": True,
                                             "signalen_wijzen_op": "huiselijk_geweld"})
    assert s.open_elements() == ["Fase1_Verslaglegging"]


def hg_to_fase2(s: Scenario) -> None:
    hg_fase0(s)
    walk_as(s, Role.LEERKRACHT, "Fase1_Verslaglegging",
            ("Fase1_GesprekKindOuder", {"besproken_met_fase1": ["kind", "ouder"], "huisbezoek_wenselijk": False}))
    assert s.open_elements() == ["Fase1_NotitieParnasSys"]  # no home visit
    s.complete("Fase1_NotitieParnasSys", {"vervolg_fase1": "voortduren"}, role=Role.LEERKRACHT)
    assert s.open_elements() == ["Fase2_FeitenVerzamelen"]
    assert lane_of(s, "Fase2_FeitenVerzamelen") == "leerkracht"
    s.complete("Fase2_FeitenVerzamelen", {"feiten_in_parnassys": True}, role=Role.LEERKRACHT)
    assert s.open_elements() == ["Fase2_InformatieInwinnen"]
    assert lane_of(s, "Fase2_InformatieInwinnen") == "directie"


def hg_to_fase3(s: Scenario) -> None:
    hg_to_fase2(s)
    s.complete("Fase2_InformatieInwinnen", {"informatie_van": ["huisarts"], "breed_overleg_fase2": False,
                                            "gesprek_met": "alleen_kind"}, role=Role.DIRECTEUR)
    # Only the child: the teacher talks (possibly with director or IB-er).
    assert s.open_elements() == ["Fase2_GesprekKind"]
    assert lane_of(s, "Fase2_GesprekKind") == "leerkracht"
    s.complete("Fase2_GesprekKind", {"aanwezig_gesprek_kind": ["leerkracht", "intern_begeleider"]},
               role=Role.LEERKRACHT)
    assert s.open_elements() == ["Fase2_HulpOrganiseren"]
    walk_as(s, Role.DIRECTEUR,
            ("Fase2_HulpOrganiseren", {"casemanager_fase2": "Dirk Directeur", "hulp_via": ["bureau_jeugdzorg"]}),
            ("Fase2_NotitieCasemanager", {"vervolg_fase2": "fase3"}))
    assert s.open_elements() == ["Fase3_GesprekMeldplicht"]
    assert lane_of(s, "Fase3_GesprekMeldplicht") == "directie"  # the director stays casemanager
    walk_as(s, Role.DIRECTEUR,
            ("Fase3_GesprekMeldplicht", {"reden_fase3": "niet_erkend", "meldplicht_uitgelegd": True}),
            ("Fase3_MeldingAMK", {"gemeld_bij": "amk", "ouders_meegemeld": False}),
            ("Fase3_NotitieCasemanager", {"notitie_fase3_in_parnassys": True}))
    assert s.open_elements() == ["Fase3_TerugkoppelingAMK"]
    assert lane_of(s, "Fase3_TerugkoppelingAMK") == "directie"


def scenario_hg_fase0_signals_point_elsewhere(start) -> Scenario:
    s = start(HG)
    s.complete("Fase0_Observaties", role=Role.LEERKRACHT)
    s.complete("Fase0_SignalenNaastElkaar", {"signalen_wijzen_op": "niet"})
    assert s.is_closed
    assert s.case.outcome == ("Signalen wijzen niet op huiselijk geweld / incest / seksueel misbruik: "
                              "stappenplan niet gestart")
    return s


def scenario_hg_fase1_home_visit_then_close(start) -> Scenario:
    s = start(HG)
    hg_fase0(s)
    assert lane_of(s, "Fase1_Verslaglegging") == "leerkracht"
    walk_as(s, Role.LEERKRACHT, ("Fase1_Verslaglegging", {"in_leerlingdossier": True}),
            ("Fase1_GesprekKindOuder", {"huisbezoek_wenselijk": True}))
    assert s.open_elements() == ["Fase1_Huisbezoek"]
    s.complete("Fase1_Huisbezoek", role=Role.LEERKRACHT)
    assert s.open_elements() == ["Fase1_NotitieParnasSys"]
    s.complete("Fase1_NotitieParnasSys", {"vervolg_fase1": "afsluiten"}, role=Role.LEERKRACHT)
    assert s.is_closed and s.case.outcome == HULP_WERKT
    return s


def scenario_hg_fase2_broad_consultation_then_help_works(start) -> Scenario:
    s = start(HG)
    hg_to_fase2(s)
    s.complete("Fase2_InformatieInwinnen", {"informatie_van": ["wijkpolitie", "gezinscoach"],
                                            "breed_overleg_fase2": True, "gesprek_met": "ouders"},
               role=Role.DIRECTEUR)
    assert s.open_elements() == ["Fase2_BreedOverleg"]
    s.complete("Fase2_BreedOverleg", role=Role.DIRECTEUR)
    assert s.open_elements() == ["Fase2_GesprekOudersKind"]
    assert lane_of(s, "Fase2_GesprekOudersKind") == "directie"
    walk_as(s, Role.DIRECTEUR,
            ("Fase2_GesprekOudersKind", {"aangedrongen_op_hulp": True, "niet_vrijblijvend_uitgelegd": True,
                                         "trajectoverleg_besproken": True}),
            ("Fase2_HulpOrganiseren", {"hulp_via": ["gezinscoach", "schoolverpleegkundige"]}),
            ("Fase2_NotitieCasemanager", {"vervolg_fase2": "afsluiten"}))
    assert s.is_closed and s.case.outcome == HULP_WERKT
    return s


def scenario_hg_fase3_amk_continues(start) -> Scenario:
    s = start(HG)
    hg_to_fase3(s)
    s.complete("Fase3_TerugkoppelingAMK", {"crisisinterventie": True, "uitkomst_fase3": "amk"},
               role=Role.DIRECTEUR)
    assert s.is_closed
    assert s.case.outcome == ("Gemeld bij het AMK: het AMK doet onderzoek, organiseert hulp en houdt "
                              "de school op de hoogte")
    return s


def scenario_hg_fase3_raad(start) -> Scenario:
    s = start(HG)
    hg_to_fase3(s)
    s.complete("Fase3_TerugkoppelingAMK", {"uitkomst_fase3": "raad"}, role=Role.DIRECTEUR)
    assert s.is_closed
    assert s.case.outcome == ("Gemeld bij het AMK; het AMK heeft gemeld aan de Raad voor de "
                              "Kinderbescherming")
    return s


def scenario_hg_fase3_help_works(start) -> Scenario:
    s = start(HG)
    hg_to_fase3(s)
    s.complete("Fase3_TerugkoppelingAMK", {"uitkomst_fase3": "hulp_werkt"}, role=Role.DIRECTEUR)
    assert s.is_closed and s.case.outcome == HULP_WERKT
    return s


# ================================================================================================
# Bij direct gevaar — in both routes, from any point of a running case
# ================================================================================================

ACUTE_DONE = "Direct gevaar afgehandeld: AMK/SHG is aan zet en houdt de school op de hoogte"


def acute_meeting(s: Scenario, *, danger_to_staff: bool, broad: bool, due: datetime,
                  recorded_later: dict | None = None) -> None:
    """The same-day meeting, police when staff are in danger, same-day AMK/SHG contact.

    `recorded_later` moves the clock before the meeting is recorded: the police and AMK/SHG
    contact that follow stay due the day the danger was raised."""
    assert s.open_elements() == ["Acuut_Overleg"]
    assert lane_of(s, "Acuut_Overleg") == "directie"  # the director becomes casemanager
    assert s.task("Acuut_Overleg").due_at == due
    if recorded_later:
        s.advance_clock(**recorded_later)
    s.complete("Acuut_Overleg", {"aanwezig_acuut_overleg": ["leerkracht", "intern_begeleider", "directeur"],
                                 "casemanager_acuut": "Dirk Directeur",
                                 "gevaar_medewerkers": danger_to_staff, "breed_overleg_acuut": broad},
               role=Role.DIRECTEUR)
    if danger_to_staff:
        assert s.open_elements() == ["Acuut_Politie"]
        assert s.task("Acuut_Politie").due_at == due
        s.complete("Acuut_Politie", {"ingeschakeld_bij_gevaar": ["politie"]}, role=Role.DIRECTEUR)
    assert s.open_elements() == ["Acuut_ContactMeldpunt"]
    assert s.task("Acuut_ContactMeldpunt").due_at == due
    s.complete("Acuut_ContactMeldpunt", {"contact_meldpunt": "shg" if broad else "amk"}, role=Role.DIRECTEUR)
    if broad:
        assert s.open_elements() == ["Acuut_BreedOverleg"]
        s.complete("Acuut_BreedOverleg", {"betrokken_breed_overleg": ["wijkpolitie", "crisismanager"]},
                   role=Role.DIRECTEUR)
    assert s.open_elements() == ["Nazorg_Acuut_Terugkoppeling"]
    assert lane_of(s, "Nazorg_Acuut_Terugkoppeling") == "directie"


def finish_aftercare(s: Scenario) -> None:
    s.complete("Nazorg_Acuut_Terugkoppeling", {"verslag_in_parnassys": True}, role=Role.DIRECTEUR)
    assert s.is_closed and s.case.outcome == ACUTE_DONE
    with pytest.raises(NotPossibleNow):
        s.raise_acute_danger()  # a closed case takes no more signals


def scenario_opvoed_acute_in_fase0_and_again_in_aftercare(start) -> Scenario:
    s = start(OPVOED)
    assert s.open_elements() == ["Fase0_Observaties"]
    s.raise_acute_danger()
    assert task_statuses(s, "Fase0_Observaties") == [TaskStatus.CANCELLED]
    assert s.case.acute_raised_at == START_OF_TESTS
    acute_meeting(s, danger_to_staff=True, broad=True, due=at(2026, 3, 2, 17))
    # The next evening, after school: acute again during the aftercare. "Dezelfde dag" is then
    # still that same day, up to midnight.
    s.advance_clock(days=1, hours=9)
    s.raise_acute_danger()
    assert task_statuses(s, "Nazorg_Acuut_Terugkoppeling") == [TaskStatus.CANCELLED]
    acute_meeting(s, danger_to_staff=False, broad=False, due=at(2026, 3, 3, 23, 59, 59))
    finish_aftercare(s)
    return s


def scenario_opvoed_acute_in_fase1_cancels_the_term(start) -> Scenario:
    s = start(OPVOED)
    opvoed_fase1_until_pulse(s, termijn={"amount": 2, "unit": "weken"})
    s.advance_clock(days=3)
    s.raise_acute_danger()
    assert task_statuses(s, "Fase1_VingerAanDePols") == [TaskStatus.CANCELLED]
    assert timer_statuses(s, "Fase1_TermijnHulp") == [TimerStatus.CANCELLED]
    assert s.waiting_timers() == []
    # The meeting is only recorded the next morning: the AMK/SHG contact is still due on the
    # day the danger was raised (the text: the same day), not a day later.
    acute_meeting(s, danger_to_staff=True, broad=False, due=at(2026, 3, 5, 17),
                  recorded_later={"hours": 24})
    assert s.advance_clock(weeks=3) == 0  # the cancelled phase-1 term never fires
    assert s.open_elements() == ["Nazorg_Acuut_Terugkoppeling"]
    finish_aftercare(s)
    return s


def scenario_opvoed_acute_in_fase2(start) -> Scenario:
    s = start(OPVOED)
    opvoed_fase1_until_pulse(s)
    s.complete("Fase1_VingerAanDePols", {"hulptraject_fase1": "niet_gestart"}, role=Role.LEERKRACHT)
    s.walk("Fase2_GesprekOuders",
           ("Fase2_NotitieActies", {"termijn_hulp_fase2": {"amount": 5, "unit": "werkdagen"}}))
    assert waiting(s) == ["Fase2_TermijnHulp"]
    s.raise_acute_danger()
    assert task_statuses(s, "Fase2_VingerAanDePols") == [TaskStatus.CANCELLED]
    assert timer_statuses(s, "Fase2_TermijnHulp") == [TimerStatus.CANCELLED]
    acute_meeting(s, danger_to_staff=False, broad=True, due=end_of_today(s))
    finish_aftercare(s)
    return s


def scenario_hg_acute_in_fase0(start) -> Scenario:
    s = start(HG)
    s.complete("Fase0_Observaties", role=Role.LEERKRACHT)
    assert s.open_elements() == ["Fase0_SignalenNaastElkaar"]
    s.raise_acute_danger()
    assert task_statuses(s, "Fase0_SignalenNaastElkaar") == [TaskStatus.CANCELLED]
    acute_meeting(s, danger_to_staff=False, broad=False, due=at(2026, 3, 2, 17))
    finish_aftercare(s)
    return s


def scenario_hg_acute_in_fase2_and_again_in_aftercare(start) -> Scenario:
    s = start(HG)
    hg_to_fase2(s)
    s.complete("Fase2_InformatieInwinnen", {"breed_overleg_fase2": False, "gesprek_met": "ouders"},
               role=Role.DIRECTEUR)
    assert s.open_elements() == ["Fase2_GesprekOudersKind"]
    s.advance_clock(days=2, hours=3)  # Wednesday 4 March, noon
    s.raise_acute_danger()
    assert task_statuses(s, "Fase2_GesprekOudersKind") == [TaskStatus.CANCELLED]
    assert s.open_elements() == ["Acuut_Overleg"]
    acute_meeting(s, danger_to_staff=True, broad=True, due=at(2026, 3, 4, 17))
    s.advance_clock(weeks=1)
    s.raise_acute_danger()  # acute again during the aftercare
    assert task_statuses(s, "Nazorg_Acuut_Terugkoppeling") == [TaskStatus.CANCELLED]
    acute_meeting(s, danger_to_staff=True, broad=False, due=at(2026, 3, 11, 17))
    finish_aftercare(s)
    return s


def scenario_hg_acute_in_fase3(start) -> Scenario:
    s = start(HG)
    hg_to_fase3(s)
    s.raise_acute_danger()
    assert task_statuses(s, "Fase3_TerugkoppelingAMK") == [TaskStatus.CANCELLED]
    acute_meeting(s, danger_to_staff=False, broad=True, due=end_of_today(s))
    finish_aftercare(s)
    return s


OPVOED_SCENARIOS = [
    scenario_opvoed_fase0_no_plan,
    scenario_opvoed_fase1_two_weeks_by_default_then_help_works,
    scenario_opvoed_fase2_working_days_then_help_works,
    scenario_opvoed_fase3_report_and_raad,
    scenario_opvoed_fase3_amk_continues,
    scenario_opvoed_fase3_help_works,
    scenario_opvoed_acute_in_fase0_and_again_in_aftercare,
    scenario_opvoed_acute_in_fase1_cancels_the_term,
    scenario_opvoed_acute_in_fase2,
]

HG_SCENARIOS = [
    scenario_hg_fase0_signals_point_elsewhere,
    scenario_hg_fase1_home_visit_then_close,
    scenario_hg_fase2_broad_consultation_then_help_works,
    scenario_hg_fase3_amk_continues,
    scenario_hg_fase3_raad,
    scenario_hg_fase3_help_works,
    scenario_hg_acute_in_fase0,
    scenario_hg_acute_in_fase2_and_again_in_aftercare,
    scenario_hg_acute_in_fase3,
]


@pytest.mark.parametrize("scenario", OPVOED_SCENARIOS + HG_SCENARIOS,
                         ids=lambda f: f.__name__.removeprefix("scenario_"))
def test_scenario(scenario, start):
    s = scenario(start)
    assert s.case.status == CaseStatus.CLOSED


def test_routes_and_sociale_kaart(services, school):
    variant = services.variants["fasenmodel"]
    assert [r.key for r in variant.routes] == [OPVOED, HG]
    assert set(school.definitions) == {OPVOED, HG}
    phones = {c.id: c.phone for c in variant.contacts}
    assert phones["amk"] == "0900-1231230" and phones["shg"] == "0900-1262626"
    # The text gives no other numbers: none are invented, only the national emergency number
    # for the police, whom the acute pages tell staff to call.
    assert {k for k, v in phones.items() if v} == {"amk", "shg", "politie"}
    assert phones["politie"] == "112"
    assert set(variant.emergency_contact_ids) <= set(phones)


def test_opvoedproblemen_visits_every_element(start, clock):
    assert_scenarios_visit_every_element(OPVOED_SCENARIOS, start, clock)


def test_huiselijk_geweld_visits_every_element(start, clock):
    assert_scenarios_visit_every_element(HG_SCENARIOS, start, clock)
