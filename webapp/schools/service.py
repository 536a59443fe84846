"""Pupils: only what the meldcode needs (name, group, date of birth), found or created per school."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.schools.models import Pupil, School


class InvalidPupil(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("leerlinggegevens onvolledig")
        self.errors = errors


def find_or_create_pupil(session: Session, *, school_id: int, name: str, group: str,
                         date_of_birth: str, now) -> Pupil:
    errors: dict[str, list[str]] = {}
    name, group = (name or "").strip(), (group or "").strip()
    if not name:
        errors["naam"] = ["Vul de naam van de leerling in."]
    elif len(name) > 200:
        errors["naam"] = ["Maximaal 200 tekens."]
    if not group:
        errors["groep"] = ["Vul de groep in."]
    elif len(group) > 40:
        errors["groep"] = ["Maximaal 40 tekens."]
    born = None
    try:
        born = date.fromisoformat((date_of_birth or "").strip())
    except ValueError:
        errors["geboortedatum"] = ["Vul een geldige geboortedatum in."]
    if born and not (date(now.year - 20, 1, 1) <= born <= now.date()):
        errors["geboortedatum"] = ["Deze geboortedatum past niet bij een leerling."]
    if errors:
        raise InvalidPupil(errors)
    existing = session.scalar(select(Pupil).where(
        Pupil.school_id == school_id, func.lower(Pupil.name) == name.lower(), Pupil.date_of_birth == born))
    if existing is not None:
        # Whoever starts a case may not see the pupil's other cases; the group they type must not
        # change what those cases show (a teacher could otherwise alter another's dossier).
        return existing
    pupil = Pupil(school_id=school_id, name=name, group_name=group, date_of_birth=born, created_at=now)
    session.add(pupil)
    session.flush()
    return pupil


def school_ids_of_board(session: Session, board_id: int | None) -> list[int]:
    """The schools of a board (what the policy's board-wide rights are checked against)."""
    if board_id is None:
        return []
    return list(session.scalars(select(School.id).where(School.board_id == board_id).order_by(School.id)))
