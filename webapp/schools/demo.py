"""Demo data: a school per meldcode variant, a user for every role, a few pupils.

Everything here is fictitious. Loading is idempotent: running it twice changes nothing, and a
changed diagram in workflows/ becomes a new published version.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.models import Membership, User
from webapp.auth.passwords import hash_password
from webapp.definitions.service import install_variant
from webapp.roles import Role
from webapp.schools.models import Board, Pupil, School
from webapp.services import CaseServices

DEMO_PASSWORD = "meldroute-demo"


@dataclass(frozen=True)
class DemoSchool:
    slug: str
    name: str
    variant: str
    board: str | None
    mail_domain: str


DEMO_SCHOOLS = (
    DemoSchool("oostpoort", "De Oostpoortschool", "oostpoort_delft", None, "oostpoort.demo"),
    DemoSchool("wadden", "Basisschool De Wadden", "basismodel_2019", None, "wadden.demo"),
    DemoSchool("duinroos", "Fedra-school De Duinroos", "fedra_2019", "Stichting Fedra", "duinroos.demo"),
    DemoSchool("parnas", "Basisschool Het Parnas", "fasenmodel", None, "parnas.demo"),
    DemoSchool("es", "Symbio-school De Es", "symbio_hengelo", "Stichting Symbio Hengelo", "es.demo"),
)

DEMO_ROLES = (
    (Role.LEERKRACHT, "leerkracht", "Lotte Leerkracht"),
    (Role.INTERN_BEGELEIDER, "ib", "Ilse Intern-Begeleider"),
    (Role.DIRECTEUR, "directeur", "Dirk Directeur"),
    (Role.BESTUUR, "bestuur", "Bas Bestuurder"),
    (Role.BELEIDSEIGENAAR, "beleid", "Bea Beleidseigenaar"),
    (Role.BEHEERDER, "beheer", "Ben Beheerder"),
)

DEMO_PUPILS = (
    ("Sam de Vries", "5", date(2017, 3, 14)),
    ("Noor Jansen", "7", date(2015, 9, 2)),
    ("Milan Bakker", "8", date(2013, 11, 23)),
)


def load_demo(session: Session, services: CaseServices) -> list[tuple[str, list[str]]]:
    """Create what is missing; returns (school name, logins) for every demo school installed."""
    now = services.now()
    installed = []
    for demo in DEMO_SCHOOLS:
        variant = services.variants.get(demo.variant)
        if variant is None:
            continue  # that variant's diagrams are not (yet) in workflows/
        school = _school(session, demo)
        install_variant(session, school, variant, forms=services.forms, now=now)
        logins = [_user(session, school, role, f"{prefix}@{demo.mail_domain}", name, now)
                  for role, prefix, name in DEMO_ROLES]
        for pupil_name, group, born in DEMO_PUPILS:
            _pupil(session, school, pupil_name, group, born, now)
        installed.append((school.name, logins))
    session.commit()
    return installed


def _school(session: Session, demo: DemoSchool) -> School:
    school = session.scalar(select(School).where(School.slug == demo.slug))
    if school is None:
        board = None
        if demo.board:
            board = session.scalar(select(Board).where(Board.name == demo.board))
            if board is None:
                board = Board(name=demo.board)
                session.add(board)
        school = School(slug=demo.slug, name=demo.name, variant=demo.variant, board=board)
        session.add(school)
        session.flush()
    return school


def _user(session: Session, school: School, role: Role, email: str, name: str, now) -> str:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, password_hash=hash_password(DEMO_PASSWORD),
                    active=True, created_at=now)
        session.add(user)
        session.flush()
    has_role = session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.school_id == school.id, Membership.role == role
    ))
    if has_role is None:
        session.add(Membership(user_id=user.id, school_id=school.id, role=role))
    return email


def _pupil(session: Session, school: School, name: str, group: str, born: date, now) -> None:
    exists = session.scalar(select(Pupil).where(
        Pupil.school_id == school.id, Pupil.name == name, Pupil.date_of_birth == born
    ))
    if exists is None:
        session.add(Pupil(school_id=school.id, name=name, group_name=group, date_of_birth=born,
                          created_at=now))
