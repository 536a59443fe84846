"""The access matrix's world: school A with a case in progress, and school B.

Built once per backend and test module (`tests/web/conftest.py`), then restored into each test's
fresh database: the ~450 route × role cases would otherwise build it ~450 times.
"""
from __future__ import annotations

from dataclasses import dataclass

from tests.support.scenario import Scenario, hashed_test_password, setup_school
from webapp.audit.actor import Actor
from webapp.auth.models import Membership, User
from webapp.auth.policy import Policy
from webapp.cases import task_actions
from webapp.cases.dossier_actions import Upload, add_attachment
from webapp.modeler import drafts
from webapp.notifications.service import notify
from webapp.privacy.inzage import record_request
from webapp.roles import Role
from webapp.schools.models import Board

OWNER, OTHER_TEACHER, IB, DIRECTOR, BOARD, POLICY_OWNER, ADMIN, OTHER_SCHOOL = (
    "leerkracht-eigen-zaak", "leerkracht-andere", "intern-begeleider", "directeur",
    "bestuur", "beleidseigenaar", "beheerder", "ib-andere-school",
)

EMAILS = {
    OWNER: "leerkracht@school-a.test", IB: "ib@school-a.test", DIRECTOR: "directeur@school-a.test",
    BOARD: "bestuur@school-a.test", POLICY_OWNER: "beleid@school-a.test", ADMIN: "beheer@school-a.test",
    OTHER_TEACHER: "leerkracht2@school-a.test", OTHER_SCHOOL: "ib@school-b.test",
}


@dataclass(frozen=True)
class World:
    """School A with one case (first task done, a zorgteam task open, an attachment); school B."""

    case_id: int
    task_id: int
    attachment_id: int
    notification_id: int
    ib_id: int
    school_id: int
    inzage_id: int
    owner_id: int
    definition_id: int
    draft_id: int
    board_inzage_id: int  # a request addressed to the board, recorded by its board member
    board_id: int  # school A's board (school A its only school: A's diagram managers manage its routes)

    @classmethod
    def build(cls, session, services, database) -> World:
        school_a = setup_school(session, services, "basismodel_2019", slug="school-a")
        setup_school(session, services, "basismodel_2019", slug="school-b")
        board = Board(name="Stichting A")
        session.add(board)
        session.flush()
        school_a.school.board_id = board.id
        other_teacher = User(email=EMAILS[OTHER_TEACHER], display_name="Andere Leerkracht",
                             password_hash=hashed_test_password(), active=True, created_at=services.now())
        session.add(other_teacher)
        session.flush()
        session.add(Membership(user_id=other_teacher.id, school_id=school_a.school.id, role=Role.LEERKRACHT))
        session.commit()
        scenario = Scenario.start(session, services, database, school_a)
        scenario.complete("Stap1_Signaleren", {"signalen_over_medewerker": False}, role=Role.LEERKRACHT)
        ib_id = school_a.users[Role.INTERN_BEGELEIDER]
        task_id = scenario.task("Stap1_ZorgDelen").id
        attachment_id = add_attachment(
            session, services, Actor(school_a.users[Role.LEERKRACHT]), case_id=scenario.case_id,
            upload=Upload("verslag.pdf", "application/pdf", b"%PDF-1.4"),
        ).id
        notification_id = notify(
            session, [session.get(User, ib_id)], kind="herinnering", title="Herinnering", body="Taak open",
            at=services.now(), school_id=school_a.school.id, case_id=scenario.case_id, case_task_id=task_id,
        )[0].id
        session.commit()
        inzage_id = record_request(
            session, services, Actor(ib_id), Policy.for_user(session, ib_id), school_id=school_a.school.id,
            pupil_name="Sam", date_of_birth="2017-03-14", requested_by="moeder", requested_on="2026-03-02").id
        board_id = school_a.users[Role.BESTUUR]
        board_inzage_id = record_request(
            session, services, Actor(board_id), Policy.for_user(session, board_id), school_id=school_a.school.id,
            pupil_name="Sam", date_of_birth="2017-03-14", requested_by="vader", requested_on="2026-03-02").id
        definition = school_a.definitions["meldcode"]
        draft, _ = drafts.new_draft(session, services.forms, Actor(school_a.users[Role.BELEIDSEIGENAAR]),
                                    Policy.for_user(session, school_a.users[Role.BELEIDSEIGENAAR]),
                                    definition_id=definition.id, now=services.now())
        return cls(scenario.case_id, task_id, attachment_id, notification_id, ib_id, school_a.school.id, inzage_id,
                   school_a.users[Role.LEERKRACHT], definition.id, draft.id, board_inzage_id, board.id)

    def url(self, path: str) -> str:
        return path.format(case=self.case_id, task=self.task_id, attachment=self.attachment_id,
                           notification=self.notification_id, school=self.school_id, inzage=self.inzage_id,
                           owner=self.owner_id, definition=self.definition_id, draft=self.draft_id,
                           board_inzage=self.board_inzage_id, board=self.board_id)

    def claim_task_by_ib(self, session, services) -> None:
        task_actions.claim_task(session, services, Actor(self.ib_id), task_id=self.task_id)
