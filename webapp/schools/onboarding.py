"""A real deployment from an empty database: a school with its variant's diagrams, and a first
user. Used by `meldroute school create` and `meldroute user create`."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.auth.models import Membership, User
from webapp.auth.password_policy import WeakPassword, check_password
from webapp.auth.passwords import hash_password
from webapp.definitions.service import install_variant
from webapp.roles import Role
from webapp.schools.models import Board, School
from webapp.services import CaseServices


class OnboardingError(ValueError):
    """What is wrong, in Dutch, for the command line."""


def create_school(session: Session, services: CaseServices, *, board: str | None, name: str, slug: str,
                  variant: str) -> tuple[School, list[str]]:
    if variant not in services.variants:
        raise OnboardingError(f"onbekende variant '{variant}'; kies uit: {', '.join(sorted(services.variants))}")
    if session.scalar(select(School).where(School.slug == slug)) is not None:
        raise OnboardingError(f"er is al een school met de korte naam '{slug}'")
    board_row = None
    if board:
        board_row = session.scalar(select(Board).where(Board.name == board))
        if board_row is None:
            board_row = Board(name=board)
            session.add(board_row)
    school = School(slug=slug, name=name, variant=variant, board=board_row)
    session.add(school)
    session.flush()
    versions = install_variant(session, school, services.variants[variant], forms=services.forms,
                               now=services.now())
    session.commit()
    return school, [f"{v.definition.name} (versie {v.number})" for v in versions]


def create_user(session: Session, services: CaseServices, *, email: str, name: str, school_slug: str,
                role: Role, password: str) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise OnboardingError("geen geldig e-mailadres")
    school = session.scalar(select(School).where(School.slug == school_slug))
    if school is None:
        raise OnboardingError(f"geen school met de korte naam '{school_slug}'")
    try:
        check_password(password, name=name, email=email, school_names=[school.name, school.slug])
    except WeakPassword as weak:
        raise OnboardingError(weak.message) from None
    if session.scalar(select(User).where(func.lower(User.email) == email)) is not None:
        raise OnboardingError(f"er is al een gebruiker met het e-mailadres {email}")
    user = User(email=email, display_name=name, password_hash=hash_password(password), active=True,
                created_at=services.now())
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, school_id=school.id, role=role))
    session.commit()
    return user
