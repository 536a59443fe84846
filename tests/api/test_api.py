"""The JSON API through the Flask test client; every answer is checked against /api/v1/openapi.json."""
from __future__ import annotations

import re
import threading

import pytest
from openapi_spec_validator import validate as validate_openapi
from sqlalchemy import func, select

from tests.support.api import ApiUser
from tests.support.scenario import setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.cases.models import Case, CaseEvent, CaseTask, TaskStatus
from webapp.schools.models import Pupil

SIGNALEREN = {"datum_signalering": "2026-03-02", "situatie": "In de klas, tijdens rekenen",
              "bron_vermoeden": "zelf", "signalen": ["letsel"], "beschrijving": "Blauwe plek op de arm",
              "signalen_over_medewerker": False}
PUPIL = {"naam": "Sam de Vries", "groep": "5", "geboortedatum": "2017-03-14"}


def start_case(user: ApiUser, school, **pupil) -> dict:
    route = school.definitions["meldcode"].id
    response = user.post("/api/v1/zaken", {"route": route, "leerling": {**PUPIL, **pupil}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


# -- the document ------------------------------------------------------------------------------


def test_openapi_document_is_valid_and_describes_every_api_route(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    validate_openapi(document)
    assert document["openapi"].startswith("3.1")
    api_routes = {(re.sub(r"<int:(\w+)>", r"{\1}", rule.rule), method.lower())
                  for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert api_routes == documented
    completing = document["paths"]["/api/v1/taken/{task_id}/afronden"]["post"]
    assert {"200", "403", "404", "409", "422"} <= set(completing["responses"])
    assert completing["security"] == [{"sessie": [], "csrf": []}]


# -- session ------------------------------------------------------------------------------------


def test_login_needs_the_csrf_token_and_is_audited(app, school, session):
    user = ApiUser(app)
    anonymous = user.get("/api/v1/sessie").get_json()
    assert anonymous["ingelogd"] is False and anonymous["gebruiker"] is None
    no_token = user.post("/api/v1/sessie", {"email": "leerkracht@testschool.test", "wachtwoord": "x"}, csrf=False)
    assert no_token.status_code == 400 and "X-CSRFToken" in no_token.get_json()["fout"]

    wrong = user.login("leerkracht@testschool.test", "fout")
    assert wrong.status_code == 401 and wrong.get_json() == {"fout": "E-mailadres, wachtwoord of code onjuist."}
    assert count(session, AuditEntry, AuditEntry.action == "auth.login_failed") == 1

    right = user.login("leerkracht@testschool.test")
    body = right.get_json()
    assert body["ingelogd"] is True and body["gebruiker"]["email"] == "leerkracht@testschool.test"
    assert body["gebruiker"]["rollen"][0]["rol"] == "leerkracht"
    assert body["csrf_token"] != anonymous["csrf_token"]  # a fresh session on login
    assert user.get("/api/v1/taken").status_code == 200

    assert user.delete("/api/v1/sessie").get_json()["ingelogd"] is False
    assert user.get("/api/v1/taken").status_code == 401
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["auth.login", "tasklist.view", "auth.logout"]


def test_login_throttling_is_shared_with_the_login_page(app, school, clock):
    api = ApiUser(app)
    for _ in range(3):
        assert api.login("leerkracht@testschool.test", "fout").status_code == 401
    page = WebUser(app)
    for _ in range(2):
        page.login("leerkracht@testschool.test", "fout")
    blocked = api.login("leerkracht@testschool.test")  # even the right password
    assert blocked.status_code == 429 and "Te veel mislukte pogingen" in blocked.get_json()["fout"]
    assert "Te veel mislukte pogingen" in page.login("leerkracht@testschool.test").text
    clock.advance(minutes=16)
    assert api.login("leerkracht@testschool.test").status_code == 200


def test_anonymous_requests_get_401_in_json(app, school):
    user = ApiUser(app)
    for path in ("/api/v1/taken", "/api/v1/taken/1", "/api/v1/zaken/1", "/api/v1/routes"):
        response = user.get(path)
        assert response.status_code == 401 and "niet ingelogd" in response.get_json()["fout"]
    assert user.post("/api/v1/zaken", {"route": 1}).status_code == 401


# -- the main flow ------------------------------------------------------------------------------


def test_teacher_reports_a_concern_and_completes_the_first_task(teacher, coordinator, school, session):
    routes = teacher.get("/api/v1/routes").get_json()["routes"]
    assert [r["sleutel"] for r in routes] == ["meldcode"]
    started = start_case(teacher, school)
    assert started["referentie"].startswith("2026-") and started["status"] == "open"
    task_id = started["eerste_taak_id"]

    task = teacher.get(f"/api/v1/taken/{task_id}").get_json()
    assert task["naam"] == "Stap 1: observeren en signalen vastleggen" and task["mag_werken"] is True
    assert "Breng de signalen" in task["toelichting"]
    fields = {f["naam"]: f for f in task["formulier"]["velden"]}
    assert fields["signalen_over_medewerker"]["type"] == "boolean" and fields["signalen_over_medewerker"]["verplicht"]
    assert {"waarde": "letsel", "label": fields["signalen"]["opties"][0]["label"]} in fields["signalen"]["opties"]

    done = teacher.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": SIGNALEREN})
    assert done.status_code == 200
    assert done.get_json() == {"taak_id": task_id, "status": "completed", "zaak_id": started["id"],
                               "volgende_taak_id": None}  # the next step is the zorgteam's
    stored = session.get(CaseTask, task_id)
    assert stored.status == TaskStatus.COMPLETED and stored.data["beschrijving"] == "Blauwe plek op de arm"

    case = teacher.get(f"/api/v1/zaken/{started['id']}").get_json()
    assert [t["stap"] for t in case["open_taken"]] == ["Stap1_ZorgDelen"]
    assert case["open_taken"][0]["termijn"] is None or case["open_taken"][0]["termijn"].startswith("2026-")
    assert case["leerling"] == {"naam": "Sam de Vries", "groep": "5"}
    completed = next(e for e in case["tijdlijn"] if e["soort"] == "task_completed")
    assert {"label": completed["antwoorden"][0]["label"], "tekst": "02-03-2026", "bijlage_ids": []} \
        in completed["antwoorden"]
    assert any(a["tekst"] == "Blauwe plek op de arm" for a in completed["antwoorden"])

    role_list = coordinator.get("/api/v1/taken?lijst=rol").get_json()
    assert [t["stap"] for t in role_list["taken"]] == ["Stap1_ZorgDelen"]
    assert role_list["taken"][0]["leerling"] == {"naam": "Sam de Vries", "groep": "5"}
    assert coordinator.get("/api/v1/taken?lijst=mijn").get_json()["taken"] == []
    assert coordinator.get("/api/v1/taken?lijst=rol&termijn=verlopen").get_json()["taken"] == []


def test_reads_and_changes_are_audited_like_the_html_side(teacher, school, session):
    started = start_case(teacher, school)
    teacher.get(f"/api/v1/taken/{started['eerste_taak_id']}")
    teacher.put(f"/api/v1/taken/{started['eerste_taak_id']}/concept", {"waarden": {"situatie": "half"}})
    teacher.get(f"/api/v1/zaken/{started['id']}")
    entries = session.scalars(select(AuditEntry).where(AuditEntry.case_id == started["id"])
                              .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["case.start", "task.view", "task.save_draft", "case.view"]
    assert entries[1].school_id == school.school.id
    assert all(e.detail["via"] == "api" for e in entries), [(e.action, e.detail) for e in entries]


def test_changes_through_the_api_are_marked_via_api_and_those_through_the_pages_are_not(app, teacher, school,
                                                                                           session):
    """The shared case service writes these entries; the API request around it marks them."""
    api_task = start_case(teacher, school)["eerste_taak_id"]
    teacher.post(f"/api/v1/taken/{api_task}/afronden", {"waarden": SIGNALEREN})

    page = WebUser(app, "leerkracht@testschool.test")
    started = page.post("/zaken/nieuw", {"route": str(school.definitions["meldcode"].id), "naam": "Noor Bakker",
                                         "groep": "6", "geboortedatum": "2016-05-01"}, token_from="/zaken/nieuw")
    assert started.status_code == 303, started.text
    page_task = int(started.headers["Location"].rstrip("/").split("/")[-1])
    completed = page.post(f"/taken/{page_task}", {**SIGNALEREN, "signalen_over_medewerker": "nee",
                                                  "actie": "afronden"}, token_from=f"/taken/{page_task}")
    assert completed.status_code == 303, completed.text

    def changes_of(task_id: int) -> dict[str, dict | None]:
        task = session.get(CaseTask, task_id)
        return {e.action: e.detail for e in session.scalars(select(AuditEntry).where(
            AuditEntry.case_id == task.case_id, AuditEntry.action.in_(["case.start", "task.complete"])))}

    session.expire_all()
    through_api, through_pages = changes_of(api_task), changes_of(page_task)
    assert set(through_api) == set(through_pages) == {"case.start", "task.complete"}
    assert all(detail["via"] == "api" for detail in through_api.values()), through_api
    assert all("via" not in (detail or {}) for detail in through_pages.values()), through_pages
    logins = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "auth.login")
                             .order_by(AuditEntry.id)).all()
    assert [(d or {}).get("via") for d in logins] == ["api", None]


def test_an_existing_pupil_is_found_by_name_and_date_of_birth_within_the_routes_school(teacher, school, session):
    sam = school.pupils["Sam"]
    response = teacher.post("/api/v1/zaken", {"route": school.definitions["meldcode"].id,
                                              "leerling": {"naam": "sam", "groep": "6", "geboortedatum": "2017-03-14"}})
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v1/zaken/{response.get_json()['id']}"
    assert session.get(Case, response.get_json()["id"]).pupil_id == sam.id
    session.expire_all()
    # the group others' cases show is not the starter's to change (issue 14 item 8)
    assert session.get(Pupil, sam.id).group_name == sam.group_name != "6"
    assert count(session, Pupil) == 1


def test_a_pupil_id_cannot_be_used_to_reach_a_pupil(teacher, school, session):
    """Whoever may start cases must not be able to pick any pupil of the school by id and then
    read who it is in the case; the pupil is only found from details the reporter already knows."""
    route = school.definitions["meldcode"].id
    sam = school.pupils["Sam"]
    cases_before, pupils_before = count(session, Case), count(session, Pupil)
    for body in ({"route": route, "leerling_id": sam.id},
                 {"route": route, "leerling_id": sam.id, "leerling": {**PUPIL, "naam": "Iemand Anders"}}):
        response = teacher.post("/api/v1/zaken", body)
        assert response.status_code == 422, body
        assert response.get_json()["errors"]["leerling_id"] == ["Onbekend veld."], response.get_json()
        assert "Sam" not in response.text
    assert (count(session, Case), count(session, Pupil)) == (cases_before, pupils_before)
    assert count(session, AuditEntry, AuditEntry.action == "case.start") == 0
    document = teacher.get("/api/v1/openapi.json").get_json()
    assert "leerling_id" not in str(document)


def test_claim_moves_a_task_to_my_list_and_release_gives_it_back(app, teacher, coordinator, school, session):
    task_id = start_case(teacher, school)["eerste_taak_id"]
    teacher.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": SIGNALEREN})
    zorgteam_id = coordinator.get("/api/v1/taken?lijst=rol").get_json()["taken"][0]["id"]
    claimed = coordinator.post(f"/api/v1/taken/{zorgteam_id}/oppakken")
    assert claimed.get_json() == {"taak_id": zorgteam_id, "opgepakt_door_mij": True}
    assert [t["id"] for t in coordinator.get("/api/v1/taken?lijst=mijn").get_json()["taken"]] == [zorgteam_id]
    director = ApiUser(app, "directeur@testschool.test")
    assert director.get("/api/v1/taken?lijst=rol").get_json()["taken"] == []
    taken = director.post(f"/api/v1/taken/{zorgteam_id}/oppakken")
    assert taken.status_code == 409 and "opgepakt" in taken.get_json()["fout"]
    assert teacher.post(f"/api/v1/taken/{zorgteam_id}/vrijgeven").status_code == 403
    released = coordinator.post(f"/api/v1/taken/{zorgteam_id}/vrijgeven")
    assert released.get_json() == {"taak_id": zorgteam_id, "opgepakt_door_mij": False}
    session.expire_all()
    assert session.get(CaseTask, zorgteam_id).claimed_by_id is None


def test_draft_is_kept_and_read_back(teacher, school, session):
    task_id = start_case(teacher, school)["eerste_taak_id"]
    saved = teacher.put(f"/api/v1/taken/{task_id}/concept", {"waarden": {"situatie": "Half ingevuld",
                                                                          "signalen": "geen lijst"}})
    assert saved.status_code == 200  # a draft may be incomplete or invalid; completing checks it
    assert teacher.get(f"/api/v1/taken/{task_id}").get_json()["concept"] == {
        "situatie": "Half ingevuld", "signalen": ["geen lijst"]}  # kept in the field type's shape
    assert session.get(CaseTask, task_id).status == TaskStatus.OPEN


def test_a_draft_is_shown_only_to_whoever_may_work_on_the_task(app, teacher, coordinator, school, session):
    """As on the task page: who may only look at a task does not see a colleague's draft."""
    task_id = start_case(teacher, school)["eerste_taak_id"]
    teacher.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": SIGNALEREN})
    zorgteam_id = coordinator.get("/api/v1/taken?lijst=rol").get_json()["taken"][0]["id"]
    assert coordinator.post(f"/api/v1/taken/{zorgteam_id}/oppakken").status_code == 200
    assert coordinator.put(f"/api/v1/taken/{zorgteam_id}/concept",
                           {"waarden": {"datum_besproken": "2026-03-02"}}).status_code == 200
    assert coordinator.get(f"/api/v1/taken/{zorgteam_id}").get_json()["concept"] == {
        "datum_besproken": "2026-03-02"}
    onlooker = teacher.get(f"/api/v1/taken/{zorgteam_id}").get_json()
    assert onlooker["mag_werken"] is False and onlooker["concept"] is None
    director = ApiUser(app, "directeur@testschool.test")
    claimed_by_colleague = director.get(f"/api/v1/taken/{zorgteam_id}")
    assert claimed_by_colleague.status_code == 200
    assert claimed_by_colleague.get_json()["concept"] is None


# -- refusals -----------------------------------------------------------------------------------


def test_invalid_completion_gives_field_errors_and_changes_nothing(teacher, school, session):
    task_id = start_case(teacher, school)["eerste_taak_id"]
    response = teacher.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": {
        **SIGNALEREN, "beschrijving": "", "signalen": ["bestaat-niet"], "datum_signalering": "31-02-2026"}})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["beschrijving"] == ["Dit veld is verplicht."]
    assert errors["datum_signalering"] == ["Vul een geldige datum in (dd-mm-jjjj)."]
    assert "signalen" in errors
    unknown = teacher.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": {**SIGNALEREN, "hack": 1}})
    assert unknown.status_code == 422 and unknown.get_json()["errors"] == {"waarden.hack": ["Onbekend veld."]}
    assert session.get(CaseTask, task_id).status == TaskStatus.OPEN
    assert count(session, CaseEvent, CaseEvent.kind == "task_completed") == 0


def test_double_complete_is_409_and_happens_once(teacher, school, session):
    task_id = start_case(teacher, school)["eerste_taak_id"]
    first = teacher.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": SIGNALEREN})
    second = teacher.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": {**SIGNALEREN, "beschrijving": "anders"}})
    assert first.status_code == 200 and second.status_code == 409
    assert "al afgerond" in second.get_json()["fout"]
    assert session.get(CaseTask, task_id).data["beschrijving"] == "Blauwe plek op de arm"
    assert count(session, CaseEvent, CaseEvent.kind == "task_completed") == 1
    late_draft = teacher.put(f"/api/v1/taken/{task_id}/concept", {"waarden": {"situatie": "x"}})
    assert late_draft.status_code == 409


def test_two_clients_completing_at_once_one_wins(app, school, session):
    teacher, coordinator = ApiUser(app, "leerkracht@testschool.test"), ApiUser(app, "ib@testschool.test")
    task_id = start_case(teacher, school)["eerste_taak_id"]
    barrier = threading.Barrier(2)
    statuses = {}

    def complete(name, user):
        barrier.wait()
        statuses[name] = user.post(f"/api/v1/taken/{task_id}/afronden",
                                   {"waarden": {**SIGNALEREN, "beschrijving": name}}).status_code

    threads = [threading.Thread(target=complete, args=item)
               for item in (("leerkracht", teacher), ("ib", coordinator))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses.values()) == [200, 409]
    winner = next(name for name, status in statuses.items() if status == 200)
    assert session.get(CaseTask, task_id).data["beschrijving"] == winner
    assert count(session, CaseEvent, CaseEvent.kind == "task_completed") == 1


def test_a_task_of_another_lane_is_403_and_unchanged(teacher, school, session):
    task_id = start_case(teacher, school)["eerste_taak_id"]
    teacher.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": SIGNALEREN})
    zorgteam = session.scalar(select(CaseTask).where(CaseTask.status == TaskStatus.OPEN))
    assert teacher.get(f"/api/v1/taken/{zorgteam.id}").get_json()["mag_werken"] is False
    refused = teacher.post(f"/api/v1/taken/{zorgteam.id}/afronden", {"waarden": {"datum_besproken": "2026-03-02"}})
    assert refused.status_code == 403
    assert teacher.put(f"/api/v1/taken/{zorgteam.id}/concept", {"waarden": {}}).status_code == 403
    session.expire_all()
    stored = session.get(CaseTask, zorgteam.id)
    assert stored.status == TaskStatus.OPEN and stored.draft is None


def test_another_school_sees_and_changes_nothing(app, teacher, school, session, services):
    started = start_case(teacher, school)
    task_id = started["eerste_taak_id"]
    setup_school(session, services, "basismodel_2019", slug="andere")
    outsider = ApiUser(app, "ib@andere.test")
    assert outsider.get(f"/api/v1/zaken/{started['id']}").status_code == 404
    assert outsider.get(f"/api/v1/taken/{task_id}").status_code == 404
    assert outsider.put(f"/api/v1/taken/{task_id}/concept", {"waarden": {"situatie": "x"}}).status_code == 404
    assert outsider.post(f"/api/v1/taken/{task_id}/afronden", {"waarden": SIGNALEREN}).status_code == 404
    assert outsider.get("/api/v1/taken?lijst=rol").get_json()["taken"] == []
    other_route = outsider.post("/api/v1/zaken", {"route": school.definitions["meldcode"].id, "leerling": PUPIL})
    assert other_route.status_code == 422 and other_route.get_json()["errors"] == {"route": ["Kies een route."]}
    # The same name and date of birth at their own school is a pupil of their own school, not ours.
    own_route = outsider.get("/api/v1/routes").get_json()["routes"][0]["id"]
    namesake = outsider.post("/api/v1/zaken", {"route": own_route, "leerling": PUPIL})
    assert namesake.status_code == 201
    namesake_case = session.get(Case, namesake.get_json()["id"])
    assert namesake_case.pupil_id != school.pupils["Sam"].id
    assert session.get(Pupil, namesake_case.pupil_id).school_id == namesake_case.school_id != school.school.id
    stored = session.get(CaseTask, task_id)
    assert stored.status == TaskStatus.OPEN and stored.draft is None
    assert count(session, Case, Case.school_id == school.school.id) == 1


def test_start_case_refuses_incomplete_input(teacher, school, session):
    route = school.definitions["meldcode"].id
    cases = [
        ({"leerling": PUPIL}, {"route": ["Dit veld is verplicht."]}),
        ({"route": route}, {"leerling": ["Dit veld is verplicht."]}),
        ({"route": route, "leerling": {**PUPIL, "naam": " ", "geboortedatum": "1990-01-01"}},
         {"leerling.naam": ["Vul de naam van de leerling in."],
          "leerling.geboortedatum": ["Deze geboortedatum past niet bij een leerling."]}),
        ({"route": "1", "leerling": PUPIL}, {"route": ["Ongeldige waarde."]}),
        ({"route": route, "leerling": {"naam": "X"}},
         {"leerling.groep": ["Dit veld is verplicht."], "leerling.geboortedatum": ["Dit veld is verplicht."]}),
    ]
    for body, errors in cases:
        response = teacher.post("/api/v1/zaken", body)
        assert response.status_code == 422, body
        assert response.get_json()["errors"] == errors, body
    assert count(session, Case) == 0


def test_roles_without_case_rights_get_403(app, school):
    policy_owner = ApiUser(app, "beleid@testschool.test")
    assert policy_owner.get("/api/v1/routes").status_code == 403
    assert policy_owner.post("/api/v1/zaken", {"route": 1, "leerling": PUPIL}).status_code == 403


# -- odd input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/v1/taken/99999999999999999999", None),
    ("GET", "/api/v1/taken/2147483648", None),
    ("GET", "/api/v1/zaken/99999999999999999999", None),
    ("POST", "/api/v1/taken/99999999999999999999/afronden", {"waarden": {}}),
    ("PUT", "/api/v1/taken/-1/concept", {"waarden": {}}),
    ("GET", "/api/v1/zaken/١٢", None),
])
def test_impossible_ids_are_404(teacher, school, method, path, body):
    assert teacher.request(method, path, body).status_code == 404


@pytest.mark.parametrize("query", ["school=99999999999999999999", "school=²", "school=abc", "lijst=alles",
                                   "termijn=morgen", "sorteer=x", "stap=" + "x" * 400])
def test_odd_list_filters_are_422(teacher, school, query):
    response = teacher.get(f"/api/v1/taken?{query}")
    assert response.status_code == 422 and response.get_json()["errors"]


@pytest.mark.parametrize("raw, content_type", [
    ("niet json", "text/plain"), ("{kapot", "application/json"), ("[1, 2]", "application/json"),
    ("null", "application/json"), ('"tekst"', "application/json"), ("", "application/json"),
])
def test_bodies_that_are_no_json_object_are_400(teacher, school, raw, content_type):
    task_id = start_case(teacher, school)["eerste_taak_id"]
    for method, path in (("POST", f"/api/v1/taken/{task_id}/afronden"), ("PUT", f"/api/v1/taken/{task_id}/concept"),
                         ("POST", "/api/v1/zaken")):
        response = teacher.request(method, path, raw=raw, content_type=content_type)
        assert response.status_code == 400 and "JSON" in response.get_json()["fout"]


@pytest.mark.parametrize("body", [
    {"waarden": []}, {"waarden": "x"}, {"waarden": None}, {}, {"waarden": {}, "extra": 1},
    {"waarden": {"signalen": {"a": 1}, "datum_signalering": 20260302, "signalen_over_medewerker": "misschien",
                 "beschrijving": ["lijst"], "situatie": 10**40}},
])
def test_wrong_types_are_422_with_dutch_messages(teacher, school, session, body):
    task_id = start_case(teacher, school)["eerste_taak_id"]
    response = teacher.post(f"/api/v1/taken/{task_id}/afronden", body)
    assert response.status_code == 422
    messages = [m for ms in response.get_json()["errors"].values() for m in ms]
    assert messages and not any(word in m for m in messages for word in ("Not a", "Missing", "Unknown", "Invalid"))
    assert session.get(CaseTask, task_id).status == TaskStatus.OPEN


def test_wrong_method_and_unknown_path_answer_in_json(teacher, school):
    assert teacher.client.patch("/api/v1/zaken", headers={"X-CSRFToken": teacher.csrf_token}).status_code == 405
    missing = teacher.client.get("/api/v1/bestaat-niet")
    assert missing.status_code == 404 and "fout" in missing.get_json()


def test_html_pages_do_not_fail_on_huge_or_odd_ids(app, school):
    page = WebUser(app, "ib@testschool.test")
    assert page.get("/taken/99999999999999999999").status_code == 404
    assert page.get("/zaken/2147483648").status_code == 404
    assert page.get("/taken?lijst=rol&school=99999999999999999999").status_code == 200
    assert page.get("/taken?lijst=rol&school=²").status_code == 200
