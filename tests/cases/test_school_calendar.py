"""A school's own calendar (issue 15, item 22): `schooldagen(n)` skips the school holidays of the
school's region and its study days; `werkdagen(n)` — Veilig Thuis's working days — only weekends
and public holidays. The due date says which count it used."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.clock import SCHOOL_TIMEZONE, as_school_time
from webapp.definitions.service import import_version
from webapp.engine import SchoolCalendar
from webapp.engine.due_dates import WorkingDayCalendar
from webapp.school_calendar.models import SchoolDayOff

FORM = "basismodel_2019/stap1_besluit"
# Friday before the autumn holiday of regio midden (17–25 October 2026); the 27th is a study day.
FRIDAY_BEFORE_HOLIDAY = datetime(2026, 10, 16, 10, 0, tzinfo=SCHOOL_TIMEZONE)
STUDY_DAY = date(2026, 10, 27)


def _route(first_due: str, second_due: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:meldroute="https://meldroute.nl/schema/bpmn" id="Definitions_1" targetNamespace="https://example.org"
    expressionLanguage="https://meldroute.nl/schema/expressions">
  <bpmn:process id="Process_1" name="Kalenderroute" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_1" name="Leerkracht">
      <bpmn:flowNodeRef>Start_1</bpmn:flowNodeRef><bpmn:flowNodeRef>Task_School</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Task_Werk</bpmn:flowNodeRef><bpmn:flowNodeRef>End_1</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_School"/>
    <bpmn:userTask id="Task_School" name="Binnen schooldagen" meldroute:formKey="{FORM}" meldroute:dueDate="{first_due}"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_School" targetRef="Task_Werk"/>
    <bpmn:userTask id="Task_Werk" name="Binnen werkdagen" meldroute:formKey="{FORM}" meldroute:dueDate="{second_due}"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Werk" targetRef="End_1"/>
    <bpmn:endEvent id="End_1"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def test_school_days_skip_the_regions_holidays_and_study_days_working_days_do_not():
    friday = FRIDAY_BEFORE_HOLIDAY.date()
    school = SchoolCalendar("midden", {STUDY_DAY: "studiedag"})
    assert school.add_working_days(friday, 5) == date(2026, 11, 2)  # 26, 28, 29, 30 Oct, 2 Nov
    assert WorkingDayCalendar().add_working_days(friday, 5) == date(2026, 10, 23)
    assert school.day_off_name(date(2026, 10, 20)) == "Herfstvakantie"
    assert school.day_off_name(STUDY_DAY) == "studiedag"
    assert SchoolCalendar("noord").is_working_day(date(2026, 10, 20))  # noord's holiday is a week earlier
    assert SchoolCalendar(None).add_working_days(friday, 5) == date(2026, 10, 23)


@pytest.fixture
def calendar_school(session, services, clock):
    setup = setup_school(session, services, "basismodel_2019")
    setup.school.holiday_region = "midden"
    session.add(SchoolDayOff(school_id=setup.school.id, day=STUDY_DAY, label="studiedag"))
    import_version(session, setup.definitions["meldcode"], _route("schooldagen(5)", "werkdagen(5)"),
                   filename="kalender.bpmn", forms=services.forms, now=services.now())
    session.commit()
    clock.set(FRIDAY_BEFORE_HOLIDAY)
    return setup


def test_a_case_counts_school_days_on_its_schools_calendar_and_says_so(
        session, services, database, app, calendar_school):
    scenario = Scenario.start(session, services, database, calendar_school)
    first = scenario.task("Task_School")
    assert as_school_time(first.due_at).date() == date(2026, 11, 2)
    teacher = WebUser(app, "leerkracht@testschool.test")
    page = teacher.get(f"/taken/{first.id}").text
    assert "(in schooldagen: zonder schoolvakanties en studiedagen van de school)" in page
    assert teacher.get(f"/api/v1/taken/{first.id}").get_json()["termijn_telling"] == "schooldagen"

    scenario.complete("Task_School")
    second = scenario.task("Task_Werk")
    assert as_school_time(second.due_at).date() == date(2026, 10, 23)  # Veilig Thuis's working days
    assert "(in werkdagen: zonder weekenden en feestdagen)" in teacher.get(f"/taken/{second.id}").text


def test_a_school_without_a_region_counts_school_days_as_working_days(session, services, database, clock):
    setup = setup_school(session, services, "basismodel_2019")
    import_version(session, setup.definitions["meldcode"], _route("schooldagen(5)", "werkdagen(5)"),
                   filename="kalender.bpmn", forms=services.forms, now=services.now())
    session.commit()
    clock.set(FRIDAY_BEFORE_HOLIDAY)
    scenario = Scenario.start(session, services, database, setup)
    assert as_school_time(scenario.task("Task_School").due_at).date() == date(2026, 10, 23)


def test_a_study_day_added_later_counts_for_tasks_opened_after_it(session, services, database, calendar_school):
    session.execute(SchoolDayOff.__table__.delete())
    session.commit()
    scenario = Scenario.start(session, services, database, calendar_school)
    assert as_school_time(scenario.task("Task_School").due_at).date() == date(2026, 10, 30)
    session.add(SchoolDayOff(school_id=calendar_school.school.id, day=date(2026, 10, 29), label="studiedag"))
    session.commit()
    later = Scenario.start(session, services, database, calendar_school)
    assert as_school_time(later.task("Task_School").due_at).date() == date(2026, 11, 2)
    # the first case's due date was fixed when its task opened
    assert as_school_time(scenario.task("Task_School").due_at).date() == date(2026, 10, 30)


# -- the page ---------------------------------------------------------------------------------

@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019")


def _post(user: WebUser, data: dict):
    return user.post("/schoolkalender", data, token_from="/schoolkalender")


def test_the_beheerder_sets_the_region_and_study_days_audited(app, session, school):
    beheerder = WebUser(app, "beheer@testschool.test")
    assert _post(beheerder, {"school": school.school.id, "actie": "regio", "regio": "zuid"}).status_code == 303
    added = _post(beheerder, {"school": school.school.id, "actie": "toevoegen", "datum": "2026-11-13",
                              "omschrijving": "Studiedag team"})
    assert added.status_code == 303
    page = beheerder.get("/schoolkalender").text
    assert "13-11-2026" in page and "Studiedag team" in page and "Kerstvakantie" in page
    session.expire_all()
    assert school.school.holiday_region == "zuid"
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.school_id == school.school.id)))
    assert {"school.calendar_region", "school.day_off_add"} <= actions
    row = session.scalar(select(SchoolDayOff))
    assert _post(beheerder, {"school": school.school.id, "actie": "verwijderen", "dag": row.id}).status_code == 303
    assert session.scalar(select(SchoolDayOff)) is None


@pytest.mark.parametrize(("data", "message"), [
    ({"actie": "toevoegen", "datum": "13-11-2026", "omschrijving": "Studiedag"}, "Vul een geldige datum in"),
    ({"actie": "toevoegen", "datum": "2026-11-13", "omschrijving": " "}, "Geef de dag een omschrijving"),
    ({"actie": "toevoegen", "datum": "9999-11-13", "omschrijving": "x"}, "binnen vijf jaar"),
    ({"actie": "regio", "regio": "oost"}, "Kies een regio"),
    ({"actie": "verwijderen", "dag": "424242"}, "staat niet (meer) in de kalender"),
    ({"actie": "iets"}, "Onbekende handeling"),
])
def test_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(app, session, school, data, message):
    beheerder = WebUser(app, "beheer@testschool.test")
    response = _post(beheerder, {"school": school.school.id, **data})
    assert response.status_code == 422 and message in response.text
    if data.get("omschrijving", "").strip():
        assert f'value="{data["omschrijving"]}"' in response.text
    assert session.scalar(select(SchoolDayOff)) is None


def test_readers_see_no_forms_and_other_schools_get_nothing(app, session, services, school):
    other = setup_school(session, services, "fedra_2019", slug="andere")
    director = WebUser(app, "directeur@testschool.test")
    page = director.get("/schoolkalender")
    assert page.status_code == 200 and 'name="actie"' not in page.text and "andere" not in page.text
    assert _post(director, {"school": school.school.id, "actie": "regio", "regio": "zuid"}).status_code == 403
    beheerder = WebUser(app, "beheer@testschool.test")
    refused = _post(beheerder, {"school": other.school.id, "actie": "regio", "regio": "zuid"})
    assert refused.status_code == 404
    session.expire_all()
    assert other.school.holiday_region is None
    assert WebUser(app, "leerkracht@testschool.test").get("/schoolkalender").status_code == 403
