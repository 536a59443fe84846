"""The days a school is closed besides weekends, public holidays and its region's school holidays."""
from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base


class SchoolDayOff(Base):
    """A study day or other day off, added by the school's beheerder."""

    __tablename__ = "school_days_off"
    __table_args__ = (UniqueConstraint("school_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    day: Mapped[date]
    label: Mapped[str] = mapped_column(String(120))
