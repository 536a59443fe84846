"""A case: one pupil's journey through one route of the school's meldcode.

`cases` is the index row (status, current step) and `case_states` holds the engine's serialized
workflow state; both, and the rows indexing open tasks and waiting timers, change together in one
transaction. Every row bound to a case carries the case's school, so the schema can be
distributed by school.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, JSONData

BigId = BigInteger().with_variant(Integer(), "sqlite")


class CaseStatus:
    OPEN = "open"
    CLOSED = "closed"
    # The dossier was destroyed under a retention term: only this row (no pupil) and the
    # anonymous statistics record remain, so the audit trail keeps its case.
    DESTROYED = "destroyed"


class TaskStatus:
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TimerStatus:
    WAITING = "waiting"
    FIRED = "fired"
    CANCELLED = "cancelled"


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_school_status", "school_id", "status"),
        # The monitor's reads: a school's cases by start, close, last progress and emergency.
        Index("ix_cases_school_started", "school_id", "started_at"),
        Index("ix_cases_school_closed", "school_id", "closed_at"),
        Index("ix_cases_school_status_progressed", "school_id", "status", "progressed_at"),
        Index("ix_cases_school_acute", "school_id", "acute_raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN)
    current_step: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str | None] = mapped_column(String(300))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    acute_raised_at: Mapped[datetime | None]
    # The signals concern a staff member: only the director and the board may see the case.
    concerns_staff_member: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Retention (webapp/privacy): when each category is due for destruction under the school's
    # terms — set when the case closes, or when a step decides the work notes go — and when it went.
    work_notes_destroy_requested_at: Mapped[datetime | None]
    work_notes_destroy_after: Mapped[datetime | None] = mapped_column(index=True)
    work_notes_destroyed_at: Mapped[datetime | None]
    attachments_destroy_after: Mapped[datetime | None] = mapped_column(index=True)
    attachments_destroyed_at: Mapped[datetime | None]
    dossier_destroy_after: Mapped[datetime | None] = mapped_column(index=True)
    destroyed_at: Mapped[datetime | None]
    # When the workflow last moved (a task done, a timer fired, a signal); updated_at also moves
    # for notes, drafts and deadline notices, which are no progress of the case.
    progressed_at: Mapped[datetime | None]
    outcome_kind: Mapped[str | None] = mapped_column(String(20))  # webapp.cases.outcomes.OutcomeKind
    # Bumped by every change: taking the case lock is an UPDATE of this column (see cases.locking).
    lock_version: Mapped[int] = mapped_column(default=0)

    school = relationship("School")
    pupil = relationship("Pupil")
    definition = relationship("ProcessDefinition")
    process_version = relationship("ProcessVersion")
    started_by = relationship("User")
    tasks: Mapped[list[CaseTask]] = relationship(
        back_populates="case", order_by="CaseTask.id", viewonly=True
    )


class CaseState(Base):
    __tablename__ = "case_states"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    state: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class CaseTask(Base):
    """A user task of a case: open in someone's task list, or part of the dossier once done."""

    __tablename__ = "case_tasks"
    __table_args__ = (
        UniqueConstraint("case_id", "spiff_task_id"),
        Index("ix_case_tasks_school_status_lane", "school_id", "status", "lane"),
        Index("ix_case_tasks_status_due", "status", "due_at"),
        Index("ix_case_tasks_school_status_due", "school_id", "status", "due_at"),
        Index("ix_case_tasks_school_completed", "school_id", "completed_at"),
        Index("ix_case_tasks_school_melding_completed", "school_id", "melding", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str] = mapped_column(String(40))
    # Other lanes whose roles may work the task too, ";leerkracht;intern_begeleider;"
    # (`meldroute:alsoLanes`, webapp.roles.stored_also_lanes); empty: its own lane only.
    also_lanes: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    # Lanes whose doers in this case may never do this task, in the same form (`meldroute:neverBy`):
    # the coordinator of step 2 is never the pupil's teacher. The case's reporter never either.
    never_by: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    form_key: Mapped[str] = mapped_column(String(200))
    # Completing it is a melding to Veilig Thuis / AMK (`meldroute:melding` on the diagram's task).
    melding: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN)
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]
    draft: Mapped[dict | None] = mapped_column(JSONData)
    draft_updated_at: Mapped[datetime | None]
    draft_updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict | None] = mapped_column(JSONData)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    expiry_notified_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="tasks")
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    completed_by = relationship("User", foreign_keys=[completed_by_id])


class CaseTimer(Base):
    """A waiting BPMN timer with its absolute fire time, so the worker finds due ones by index."""

    __tablename__ = "case_timers"
    __table_args__ = (
        UniqueConstraint("case_id", "spiff_task_id"),
        Index(
            "ix_case_timers_waiting_fires_at",
            "fires_at",
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
        Index("ix_case_timers_school_status", "school_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    fires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=TimerStatus.WAITING)
    created_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    # A case whose timers fail to fire is retried with growing pauses, so it never blocks the rest.
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    retry_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class CaseEvent(Base):
    """The case timeline: what happened, when, by whom (the dossier's backbone)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    element_id: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    detail: Mapped[dict | None] = mapped_column(JSONData)

    actor = relationship("User")


class CaseNote(Base):
    """A free note in the dossier, with the distinctions the protocols require."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(20))  # "feit" or "hypothese"
    source: Mapped[str | None] = mapped_column(String(300))  # who told it, when a third party did
    body: Mapped[str] = mapped_column(Text)
    # A follow-up note confirms or refutes an earlier hypothesis.
    follows_up_id: Mapped[int | None] = mapped_column(ForeignKey("case_notes.id"))
    verdict: Mapped[str | None] = mapped_column(String(20))  # "bevestigd" / "ontkracht"

    author = relationship("User")


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    case_task_id: Mapped[int | None] = mapped_column(ForeignKey("case_tasks.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]


class CaseCorrection(Base):
    """A parent's (or pupil's) correction request, kept beside what it corrects, never over it."""

    __tablename__ = "case_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    requested_by: Mapped[str] = mapped_column(String(200))  # e.g. "moeder", "vader", "de leerling"
    requested_on: Mapped[date]
    about: Mapped[str] = mapped_column(String(300))  # which entry (step, note, answer) it concerns
    body: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]

    recorded_by = relationship("User")
