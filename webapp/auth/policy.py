"""The authorization policy: the one place that says who may do what, on which school, case or task.

Every page and API endpoint asks this module — never its own `if role == …`. Lists are built with
the policy's SQL filters, so a query cannot return another school's rows by a forgotten check, and
single records are fetched through `visible_case`/`visible_task`, which answer None (→ 404) for
anything the user may not see.

Who sees what:
- intern begeleider / aandachtsfunctionaris and directeur: every case of their school, except
  that a case about signals concerning a staff member is the director's and the board's only;
- leerkracht: the cases they started or in which they hold (claimed or completed) a task — and
  of those, need to know: the status and their own entries, unless the school lets its teachers
  see the whole dossier (`sees_whole_dossier`);
- bestuur: only cases the protocol hands to the board (a task in the Bestuur lane, e.g. the
  meld- en aangifteplicht) and cases concerning a staff member; otherwise figures, not case data
  (the monitor's aggregated figures, MONITOR_SCHOOL, with counts below 5 suppressed); the director
  also sees the cases behind the figures (MONITOR_CASES) and a case's audit trail;
- inzage (AVG): a parent may turn to the school or to the board as the controller. The school's
  coordinators and director handle every request of their school; a board member handles the
  requests a board member recorded (`addressed_to_board`) for a pupil of a school of the board
  (a BESTUUR membership there), never the school's own — and for those, and only in the export,
  sees the pupil's whole file (`inzage_case_filter`);
- beleidseigenaar, beheerder: no case data (diagrams and accounts respectively). A beheerder
  manages the accounts of the users who hold a role at one of their schools (a board's beheerder
  holds the role at each of the board's schools): those roles, and — only when all of the
  user's roles are at their schools — the name, address and whether the account is active
  (`user_filter`, `manages_whole_account`); another school's users answer 404. A board's own
  routes (board-wide variants) only who may manage diagrams at every school of the board
  (`may_for_board`): a board-wide route reaches each of them, so no one school's owner decides it;
- nobody: another school's cases.

Notifications are the recipient's own. The outbox: while mail is kept in it (development, no
MAIL_SERVER) everyone reads the mails addressed to them there; a beheerder sees the delivery
status (address, attempts, error — not the text) of the mails of their schools.
"""
from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, false, literal, not_, or_, select
from sqlalchemy.orm import Session, aliased

from webapp.auth.models import Membership, User
from webapp.cases.models import Case, CaseStatus, CaseTask, TaskStatus
from webapp.notifications.models import Notification, OutboxMail
from webapp.privacy.models import InzageRequest
from webapp.roles import LANE_OWN_ROLE, LANE_ROLES, Lane, Role, also_lanes_pattern


class Action(str, enum.Enum):
    START_CASE = "start_case"
    VIEW_CASE = "view_case"
    WORK_ON_TASK = "work_on_task"  # claim, release, save a draft, complete
    ADD_TO_DOSSIER = "add_to_dossier"  # notes and attachments
    RAISE_ACUTE_DANGER = "raise_acute_danger"
    SIGNAL_EVENT = "signal_event"  # other events a diagram waits for (pupil leaves school …)
    VIEW_CASE_AUDIT = "view_case_audit"
    REOPEN_CASE = "reopen_case"  # a closed case, with a reason
    HANDLE_INZAGE = "handle_inzage"  # record a parent's request to see the file, make the export
    RECORD_CORRECTION = "record_correction"  # a parent's correction, kept beside the original
    MANAGE_RETENTION = "manage_retention"
    MANAGE_SCHOOL_CALENDAR = "manage_school_calendar"  # holiday region and study days
    MONITOR_SCHOOL = "monitor_school"  # the figures of a school: counts, durations, no pupil data
    MONITOR_CASES = "monitor_cases"  # the cases behind the figures: references, pupils, who holds a task
    MANAGE_DIAGRAMS = "manage_diagrams"
    MANAGE_ACCOUNTS = "manage_accounts"
    CHECK_MAIL_DELIVERY = "check_mail_delivery"


CASE_ROLES = frozenset({Role.LEERKRACHT, Role.INTERN_BEGELEIDER, Role.DIRECTEUR, Role.BESTUUR})
SCHOOL_WIDE_CASE_ROLES = frozenset({Role.INTERN_BEGELEIDER, Role.DIRECTEUR})

SCHOOL_ACTIONS: dict[Action, frozenset[Role]] = {
    Action.START_CASE: frozenset({Role.LEERKRACHT, Role.INTERN_BEGELEIDER, Role.DIRECTEUR}),
    Action.MONITOR_SCHOOL: frozenset({Role.DIRECTEUR, Role.BESTUUR}),
    Action.MONITOR_CASES: frozenset({Role.DIRECTEUR}),
    Action.MANAGE_DIAGRAMS: frozenset({Role.BELEIDSEIGENAAR, Role.BEHEERDER}),
    Action.MANAGE_ACCOUNTS: frozenset({Role.BEHEERDER}),
    Action.CHECK_MAIL_DELIVERY: frozenset({Role.BEHEERDER}),
    # the board's only for the requests addressed to it (`inzage_request_filter`)
    Action.HANDLE_INZAGE: SCHOOL_WIDE_CASE_ROLES | {Role.BESTUUR},
    # the board sets the terms (AVG); the beheerder keeps them in Meldroute, the board may read them
    Action.MANAGE_RETENTION: frozenset({Role.BEHEERDER}),
    Action.MANAGE_SCHOOL_CALENDAR: frozenset({Role.BEHEERDER}),
}
CASE_ACTIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_CASE: CASE_ROLES,
    Action.ADD_TO_DOSSIER: CASE_ROLES,
    Action.RAISE_ACUTE_DANGER: CASE_ROLES,  # any staff member may act on acute danger at once
    Action.SIGNAL_EVENT: SCHOOL_WIDE_CASE_ROLES,
    Action.VIEW_CASE_AUDIT: frozenset({Role.DIRECTEUR}),
    Action.REOPEN_CASE: SCHOOL_WIDE_CASE_ROLES,
    Action.RECORD_CORRECTION: SCHOOL_WIDE_CASE_ROLES,
}


@functools.cache
def _task_alias(name: str):
    """Aliases of case_tasks for the "teacher involved" and "handed to the board" subqueries, built
    once per process: SQLAlchemy sets up a new alias's column collection on first use (≈1 ms per
    alias, per request). They are immutable SQL constructs, safe to share; each use sits in its own
    subquery. Built on first use, not at import, when every mapper is known."""
    return aliased(CaseTask, name=name)


def _in_lanes(task, lanes: list[str]):
    """SQL condition: the task is in one of these lanes, or names one of them in its also-lanes
    (`meldroute:alsoLanes`: the acute meeting of teacher, IB'er and director is each of theirs)."""
    return or_(task.lane.in_(lanes), *(task.also_lanes.like(also_lanes_pattern(lane)) for lane in lanes))


@dataclass(frozen=True)
class Policy:
    user_id: int
    roles_by_school: dict[int, frozenset[Role]] = field(default_factory=dict)
    # SQL conditions built once per policy (one request): building them costs more than running
    # the queries that use them, and a page asks for them several times. They depend only on
    # the user's memberships, which the policy already fixed.
    _built_filters: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def for_user(cls, session: Session, user_id: int) -> Policy:
        roles: dict[int, set[Role]] = {}
        for membership in session.scalars(select(Membership).where(Membership.user_id == user_id)):
            roles.setdefault(membership.school_id, set()).add(membership.role)
        return cls(user_id, {school: frozenset(r) for school, r in roles.items()})

    # -- schools ---------------------------------------------------------------------------

    def roles_at(self, school_id: int) -> frozenset[Role]:
        return self.roles_by_school.get(school_id, frozenset())

    @property
    def school_ids(self) -> list[int]:
        return sorted(self.roles_by_school)

    def schools_where(self, action: Action) -> list[int]:
        allowed = SCHOOL_ACTIONS.get(action) or CASE_ACTIONS.get(action) or frozenset()
        return [s for s in self.school_ids if self.roles_at(s) & allowed]

    def may_at_school(self, action: Action, school_id: int) -> bool:
        return bool(self.roles_at(school_id) & SCHOOL_ACTIONS[action])

    def may_for_board(self, action: Action, board_school_ids: Iterable[int]) -> bool:
        """An action on the board's own things (its board-wide routes), given the board's schools:
        allowed at every one of them (a board without schools has nobody who may)."""
        schools = list(board_school_ids)
        return bool(schools) and all(self.may_at_school(action, school_id) for school_id in schools)

    # -- cases -----------------------------------------------------------------------------

    def _involved(self) -> object:
        """The teacher's own cases: started by them, or a task they hold or did."""
        held = _task_alias("held_task")  # its own alias, so it never correlates with an outer CaseTask
        return or_(
            Case.started_by_id == self.user_id,
            exists().where(
                held.case_id == Case.id,
                or_(held.claimed_by_id == self.user_id, held.completed_by_id == self.user_id),
            ).correlate(Case),
        )

    def _open_task_in_my_lanes(self, school_id: int) -> object:
        lanes = sorted(self.lanes_at(school_id))
        if not lanes:
            return false()
        task = _task_alias("my_lane_task")
        return exists().where(task.case_id == Case.id, task.status == TaskStatus.OPEN,
                              _in_lanes(task, lanes)).correlate(Case)

    def _handed_to_board(self) -> object:
        board_task = _task_alias("board_task")
        return exists().where(board_task.case_id == Case.id, _in_lanes(board_task, [Lane.BESTUUR.value])).correlate(Case)

    def case_filter(self, action: Action = Action.VIEW_CASE):
        """SQL condition on `Case` selecting exactly the cases this action is allowed on."""
        if action not in self._built_filters:
            self._built_filters[action] = self._build_case_filter(action)
        return self._built_filters[action]

    def _build_case_filter(self, action: Action):
        allowed_roles = CASE_ACTIONS[action]
        not_about_staff = Case.concerns_staff_member.is_(False)
        clauses = []
        for school_id, roles in self.roles_by_school.items():
            roles = roles & allowed_roles
            at_school = Case.school_id == school_id
            if Role.DIRECTEUR in roles:
                clauses.append(at_school)
                continue
            if roles & {Role.INTERN_BEGELEIDER, Role.LEERKRACHT}:
                # About a staff member: only while a step of it is theirs to do (the protocol's own
                # report to the board may be the coordinator's), and then on need to know.
                mine_now = and_(Case.concerns_staff_member.is_(True), self._open_task_in_my_lanes(school_id))
                if Role.INTERN_BEGELEIDER in roles:
                    clauses.append(and_(at_school, or_(not_about_staff, mine_now)))
                else:
                    clauses.append(and_(at_school, self._involved(), or_(not_about_staff, mine_now)))
            if Role.BESTUUR in roles:
                clauses.append(and_(at_school, or_(self._handed_to_board(), Case.concerns_staff_member.is_(True))))
        return or_(*clauses) if clauses else false()

    def sees_whole_dossier(self, school, case: Case) -> bool:
        """Need to know: whether this reader sees everything in the case, or its status and their
        own entries only (a teacher, unless their school widened this; in a case about a staff
        member everyone but the director and the board)."""
        roles = self.roles_at(case.school_id)
        if case.concerns_staff_member:
            return bool(roles & {Role.DIRECTEUR, Role.BESTUUR})
        if roles & (SCHOOL_WIDE_CASE_ROLES | {Role.BESTUUR}):
            return True
        return bool(school.teachers_see_whole_dossier)

    def may_on_case(self, action: Action, session: Session, case: Case) -> bool:
        return session.scalar(select(Case.id).where(Case.id == case.id, self.case_filter(action))) is not None

    def visible_case(self, session: Session, case_id: int, action: Action = Action.VIEW_CASE) -> Case | None:
        return session.scalar(select(Case).where(Case.id == case_id, self.case_filter(action)))

    # -- inzage requests -------------------------------------------------------------------

    def answers_inzage_as_board(self, school_id: int) -> bool:
        """Whether a request this user records at the school is the board's (they are not the
        school's coordinator or director there, only a board member)."""
        roles = self.roles_at(school_id)
        return Role.BESTUUR in roles and not roles & SCHOOL_WIDE_CASE_ROLES

    def inzage_request_filter(self):
        """SQL condition on `InzageRequest`: the requests this user may see, answer and export."""
        if "inzage" not in self._built_filters:
            clauses = []
            for school_id in self.schools_where(Action.HANDLE_INZAGE):
                at_school = InzageRequest.school_id == school_id
                if self.answers_inzage_as_board(school_id):
                    # A board member never learns of the pupils of the school's own requests.
                    clauses.append(and_(at_school, InzageRequest.addressed_to_board.is_(True)))
                else:
                    clauses.append(at_school)
            self._built_filters["inzage"] = or_(*clauses) if clauses else false()
        return self._built_filters["inzage"]

    def visible_inzage_request(self, session: Session, request_id: int) -> InzageRequest | None:
        return session.scalar(select(InzageRequest).where(InzageRequest.id == request_id,
                                                          self.inzage_request_filter()))

    def inzage_case_filter(self):
        """SQL condition on `Case`: the cases an inzage export of this user covers (and shows whole,
        `sees_whole_dossier` permitting). What they may see anyway — and, for a board member
        answering a request addressed to the board, every case of the pupil at the schools of the
        board: the board is the controller and must give the whole file."""
        board_schools = [s for s in self.schools_where(Action.HANDLE_INZAGE) if self.answers_inzage_as_board(s)]
        if not board_schools:
            return self.case_filter(Action.VIEW_CASE)
        return or_(self.case_filter(Action.VIEW_CASE), Case.school_id.in_(board_schools))

    # -- tasks -----------------------------------------------------------------------------

    def lanes_at(self, school_id: int) -> frozenset[str]:
        roles = self.roles_at(school_id)
        return frozenset(lane.value for lane, lane_roles in LANE_ROLES.items() if roles & lane_roles)

    def task_filter(self):
        """SQL condition on `CaseTask` for open tasks this user may work on (needs no join)."""
        if "tasks" not in self._built_filters:
            self._built_filters["tasks"] = self._build_task_filter()
        return self._built_filters["tasks"]

    def _build_task_filter(self):
        return and_(
            self.task_filter_if_unclaimed(),
            or_(CaseTask.claimed_by_id.is_(None), CaseTask.claimed_by_id == self.user_id),
        )

    def task_filter_if_unclaimed(self):
        """SQL condition on `CaseTask`: open tasks this user could work on if nobody held them.

        Who must hear of a deadline when the claimant may no longer do the task (their role at
        the school was removed): the claim is then no obstacle a coordinator cannot release."""
        if "tasks_if_unclaimed" not in self._built_filters:
            clauses = []
            for school_id in self.school_ids:
                lanes = self.lanes_at(school_id)
                if lanes:
                    clauses.append(and_(CaseTask.school_id == school_id, _in_lanes(CaseTask, sorted(lanes)),
                                        not_(self._barred_at(school_id))))
                if Role.DIRECTEUR in self.roles_at(school_id):
                    # A case about a staff member is the director's (and board's) only: the director
                    # then does the school's steps of it, whoever's lane they are in.
                    clauses.append(and_(CaseTask.school_id == school_id, CaseTask.lane != Lane.BESTUUR.value,
                                        CaseTask.case_id.in_(select(Case.id).where(
                                            Case.school_id == school_id, Case.concerns_staff_member.is_(True))),
                                        not_(self._barred_at(school_id))))
            self._built_filters["tasks_if_unclaimed"] = and_(
                CaseTask.status == TaskStatus.OPEN,
                or_(*clauses),
                CaseTask.case_id.in_(select(Case.id).where(self.case_filter(Action.VIEW_CASE),
                                                           Case.status == CaseStatus.OPEN)),
            ) if clauses else false()
        return self._built_filters["tasks_if_unclaimed"]

    def _barred_at(self, school_id: int):
        """SQL condition on `CaseTask`: a task this user may never do in its case (`meldroute:neverBy`):
        they reported the case, or did — holding that lane's own role — a task of a lane the task
        names (the coordinator of step 2 is never the pupil's teacher)."""
        key = ("barred", school_id)
        if key not in self._built_filters:
            roles = self.roles_at(school_id)
            own_lanes = sorted(lane.value for lane, role in LANE_OWN_ROLE.items() if role in roles)
            done = _task_alias("done_task")
            reported = CaseTask.case_id.in_(select(Case.id).where(Case.started_by_id == self.user_id))
            did_their_steps = exists().where(
                done.case_id == CaseTask.case_id, done.status == TaskStatus.COMPLETED,
                done.completed_by_id == self.user_id, done.lane.in_(own_lanes),
                CaseTask.never_by.contains(literal(";") + done.lane + literal(";")),
            ).correlate(CaseTask) if own_lanes else false()
            self._built_filters[key] = and_(CaseTask.never_by != "", or_(reported, did_their_steps))
        return self._built_filters[key]

    def barred_from(self, session: Session, task: CaseTask) -> bool:
        """Whether the user may never do this task in its case (reporter or teacher of the pupil)."""
        return session.scalar(select(CaseTask.id).where(CaseTask.id == task.id,
                                                        self._barred_at(task.school_id))) is not None

    def visible_task(self, session: Session, task_id: int) -> CaseTask | None:
        """A task of a case the user may see (open or done): the dossier shows completed ones."""
        return session.scalar(
            select(CaseTask).where(
                CaseTask.id == task_id,
                CaseTask.case_id.in_(select(Case.id).where(self.case_filter(Action.VIEW_CASE))),
            )
        )

    def may_work_on(self, session: Session, task: CaseTask) -> bool:
        """Whether this user may claim, draft or complete the task now: the task filter itself,
        asked of one row, so the list and the single task can never disagree."""
        return session.scalar(select(CaseTask.id).where(CaseTask.id == task.id, self.task_filter())) is not None

    def may_work_on_if_unclaimed(self, session: Session, task: CaseTask) -> bool:
        """Whether this user could work on the task if nobody held it (a colleague's claim aside)."""
        return session.scalar(select(CaseTask.id).where(
            CaseTask.id == task.id, self.task_filter_if_unclaimed())) is not None

    # -- accounts ----------------------------------------------------------------------------

    def user_filter(self):
        """SQL condition on `User`: the users this beheerder manages (a role at one of their schools)."""
        schools = self.schools_where(Action.MANAGE_ACCOUNTS)
        if not schools:
            return false()
        return exists().where(Membership.user_id == User.id, Membership.school_id.in_(schools)).correlate(User)

    def visible_user(self, session: Session, user_id: int) -> User | None:
        return session.scalar(select(User).where(User.id == user_id, self.user_filter()))

    def manages_whole_account(self, session: Session, user_id: int) -> bool:
        """Whether every role of the user is at a school this beheerder manages: only then may
        they change what the user is everywhere (name, address, active)."""
        schools = self.schools_where(Action.MANAGE_ACCOUNTS)
        elsewhere = session.scalar(select(Membership.id).where(
            Membership.user_id == user_id, Membership.school_id.not_in(schools)).limit(1)) if schools else True
        return bool(schools) and elsewhere is None

    # -- notifications and the outbox ------------------------------------------------------

    def notification_filter(self):
        """SQL condition on `Notification`: this user's own."""
        return Notification.user_id == self.user_id

    def may_read_outbox(self, mail_kept_locally: bool) -> bool:
        return mail_kept_locally or bool(self.schools_where(Action.CHECK_MAIL_DELIVERY))

    def readable_mail_filter(self, mail_kept_locally: bool):
        """SQL condition on `OutboxMail`: mails whose text this user may read (their own, in development)."""
        if not mail_kept_locally:
            return false()
        return OutboxMail.notification_id.in_(select(Notification.id).where(self.notification_filter()))

    def outbox_filter(self, mail_kept_locally: bool):
        """SQL condition on `OutboxMail`: mails listed on the outbox page (text or delivery status)."""
        schools = self.schools_where(Action.CHECK_MAIL_DELIVERY)
        clauses = [self.readable_mail_filter(mail_kept_locally)]
        if schools:
            clauses.append(OutboxMail.notification_id.in_(
                select(Notification.id).where(Notification.school_id.in_(schools))))
        return or_(*clauses)

    def may_release(self, task: CaseTask) -> bool:
        """The claimant releases their own claim; coordinators and directors may release anyone's."""
        if task.status != TaskStatus.OPEN or task.claimed_by_id is None:
            return False
        return task.claimed_by_id == self.user_id or bool(
            self.roles_at(task.school_id) & SCHOOL_WIDE_CASE_ROLES
        )
