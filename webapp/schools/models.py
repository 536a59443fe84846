from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base


class Board(Base):
    """A school board (bestuur / stichting); board members see the figures of all its schools."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    schools: Mapped[list[School]] = relationship(back_populates="board")


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"))
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # The folder under workflows/ with this school's meldcode variant (names, sociale kaart, routes).
    variant: Mapped[str] = mapped_column(String(80))
    # Need to know: a teacher who started a case sees its status and their own entries only,
    # unless the school decides its teachers see the whole dossier.
    teachers_see_whole_dossier: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Its school holidays (noord, midden, zuid), for deadlines in school days; None: not set yet.
    holiday_region: Mapped[str | None] = mapped_column(String(10))
    # Set by a beheerder: the school's coordinators and directors must log in with a second factor
    # (TOTP); until they have enrolled they can do nothing else (`webapp.auth.second_factor`).
    second_factor_required: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    board: Mapped[Board | None] = relationship(back_populates="schools")


class Pupil(Base):
    """Only what the meldcode needs to identify a pupil: name, group, date of birth."""

    __tablename__ = "pupils"
    __table_args__ = (UniqueConstraint("school_id", "name", "date_of_birth"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    group_name: Mapped[str] = mapped_column(String(40))
    date_of_birth: Mapped[date]
    created_at: Mapped[datetime]

    school: Mapped[School] = relationship()
