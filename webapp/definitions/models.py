from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base


class ProcessDefinition(Base):
    """One route a school offers (e.g. "opvoedproblemen", "huiselijk geweld"), across versions.

    A route belongs to one school, or to a board (a board-wide variant): every school of the
    board without its own route of that key starts its cases on the board's. A case still
    carries its pupil's school (`Case.school_id`), never the route's owner."""

    __tablename__ = "process_definitions"
    __table_args__ = (
        UniqueConstraint("school_id", "route_key"),
        UniqueConstraint("board_id", "route_key"),
        CheckConstraint("(school_id IS NULL) <> (board_id IS NULL)", name="school_or_board"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"), index=True)
    route_key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    # New cases start on this version; running cases keep the version they started on.
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_versions.id", use_alter=True)
    )

    school = relationship("School")
    board = relationship("Board")
    versions: Mapped[list[ProcessVersion]] = relationship(
        back_populates="definition",
        foreign_keys="ProcessVersion.definition_id",
        order_by="ProcessVersion.number",
    )
    published_version: Mapped[ProcessVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )


class ProcessVersion(Base):
    """An immutable, validated BPMN diagram: once stored, its XML never changes."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("definition_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    number: Mapped[int]
    bpmn_process_id: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_filename: Mapped[str | None] = mapped_column(String(255))
    comment: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]

    definition: Mapped[ProcessDefinition] = relationship(
        back_populates="versions", foreign_keys=[definition_id]
    )
    created_by = relationship("User")


class ProcessVersionForm(Base):
    """A form as it was when its version was published: a case reads its version's forms, so a
    form changed later reaches only cases on a later version."""

    __tablename__ = "process_version_forms"
    __table_args__ = (UniqueConstraint("version_id", "form_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    form_key: Mapped[str] = mapped_column(String(200))
    source_yaml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))


class ProcessDraft(Base):
    """A diagram being edited for a route: not run by any case until published.

    `revision` is the optimistic lock: a save names the revision it started from, and a save
    from an older revision is refused (the editor keeps its text and is told who saved first)."""

    __tablename__ = "process_drafts"
    __table_args__ = (
        Index("ix_process_drafts_definition", "definition_id"),
        CheckConstraint("(school_id IS NULL) <> (board_id IS NULL)", name="school_or_board"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    # The route's owner, as on its definition: a school, or a board for a board-wide route.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"))
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id"))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    source_filename: Mapped[str | None] = mapped_column(String(255))
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]

    definition = relationship("ProcessDefinition")
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
