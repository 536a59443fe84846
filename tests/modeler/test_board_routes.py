"""A board's own routes (a board-wide variant): who may make and publish them, and which cases start on them.

Board "Een" has school A (fasenmodel: opvoedproblemen, huiselijk geweld) and school B (basismodel:
meldcode); board "Twee" has school C. The board adopts A's opvoedproblemen as its own route: B,
which has no route of that key, starts its cases on the board's newest version; A keeps its own.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.engine.test_import_validation import FORM, diagram
from tests.modeler.test_drafts import ONE_TASK
from tests.support.api import ApiUser
from tests.support.scenario import hashed_test_password, setup_school
from tests.support.web import WebUser
from webapp.audit.actor import Actor
from webapp.audit.models import AuditEntry
from webapp.auth.models import Membership, User
from webapp.auth.policy import Action, Policy
from webapp.cases.errors import NotPossibleNow
from webapp.cases.lifecycle import start_case
from webapp.cases.models import Case
from webapp.cases.starting import (
    PupilDetails,
    start_reported_case,
    startable_definitions,
)
from webapp.definitions.models import ProcessDefinition
from webapp.modeler import drafts
from webapp.roles import Role
from webapp.schools.models import Board
from webapp.tasks.listing import filter_options

TWO_TASKS = ONE_TASK.replace('targetRef="End_1"/>', 'targetRef="Task_2"/>').replace(
    '<bpmn:endEvent id="End_1"/>',
    f'<bpmn:userTask id="Task_2" name="Nog een besluit" meldroute:formKey="{FORM}"/>'
    '<bpmn:sequenceFlow id="Flow_3" sourceRef="Task_2" targetRef="End_1"/><bpmn:endEvent id="End_1"/>')


@pytest.fixture
def boards(session, services):
    a = setup_school(session, services, "fasenmodel", slug="a")
    b = setup_school(session, services, "basismodel_2019", slug="b")
    c = setup_school(session, services, "basismodel_2019", slug="c")
    een, twee = Board(name="Een"), Board(name="Twee")
    session.add_all([een, twee])
    session.flush()
    a.school.board_id = b.school.board_id = een.id
    c.school.board_id = twee.id
    board_owner = User(email="beleid@een.test", display_name="Beleid Een", password_hash=hashed_test_password(),
                       active=True, created_at=services.now())
    session.add(board_owner)
    session.flush()
    session.add_all(Membership(user_id=board_owner.id, school_id=s.school.id, role=Role.BELEIDSEIGENAAR)
                    for s in (a, b))
    session.commit()
    return {"a": a, "b": b, "c": c, "een": een.id, "owner": board_owner.id}


def board_draft(session, services, user_id, board_id, from_definition):
    return drafts.new_board_draft(session, services.forms, Actor(user_id), Policy.for_user(session, user_id),
                                  board_id=board_id, from_definition_id=from_definition.id, now=services.now())


def save_and_publish(session, services, user_id, draft, bpmn: bytes, note: str):
    policy = Policy.for_user(session, user_id)
    saved, check = drafts.save_draft(session, services.forms, Actor(user_id), policy, draft_id=draft.id,
                                     bpmn=bpmn, revision=draft.revision, now=services.now())
    assert check.ok, check.errors
    return drafts.publish_draft(session, services.forms, Actor(user_id), policy, draft_id=saved.id,
                                revision=saved.revision, note=note, now=services.now())


def board_route(session, boards) -> ProcessDefinition:
    return session.scalar(select(ProcessDefinition).where(ProcessDefinition.board_id == boards["een"]))


def start_at(session, services, setup, routes, definition):
    """Start a case as the school's teacher on `definition`, for the school's pupil Sam."""
    return start_reported_case(session, services, Actor(setup.users[Role.LEERKRACHT]), definitions=routes,
                               route_id=definition.id, pupil=PupilDetails("Sam", "5", "2017-03-14"))


def startable(session, setup):
    return startable_definitions(session, Policy.for_user(session, setup.users[Role.LEERKRACHT]))


def test_the_policy_lets_only_who_manages_diagrams_at_every_school_of_the_board(session, boards):
    schools = [boards["a"].school.id, boards["b"].school.id]
    assert Policy.for_user(session, boards["owner"]).may_for_board(Action.MANAGE_DIAGRAMS, schools)
    assert not Policy.for_user(session, boards["a"].users[Role.BELEIDSEIGENAAR]).may_for_board(
        Action.MANAGE_DIAGRAMS, schools)
    assert not Policy.for_user(session, boards["a"].users[Role.DIRECTEUR]).may_for_board(
        Action.MANAGE_DIAGRAMS, schools[:1])
    assert not Policy.for_user(session, boards["owner"]).may_for_board(Action.MANAGE_DIAGRAMS, [])


def test_a_board_route_is_drafted_and_published_by_its_owner_and_audited_as_the_boards(session, services, boards):
    a = boards["a"]
    draft, check = board_draft(session, services, boards["owner"], boards["een"], a.definitions["opvoedproblemen"])
    assert (draft.board_id, draft.school_id) == (boards["een"], None) and check.ok
    version = save_and_publish(session, services, boards["owner"], draft, diagram(ONE_TASK), "Voor het bestuur")
    route = board_route(session, boards)
    assert (route.route_key, route.school_id, route.published_version_id) == ("opvoedproblemen", None, version.id)
    assert version.number == 1
    for action in ("diagram.draft_create", "diagram.draft_save", "diagram.publish"):
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == action))
        assert (entry.school_id, entry.detail["board_id"]) == (None, boards["een"]), action


def test_others_are_refused_and_the_refusal_is_on_record(session, services, boards):
    a, c = boards["a"], boards["c"]
    draft, _ = board_draft(session, services, boards["owner"], boards["een"], a.definitions["opvoedproblemen"])
    for outsider in (a.users[Role.BELEIDSEIGENAAR], a.users[Role.BEHEERDER], c.users[Role.BELEIDSEIGENAAR]):
        with pytest.raises(drafts.NotAllowedHere):
            board_draft(session, services, outsider, boards["een"], a.definitions["opvoedproblemen"])
        with pytest.raises(drafts.DraftNotFound):
            drafts.save_draft(session, services.forms, Actor(outsider), Policy.for_user(session, outsider),
                              draft_id=draft.id, bpmn=diagram(ONE_TASK), revision=1, now=services.now())
    refusals = session.scalars(select(AuditEntry).where(AuditEntry.action == "diagram.refused")).all()
    assert len(refusals) == 6
    assert {(r.school_id, r.detail["board_id"]) for r in refusals} == {(None, boards["een"])}
    assert draft.revision == 1 and board_route(session, boards).published_version_id is None


def test_a_school_without_its_own_route_starts_on_the_boards_newest_version(session, services, boards):
    a, b = boards["a"], boards["b"]
    draft, _ = board_draft(session, services, boards["owner"], boards["een"], a.definitions["opvoedproblemen"])
    save_and_publish(session, services, boards["owner"], draft, diagram(ONE_TASK), "Eerste versie")
    route = board_route(session, boards)

    at_b = startable(session, b)
    assert sorted((r.route_key, r.id) for r in at_b) == sorted([("meldcode", b.definitions["meldcode"].id),
                                                               ("opvoedproblemen", route.id)])
    running = start_at(session, services, b, at_b, route)
    assert (running.school_id, running.definition_id, running.process_version.number) == (b.school.id, route.id, 1)

    # A has its own opvoedproblemen: it keeps it, and the board's route cannot start there.
    at_a = startable(session, a)
    assert {r.id for r in at_a} == {d.id for d in a.definitions.values()}
    with pytest.raises(NotPossibleNow):
        start_case(session, services, Actor(a.users[Role.LEERKRACHT]), definition_id=route.id,
                   pupil_id=a.pupils["Sam"].id)
    # Nor at a school of another board.
    assert route.id not in {r.id for r in startable(session, boards["c"])}
    with pytest.raises(NotPossibleNow):
        start_case(session, services, Actor(boards["c"].users[Role.LEERKRACHT]), definition_id=route.id,
                   pupil_id=boards["c"].pupils["Sam"].id)

    # A new board version: the running case keeps version 1, a new case starts on version 2.
    second, _ = drafts.new_draft(session, services.forms, Actor(boards["owner"]),
                                 Policy.for_user(session, boards["owner"]), definition_id=route.id,
                                 now=services.now(), bpmn=diagram(TWO_TASKS), filename="twee.bpmn")
    assert second.board_id == boards["een"]
    v2 = drafts.publish_draft(session, services.forms, Actor(boards["owner"]), Policy.for_user(session, boards["owner"]),
                              draft_id=second.id, revision=second.revision, note="Tweede besluit", now=services.now())
    assert v2.number == 2
    session.expire_all()
    assert session.get(Case, running.id).process_version.number == 1
    newer = start_at(session, services, b, startable(session, b), route)
    assert (newer.school_id, newer.process_version.number) == (b.school.id, 2)


def test_a_route_belongs_to_exactly_one_school_or_board(session, boards):
    for owner in ({}, {"school_id": boards["a"].school.id, "board_id": boards["een"]}):
        session.add(ProcessDefinition(route_key="dubbel", name="Dubbel", **owner))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_the_pages_show_the_board_section_to_whom_may_and_refuse_the_others(app, session, services, boards):
    a = boards["a"]
    source = a.definitions["opvoedproblemen"]
    owner = WebUser(app, "beleid@een.test")
    index = owner.get("/diagrammen")
    assert "Bestuur Een" in index.text and f"/diagrammen/besturen/{boards['een']}/concepten" in index.text
    created = owner.post(f"/diagrammen/besturen/{boards['een']}/concepten", {"van": str(source.id)},
                         token_from="/diagrammen")
    assert created.status_code == 303
    draft_url = created.headers["Location"]
    assert owner.get(draft_url).status_code == 200
    content = owner.get(f"{draft_url}/inhoud.json").get_json()
    assert {f["key"].split("/")[0] for f in content["formulieren"]} >= {"fasenmodel", "basismodel_2019"}

    school_owner = WebUser(app, "beleid@a.test")
    assert f"/diagrammen/besturen/{boards['een']}/concepten" not in school_owner.get("/diagrammen").text
    assert school_owner.post(f"/diagrammen/besturen/{boards['een']}/concepten", {"van": str(source.id)},
                             token_from="/diagrammen").status_code == 403
    assert school_owner.get(draft_url).status_code == 404
    other_board = WebUser(app, "beleid@c.test")
    assert "Bestuur Een" not in other_board.get("/diagrammen").text
    assert other_board.post(f"/diagrammen/besturen/{boards['een']}/concepten", {"van": str(source.id)},
                            token_from="/diagrammen").status_code == 404
    assert other_board.get(draft_url).status_code == 404
    route_id = board_route(session, boards).id
    assert other_board.get(f"/diagrammen/{route_id}").status_code == 404
    # A member of a school of the board sees the board's route (not its drafts); the download is refused.
    teacher = WebUser(app, "leerkracht@b.test")
    assert teacher.get(f"/diagrammen/{route_id}").status_code == 200
    assert teacher.get(f"/diagrammen/{route_id}/verschil").status_code == 403
    refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "diagram.refused")).all()
    # the two posts, the two draft reads, the other board's read of the route and the diff: six
    assert len(refused) == 6 and all(r.detail["board_id"] == boards["een"] for r in refused)
    assert sum(r.detail.get("attempted") == "view" for r in refused) == 1


def test_a_reporter_at_two_schools_of_the_board_picks_the_school_of_the_board_route(app, session, services, boards):
    """The board's route is offered once per school without its own; the case is the chosen school's."""
    d = setup_school(session, services, "basismodel_2019", slug="d")
    d.school.board_id = boards["een"]
    b = boards["b"]
    session.add(Membership(user_id=b.users[Role.INTERN_BEGELEIDER], school_id=d.school.id,
                           role=Role.INTERN_BEGELEIDER))
    # A school joined the board: its routes are the board owner's again once they hold the role there.
    assert not Policy.for_user(session, boards["owner"]).may_for_board(
        Action.MANAGE_DIAGRAMS, [boards["a"].school.id, b.school.id, d.school.id])
    session.add(Membership(user_id=boards["owner"], school_id=d.school.id, role=Role.BELEIDSEIGENAAR))
    session.commit()
    draft, _ = board_draft(session, services, boards["owner"], boards["een"], boards["a"].definitions["opvoedproblemen"])
    save_and_publish(session, services, boards["owner"], draft, diagram(ONE_TASK), "Eerste versie")
    route = board_route(session, boards)

    ib = WebUser(app, "ib@b.test")
    page = ib.get("/zaken/nieuw")
    assert f'value="{route.id}:{b.school.id}"' in page.text and f'value="{route.id}:{d.school.id}"' in page.text
    pupil = {"naam": "Noor", "groep": "3", "geboortedatum": "2019-05-01"}
    ambiguous = ib.post("/zaken/nieuw", {**pupil, "route": str(route.id)}, token_from="/zaken/nieuw")
    assert ambiguous.status_code == 422 and "kies de route bij de school van de leerling" in ambiguous.text
    started = ib.post("/zaken/nieuw", {**pupil, "route": f"{route.id}:{d.school.id}"}, token_from="/zaken/nieuw")
    assert started.status_code == 303
    case = session.scalar(select(Case).order_by(Case.id.desc()))
    assert (case.school_id, case.definition_id, case.pupil.school_id) == (d.school.id, route.id, d.school.id)

    api = ApiUser(app, "ib@b.test")
    offered = [(r["id"], r["school"]["id"]) for r in api.get("/api/v1/routes").get_json()["routes"]]
    assert (route.id, b.school.id) in offered and (route.id, d.school.id) in offered
    refused = api.post("/api/v1/zaken", {"route": route.id, "leerling": pupil})
    assert refused.status_code == 422
    by_api = api.post("/api/v1/zaken", {"route": route.id, "school": b.school.id, "leerling": pupil})
    assert by_api.status_code == 201
    assert session.get(Case, by_api.get_json()["id"]).school_id == b.school.id


def test_a_board_routes_cases_show_in_the_schools_task_filters_and_process_view(app, session, services, boards):
    b = boards["b"]
    draft, _ = board_draft(session, services, boards["owner"], boards["een"], boards["a"].definitions["opvoedproblemen"])
    save_and_publish(session, services, boards["owner"], draft, diagram(ONE_TASK), "Eerste versie")
    route = board_route(session, boards)
    start_at(session, services, b, startable(session, b), route)

    _, routes = filter_options(session, Policy.for_user(session, b.users[Role.INTERN_BEGELEIDER]))
    assert ("opvoedproblemen", route.name) in routes
    director = WebUser(app, "directeur@b.test")
    assert director.get(f"/monitor/proces?diagram={route.id}").status_code == 200
    position = director.get(f"/monitor/proces.json?diagram={route.id}").get_json()
    assert position["activiteiten"]["Task_1"]["aantal"] == 1
    assert "school=b" in position["activiteiten"]["Task_1"]["link"]
    assert WebUser(app, "directeur@c.test").get(f"/monitor/proces.json?diagram={route.id}").status_code == 404
