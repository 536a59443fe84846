"""Retention terms, the anonymous record a destroyed case leaves, and inzage requests."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, JSONData


class RetentionTerm(Base):
    """A school's own term for one category of data (the defaults live in `retention.CATEGORIES`)."""

    __tablename__ = "retention_terms"
    __table_args__ = (UniqueConstraint("school_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    category: Mapped[str] = mapped_column(String(40))
    term: Mapped[str] = mapped_column(String(20))  # ISO 8601 duration: P0D, P4W, P2Y
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CaseStatistics(Base):
    """What remains of a destroyed case for the yearly figures: no pupil, no content.

    Route, version and outcome; when it started, closed and was destroyed; whether acute danger
    was raised; per step when it opened and closed (`steps`: element id, name, lane, opened,
    done — ISO moments)."""

    __tablename__ = "case_statistics"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    route_key: Mapped[str] = mapped_column(String(80))
    variant: Mapped[str] = mapped_column(String(80))
    version_number: Mapped[int]
    outcome: Mapped[str | None] = mapped_column(String(300))
    started_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    destroyed_at: Mapped[datetime]
    acute: Mapped[bool]
    steps: Mapped[list] = mapped_column(JSONData)


class InzageRequest(Base):
    """A request to see what is kept about a pupil: answered within a month (AVG art. 12)."""

    __tablename__ = "inzage_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    # About this pupil: destroyed with the pupil (the request is itself data about them).
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_on: Mapped[date]
    due_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    exports: Mapped[int] = mapped_column(default=0)
    # The answer term tracked as a task beside the workflow's (`inzage_task`): the moment the
    # term ends (the end of `due_on`, school time), and the deadline notices sent for it, each
    # once (the same stamps as on `case_tasks`, and the same unique key on `notifications`).
    due_at: Mapped[datetime]
    reminder_sent_at: Mapped[datetime | None]
    expiry_notified_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    # Addressed to the board as controller and recorded by a board member: only then does the
    # board see the request (its pupil's name) and answer it.
    addressed_to_board: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # How it was answered: "verstrekt" (the inzage was given) or "geweigerd" (with the reason).
    answer: Mapped[str | None] = mapped_column(String(20))
    refusal_reason: Mapped[str | None] = mapped_column(Text)

    pupil = relationship("Pupil")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
