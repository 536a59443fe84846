"""Tasks of more than one role (`meldroute:alsoLanes`, issue 15 items 4 and 13).

The fasenmodel's acute meeting is "gesprek leerkracht, IB en directie" the same day: each of the
three finds it in their task list (the pages and the case service alike) and is reminded of it;
the same-day police and AMK/SHG contact can be recorded by whoever made the call. The
basismodel's emergency call is in the Zorgteam lane, but the teacher who made it records it. The
violence route's "IB / directeur" steps of phase 2 are the IB'er's to do as well.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.support.forms import fill_form
from tests.support.scenario import Scenario, hashed_test_password, setup_school
from tests.support.web import WebUser
from webapp.audit.actor import Actor
from webapp.auth.models import Membership, User
from webapp.auth.policy import Policy
from webapp.cases import lifecycle, task_actions
from webapp.cases.errors import InvalidSubmission, NotAllowed
from webapp.cases.unit_of_work import NEVER_BY_REFUSAL
from webapp.clock import SCHOOL_TIMEZONE
from webapp.definitions.version_forms import form_of_task
from webapp.engine import DiagramRejected, compile_bpmn
from webapp.notifications.deadline_notices import NoticeKind
from webapp.notifications.models import Notification
from webapp.roles import Lane, Role
from webapp.tasks.listing import TaskListFilters, task_list
from webapp.worker.cycle import WorkerSettings, run_cycle

END_OF_MONDAY = datetime(2026, 3, 2, 17, 0, tzinfo=SCHOOL_TIMEZONE)  # tests start Monday 2 March 09:00


@pytest.fixture
def fasen(session, services):
    setup = setup_school(session, services, "fasenmodel", pupil_birthdays={"Sam": date(2017, 3, 14)})
    other = User(email="andere-leerkracht@testschool.test", display_name="Andere Leerkracht",
                 password_hash=hashed_test_password(), active=True, created_at=services.now())
    session.add(other)
    session.flush()
    session.add(Membership(user_id=other.id, school_id=setup.school.id, role=Role.LEERKRACHT))
    session.commit()
    setup.users["andere_leerkracht"] = other.id
    return setup


def role_list(session, services, user_id: int) -> list[str]:
    """'Taken voor mijn rol' of this user, as element ids."""
    policy = Policy.for_user(session, user_id)
    return sorted(row.task.element_id for row in task_list(session, policy, TaskListFilters(chosen="rol"),
                                                           services.now()))


def test_the_acute_meeting_is_in_the_lists_of_teacher_ib_and_director_and_each_is_reminded(
        fasen, session, services, database, app):
    s = Scenario.start(session, services, database, fasen, route="huiselijk_geweld")
    s.complete("Fase0_Observaties", role=Role.LEERKRACHT)
    s.raise_acute_danger(Role.LEERKRACHT)
    meeting = s.task("Acuut_Overleg")
    assert s.open_elements() == ["Acuut_Overleg"]
    assert meeting.lane == Lane.DIRECTIE.value  # the director becomes casemanager
    assert meeting.due_at == END_OF_MONDAY
    for role in (Role.LEERKRACHT, Role.INTERN_BEGELEIDER, Role.DIRECTEUR):
        assert role_list(session, services, fasen.users[role]) == ["Acuut_Overleg"], role
    # A teacher who has nothing to do with the case does not see it, nor does the board.
    assert role_list(session, services, fasen.users["andere_leerkracht"]) == []
    assert role_list(session, services, fasen.users[Role.BESTUUR]) == []

    # Through the pages: the list and the task page say who may do it.
    for prefix in ("leerkracht", "ib", "directeur"):
        user = WebUser(app, f"{prefix}@testschool.test")
        listing = user.get("/taken?lijst=rol")
        assert listing.status_code == 200
        assert meeting.name in listing.text, prefix
        assert "Directie (ook: Leerkracht, Intern begeleider)" in listing.text  # the school's own words
        page = user.get(f"/taken/{meeting.id}")
        assert page.status_code == 200 and "(ook: Leerkracht" in page.text
        case_page = user.get(f"/zaken/{s.case_id}")
        assert case_page.status_code == 200 and "Directie (ook: Leerkracht" in case_page.text, prefix
        assert "U kunt hem bekijken, niet afronden" not in page.text, prefix
    outsider = WebUser(app, "andere-leerkracht@testschool.test")
    assert meeting.name not in outsider.get("/taken?lijst=rol").text
    assert outsider.get(f"/taken/{meeting.id}").status_code == 404

    # Due today, so the worker's reminder goes out at once, to each of the three.
    settings = WorkerSettings.from_config({**app.config, "REMINDER_LEAD_TIME": "P2D", "ESCALATION_DELAY": "P2D"})
    assert run_cycle(database, services, settings, until_done=True).notices_sent == 1
    session.expire_all()
    reminded = sorted(session.scalars(select(Notification.user_id).where(
        Notification.case_task_id == meeting.id, Notification.kind == NoticeKind.REMINDER.value)))
    assert reminded == sorted(fasen.users[r] for r in (Role.LEERKRACHT, Role.INTERN_BEGELEIDER, Role.DIRECTEUR))

    # The IB'er records the meeting; the teacher who called the police and the AMK records those.
    s.complete("Acuut_Overleg", {"aanwezig_acuut_overleg": ["leerkracht", "intern_begeleider"],
                                 "casemanager_acuut": "Dirk Directeur", "gevaar_medewerkers": True,
                                 "breed_overleg_acuut": False}, role=Role.INTERN_BEGELEIDER)
    assert s.open_elements() == ["Acuut_Politie"]
    assert s.task("Acuut_Politie").due_at == END_OF_MONDAY
    s.complete("Acuut_Politie", {"ingeschakeld_bij_gevaar": ["politie"]}, role=Role.LEERKRACHT)
    contact = s.task("Acuut_ContactMeldpunt")
    assert contact.lane == Lane.DIRECTIE.value and contact.due_at == END_OF_MONDAY
    assert role_list(session, services, fasen.users[Role.LEERKRACHT]) == ["Acuut_ContactMeldpunt"]
    s.complete("Acuut_ContactMeldpunt", {"contact_meldpunt": "amk"}, role=Role.LEERKRACHT)
    # The aftercare is the casemanager's: the director's only.
    assert s.open_elements() == ["Nazorg_Acuut_Terugkoppeling"]
    assert s.task("Nazorg_Acuut_Terugkoppeling").also_lanes == ""
    assert role_list(session, services, fasen.users[Role.LEERKRACHT]) == []
    assert role_list(session, services, fasen.users[Role.DIRECTEUR]) == ["Nazorg_Acuut_Terugkoppeling"]


def test_the_ib_er_does_the_ib_or_director_steps_of_phase_2(fasen, session, services, database):
    s = Scenario.start(session, services, database, fasen, route="huiselijk_geweld")
    s.complete("Fase0_Observaties", role=Role.LEERKRACHT)
    s.complete("Fase0_SignalenNaastElkaar", {"signalen_wijzen_op": "huiselijk_geweld"})
    s.complete("Fase1_Verslaglegging", role=Role.LEERKRACHT)
    s.complete("Fase1_GesprekKindOuder", {"huisbezoek_wenselijk": False}, role=Role.LEERKRACHT)
    s.complete("Fase1_NotitieParnasSys", {"vervolg_fase1": "voortduren"}, role=Role.LEERKRACHT)
    s.complete("Fase2_FeitenVerzamelen", role=Role.LEERKRACHT)
    info = s.task("Fase2_InformatieInwinnen")
    assert info.lane == Lane.DIRECTIE.value and info.due_at is None
    assert role_list(session, services, fasen.users[Role.INTERN_BEGELEIDER]) == ["Fase2_InformatieInwinnen"]
    assert role_list(session, services, fasen.users[Role.DIRECTEUR]) == ["Fase2_InformatieInwinnen"]
    assert role_list(session, services, fasen.users[Role.LEERKRACHT]) == []
    s.complete("Fase2_InformatieInwinnen", {"informatie_van": ["huisarts"], "breed_overleg_fase2": False,
                                            "gesprek_met": "ouders"}, role=Role.INTERN_BEGELEIDER)
    assert s.open_elements() == ["Fase2_GesprekOudersKind"]  # "door directeur en ib-er"
    assert role_list(session, services, fasen.users[Role.INTERN_BEGELEIDER]) == ["Fase2_GesprekOudersKind"]
    s.complete("Fase2_GesprekOudersKind", role=Role.INTERN_BEGELEIDER)
    # The director is casemanager from here on: organising help is theirs.
    assert s.open_elements() == ["Fase2_HulpOrganiseren"]
    assert role_list(session, services, fasen.users[Role.INTERN_BEGELEIDER]) == []
    assert role_list(session, services, fasen.users[Role.DIRECTEUR]) == ["Fase2_HulpOrganiseren"]


def test_the_teacher_records_the_emergency_call_they_made(session, services, database):
    setup = setup_school(session, services, "basismodel_2019")
    s = Scenario.start(session, services, database, setup)
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False})
    s.raise_acute_danger(Role.LEERKRACHT)
    call = s.task("Acuut_ContactAMK")
    assert call.lane == Lane.ZORGTEAM.value and call.due_at == END_OF_MONDAY
    assert "Acuut_ContactAMK" in role_list(session, services, setup.users[Role.LEERKRACHT])
    s.complete("Acuut_ContactAMK", {"onmiddellijke_actie": False, "melding_gedaan": False}, role=Role.LEERKRACHT)
    assert s.open_elements() == ["Acuut_DirectieInformeren", "Stap1_ZorgDelen"]
    assert s.task("Acuut_DirectieInformeren").due_at == END_OF_MONDAY
    assert "Acuut_DirectieInformeren" not in role_list(session, services, setup.users[Role.LEERKRACHT])


def test_also_lanes_must_name_known_roles(services):
    bpmn = (services.variants["fasenmodel"].directory / "huiselijk_geweld.bpmn").read_bytes()
    broken = bpmn.replace(b'meldroute:alsoLanes="Leerkracht; Intern begeleider"',
                          b'meldroute:alsoLanes="Leerkracht; Conciergerie"', 1)
    assert broken != bpmn
    with pytest.raises(DiagramRejected) as rejected:
        compile_bpmn(broken, filename="huiselijk_geweld.bpmn", forms=services.forms)
    messages = [p.message for p in rejected.value.problems]
    assert any("Conciergerie" in m and "meldroute:alsoLanes" in m for m in messages), messages


def test_the_coordinator_of_step_2_is_never_the_pupils_teacher(session, services, database):
    """Basismodel step 2: "Deze taak ligt nooit bij de leerkracht van de betreffende leerling"
    (`meldroute:neverBy="Leerkracht"`): a teacher who is also IB'er, reported the case and did the
    teacher's steps, may not take on the coordination; another IB'er may (issue 15 item 9)."""
    setup = setup_school(session, services, "basismodel_2019")
    both = User(email="leerkracht-ib@testschool.test", display_name="Lotte Leerkracht-en-IB",
                password_hash=hashed_test_password(), active=True, created_at=services.now())
    session.add(both)
    session.flush()
    session.add_all([Membership(user_id=both.id, school_id=setup.school.id, role=Role.LEERKRACHT),
                     Membership(user_id=both.id, school_id=setup.school.id, role=Role.INTERN_BEGELEIDER)])
    session.commit()
    case = lifecycle.start_case(session, services, Actor(both.id), definition_id=setup.definitions["meldcode"].id,
                                pupil_id=next(iter(setup.pupils.values())).id)
    s = Scenario(session, services, database, setup, case.id)
    setup.users["leerkracht_ib"] = both.id
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False}, role="leerkracht_ib")
    s.complete("Stap1_ZorgDelen", {"veiligheid_in_geding": True, "tijdslimiet_fase1": {"amount": 2, "unit": "weken"}})
    s.complete("Stap1_GesprekLeerling", role="leerkracht_ib")
    s.complete("Stap1_Besluit", {"uitkomst_fase1": "twijfel_bevestiging"}, role="leerkracht_ib")
    consultatie = s.task("Stap2_Consultatie")
    assert consultatie.lane == Lane.INTERN_BEGELEIDER.value and consultatie.due_at is None
    assert "Stap2_Consultatie" not in role_list(session, services, both.id)
    assert "Stap2_Consultatie" in role_list(session, services, setup.users[Role.INTERN_BEGELEIDER])
    with pytest.raises(NotAllowed) as refused:
        s.complete("Stap2_Consultatie", role="leerkracht_ib")
    assert refused.value.message == NEVER_BY_REFUSAL
    with pytest.raises(NotAllowed):
        task_actions.claim_task(session, services, Actor(both.id), task_id=consultatie.id)
    # The coordinator is chosen by function; "leerkracht" is not one of them.
    with pytest.raises(InvalidSubmission) as invalid:
        lifecycle.complete_task(session, services, Actor(setup.users[Role.INTERN_BEGELEIDER]), task_id=consultatie.id,
                                submitted={**fill_form(form_of_task(session, consultatie)),
                                           "coordinator_functie": "leerkracht"})
    assert "coordinator_functie" in invalid.value.errors
    s.complete("Stap2_Consultatie", {"coordinator_functie": "intern_begeleider",
                                     "tijdslimiet_fase2": {"amount": 3, "unit": "weken"}})
    assert s.open_elements() == ["Stap2_Zorgteambespreking"]  # no doubt: no advice task
    assert s.task("Stap2_Zorgteambespreking").due_at == datetime(2026, 3, 23, 9, 0, tzinfo=SCHOOL_TIMEZONE)
    # Only the coordination is barred: the meeting the teacher-IB'er records as a zorgteam member.
    s.complete("Stap2_Zorgteambespreking", {"uitkomst_fase2": "ongegrond"}, role="leerkracht_ib")
    assert s.open_elements() == ["Afsluiten_Ongegrond"]
