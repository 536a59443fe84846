"""Gebruikersbeheer: what a beheerder does with the accounts of their schools.

Every command asks the policy first (`Policy.visible_user`, `manages_whole_account`,
`may_at_school`): another school's users are not found, and nothing here names them. A new
account gets no password from the beheerder: it gets a one-time link by mail
(`webapp.auth.password_links`) and its owner chooses one under the password policy. Taking a
role away or deactivating an account ends the user's sessions. Every change is audited.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.audit.log import record_audit
from webapp.auth import server_sessions
from webapp.auth.models import Membership, PasswordLink, User
from webapp.auth.password_links import RESET, WELCOME, LinkSettings, send_link
from webapp.auth.passwords import hash_password
from webapp.auth.policy import Action, Policy
from webapp.ids import parse_id
from webapp.roles import Role
from webapp.schools.models import School

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_MAX_LENGTH = 200


class AccountRefused(ValueError):
    """What is wrong, in Dutch, per form field (`algemeen` for the whole form)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ManagedUser:
    user: User
    memberships: list[Membership]  # only those at the beheerder's schools
    roles_elsewhere: bool  # roles at schools this beheerder does not manage (not named)


def managed_schools(db: Session, policy: Policy) -> list[School]:
    schools = policy.schools_where(Action.MANAGE_ACCOUNTS)
    return db.scalars(select(School).where(School.id.in_(schools)).order_by(School.name)).all() if schools else []


def list_users(db: Session, policy: Policy) -> list[ManagedUser]:
    users = db.scalars(select(User).where(policy.user_filter()).order_by(func.lower(User.display_name))).all()
    return [describe(db, policy, user) for user in users]


def describe(db: Session, policy: Policy, user: User) -> ManagedUser:
    schools = set(policy.schools_where(Action.MANAGE_ACCOUNTS))
    memberships = db.scalars(select(Membership).where(Membership.user_id == user.id)
                             .order_by(Membership.school_id, Membership.role)).all()
    mine = [m for m in memberships if m.school_id in schools]
    return ManagedUser(user, mine, len(mine) < len(memberships))


def _clean_name(name: str | None, errors: dict[str, str]) -> str:
    name = (name or "").strip()
    if not name:
        errors["naam"] = "Vul de naam in."
    elif len(name) > NAME_MAX_LENGTH:
        errors["naam"] = f"De naam mag hoogstens {NAME_MAX_LENGTH} tekens hebben."
    return name


def _clean_email(db: Session, email: str | None, errors: dict[str, str], *, own_id: int | None = None) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        errors["email"] = "Vul een geldig e-mailadres in."
    else:
        taken = db.scalar(select(User.id).where(func.lower(User.email) == email))
        if taken is not None and taken != own_id:
            errors["email"] = "Dit e-mailadres is al in gebruik."
    return email


def _school_and_role(policy: Policy, school: str | None, role: str | None, errors: dict[str, str]
                     ) -> tuple[int | None, Role | None]:
    school_id = parse_id(school)
    if school_id is None or not policy.may_at_school(Action.MANAGE_ACCOUNTS, school_id):
        errors["school"] = "Kies een van uw scholen."
        school_id = None
    try:
        chosen_role = Role(role or "")
    except ValueError:
        errors["rol"] = "Kies een rol."
        chosen_role = None
    return school_id, chosen_role


def create_user(db: Session, policy: Policy, actor: Actor, *, name: str | None, email: str | None,
                school: str | None, role: str | None, now: datetime, settings: LinkSettings) -> User:
    """A new account with one role at one of the beheerder's schools; its owner gets a link to
    choose a password. The caller commits."""
    errors: dict[str, str] = {}
    name = _clean_name(name, errors)
    email = _clean_email(db, email, errors)
    school_id, chosen_role = _school_and_role(policy, school, role, errors)
    if errors:
        raise AccountRefused(errors)
    # Nobody knows this password: the account opens only through the mailed link.
    user = User(email=email, display_name=name, password_hash=hash_password(secrets.token_urlsafe(32)),
                active=True, created_at=now)
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, school_id=school_id, role=chosen_role))
    send_link(db, user, WELCOME, now, settings)
    record_audit(db, "accounts.user_created", actor=actor, at=now, school_id=school_id,
                 detail={"gebruiker": user.id, "rol": chosen_role.value})
    return user


def _whole_account(db: Session, policy: Policy, user: User) -> None:
    if not policy.manages_whole_account(db, user.id):
        raise AccountRefused({"algemeen": "Deze gebruiker heeft ook een rol op een school die u niet beheert: "
                                          "naam, e-mailadres en activering wijzigt de beheerder van alle "
                                          "scholen samen. De rollen op uw scholen kunt u wel wijzigen."})


def update_user(db: Session, policy: Policy, actor: Actor, user: User, *, name: str | None, email: str | None,
                now: datetime) -> None:
    _whole_account(db, policy, user)
    errors: dict[str, str] = {}
    name = _clean_name(name, errors)
    email = _clean_email(db, email, errors, own_id=user.id)
    if errors:
        raise AccountRefused(errors)
    changed = [field for field, old, new in (("naam", user.display_name, name), ("email", user.email, email))
               if old != new]
    user.display_name, user.email = name, email
    if "email" in changed:
        # a link mailed to the old address must not keep working
        db.execute(update(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
                   .values(used_at=now))
    record_audit(db, "accounts.user_changed", actor=actor, at=now, detail={"gebruiker": user.id, "velden": changed})


def add_membership(db: Session, policy: Policy, actor: Actor, user: User, *, school: str | None,
                   role: str | None, now: datetime) -> None:
    errors: dict[str, str] = {}
    school_id, chosen_role = _school_and_role(policy, school, role, errors)
    if errors:
        raise AccountRefused(errors)
    exists = db.scalar(select(Membership.id).where(Membership.user_id == user.id, Membership.school_id == school_id,
                                                   Membership.role == chosen_role))
    if exists is not None:
        raise AccountRefused({"rol": "Deze gebruiker heeft deze rol op deze school al."})
    db.add(Membership(user_id=user.id, school_id=school_id, role=chosen_role))
    record_audit(db, "accounts.role_added", actor=actor, at=now, school_id=school_id,
                 detail={"gebruiker": user.id, "rol": chosen_role.value})


def remove_membership(db: Session, policy: Policy, actor: Actor, user: User, *, school: str | None,
                      role: str | None, now: datetime) -> None:
    errors: dict[str, str] = {}
    school_id, chosen_role = _school_and_role(policy, school, role, errors)
    if errors:
        raise AccountRefused(errors)
    if user.id == policy.user_id and chosen_role is Role.BEHEERDER:
        raise AccountRefused({"rol": "U kunt uw eigen rol als beheerder niet intrekken; vraag een andere beheerder."})
    exists = db.scalar(select(Membership.id).where(Membership.user_id == user.id, Membership.school_id == school_id,
                                                   Membership.role == chosen_role))
    if exists is None:
        raise AccountRefused({"rol": "Deze gebruiker heeft deze rol op deze school niet."})
    server_sessions.remove_membership(db, user.id, school_id, chosen_role, now)
    record_audit(db, "accounts.role_removed", actor=actor, at=now, school_id=school_id,
                 detail={"gebruiker": user.id, "rol": chosen_role.value})


def set_active(db: Session, policy: Policy, actor: Actor, user: User, *, active: bool, now: datetime) -> None:
    """Deactivating ends the user's sessions and open password links; the account and everything
    it did stay (the audit trail and the dossiers name it)."""
    _whole_account(db, policy, user)
    if user.id == policy.user_id and not active:
        raise AccountRefused({"algemeen": "U kunt uw eigen account niet deactiveren."})
    user.active = active
    if not active:
        server_sessions.end_all(db, user.id, now, "gedeactiveerd")
        db.execute(update(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
                   .values(used_at=now))
    record_audit(db, "accounts.user_activated" if active else "accounts.user_deactivated", actor=actor, at=now,
                 detail={"gebruiker": user.id})


def send_password_link(db: Session, policy: Policy, actor: Actor, user: User, *, now: datetime,
                       settings: LinkSettings) -> None:
    """A new link for the user to choose a password (a lost one, or a first link that expired).
    The beheerder never sees it: it goes to the user's address."""
    if not user.active:
        raise AccountRefused({"algemeen": "Dit account is gedeactiveerd; activeer het eerst."})
    send_link(db, user, WELCOME if user.last_login_at is None else RESET, now, settings)
    record_audit(db, "accounts.password_link_sent", actor=actor, at=now, detail={"gebruiker": user.id})


def require_second_factor(db: Session, policy: Policy, actor: Actor, *, school: str | None, required: bool,
                          now: datetime) -> School:
    """Require (or no longer require) TOTP of the school's coordinators and directors. Who has
    none is led to enrolment at their next request; the caller commits."""
    school_id = parse_id(school)
    if school_id is None or not policy.may_at_school(Action.MANAGE_ACCOUNTS, school_id):
        raise AccountRefused({"school": "Kies een van uw scholen."})
    row = db.get(School, school_id)
    row.second_factor_required = required
    record_audit(db, "accounts.second_factor_required", actor=actor, at=now, school_id=school_id,
                 detail={"verplicht": required})
    return row
