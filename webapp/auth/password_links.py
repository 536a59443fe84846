"""One-time, expiring links to set a password: "Wachtwoord vergeten", and the first password of
an account a beheerder made (the beheerder never types, sees or chooses it).

A link holds a random token; only its hash is kept (`password_links`). It works once, until it
expires (`PASSWORD_RESET_MINUTES`, default 60; a new account's `ACCOUNT_LINK_HOURS`, default 72),
and a newer link of the same user replaces it. Using it sets the password through the policy and
ends every session of the user. Links point at `MELDROUTE_PUBLIC_URL`; the mail goes through the
outbox like every other mail.

Asking for a link answers the same text, after the same steps, for known, unknown and inactive
addresses: a token is made and hashed and the mail text is written either way, the throttle
counts and the audit row is written either way; only for a known, active account are the link
and its mail stored. Requests are throttled per typed address and per client address, like
logins, with their own keys (an attacker asking for links cannot slow the user's login down),
and every request counts: each one may send a mail.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from webapp.auth.accounts import new_password_problem, set_password
from webapp.auth.models import PasswordLink, User
from webapp.auth.throttle import (
    ADDRESS,
    ThrottleRule,
    email_fingerprint,
    record_failure,
    wait_needed,
)
from webapp.notifications.models import OutboxMail

RESET, WELCOME = "herstel", "welkom"
TOKEN_MAX_LENGTH = 100
# A mail per request: after three, each further request waits twice as long, up to a quarter of an hour.
RESET_ACCOUNT = ThrottleRule(free_failures=3, max_delay=timedelta(minutes=15))

LINK_GONE = ("Deze link werkt niet (meer): hij is al gebruikt, verlopen of vervangen door een nieuwere. "
             "Vraag hieronder een nieuwe aan.")


@dataclass(frozen=True)
class LinkSettings:
    public_url: str
    reset_lifetime: timedelta
    welcome_lifetime: timedelta

    @classmethod
    def from_config(cls, config) -> LinkSettings:
        return cls(public_url=str(config.get("PUBLIC_URL", "")).rstrip("/"),
                   reset_lifetime=timedelta(minutes=int(config.get("PASSWORD_RESET_MINUTES", 60))),
                   welcome_lifetime=timedelta(hours=int(config.get("ACCOUNT_LINK_HOURS", 72))))

    def lifetime(self, purpose: str) -> timedelta:
        return self.welcome_lifetime if purpose == WELCOME else self.reset_lifetime

    def link(self, token: str) -> str:
        return f"{self.public_url}/wachtwoord-instellen/{token}"


def requested_answer(settings: LinkSettings) -> str:
    minutes = int(settings.reset_lifetime.total_seconds() // 60)
    return ("Als dit e-mailadres bij Meldroute bekend is, ontvangt u zo een e-mail met een link om een "
            f"nieuw wachtwoord in te stellen. De link werkt één keer en is {minutes} minuten geldig.")


def too_many_requests(seconds: int) -> str:
    return (f"Te veel aanvragen. Probeer het over {seconds} "
            f"{'seconde' if seconds == 1 else 'seconden'} opnieuw.")


def _hash(token: str) -> str:
    return hashlib.sha256(("meldroute-password-link:" + token).encode()).hexdigest()


def _mail_text(purpose: str, name: str, link: str, lifetime: timedelta) -> tuple[str, str]:
    hours = lifetime.total_seconds() / 3600
    valid = f"{int(lifetime.total_seconds() // 60)} minuten" if hours < 2 else f"{int(hours)} uur"
    if purpose == WELCOME:
        subject = "Meldroute: stel uw wachtwoord in"
        text = ("Er is een account in Meldroute voor u gemaakt. Stel uw wachtwoord in via deze link; "
                f"hij werkt één keer en is {valid} geldig:\n\n{link}\n")
    else:
        subject = "Meldroute: nieuw wachtwoord instellen"
        text = ("Er is gevraagd om een nieuw wachtwoord voor uw Meldroute-account. Stel het in via deze "
                f"link; hij werkt één keer en is {valid} geldig:\n\n{link}\n\n"
                "Heeft u dit niet zelf gevraagd? Dan kunt u deze mail negeren: uw wachtwoord blijft "
                "zoals het was.\n")
    return subject, f"Beste {name},\n\n{text}"


def _write_link(db: Session, user: User | None, purpose: str, now: datetime, settings: LinkSettings,
                store: bool) -> None:
    """Make a token and its mail; store them (replacing the user's open links) only when `store`."""
    token = secrets.token_urlsafe(32)
    lifetime = settings.lifetime(purpose)
    token_hash = _hash(token)
    subject, body = _mail_text(purpose, user.display_name if user else "", settings.link(token), lifetime)
    if not store or user is None:
        return
    _close_open_links(db, user.id, now)
    db.add(PasswordLink(user_id=user.id, token_hash=token_hash, purpose=purpose, created_at=now,
                        expires_at=now + lifetime))
    db.add(OutboxMail(to_address=user.email, subject=subject, body=body, created_at=now, attempts=0))


def _close_open_links(db: Session, user_id: int, now: datetime) -> None:
    db.execute(update(PasswordLink).where(PasswordLink.user_id == user_id, PasswordLink.used_at.is_(None))
               .values(used_at=now))


def send_link(db: Session, user: User, purpose: str, now: datetime, settings: LinkSettings) -> None:
    """A link for this user (a beheerder's new account, or a new link they asked for it); the caller commits."""
    _write_link(db, user, purpose, now, settings, store=True)


def reset_keys(email: str, remote_addr: str | None) -> dict[str, ThrottleRule]:
    return {"reset-account:" + email_fingerprint(email): RESET_ACCOUNT,
            "reset-address:" + (remote_addr or "onbekend")[:64]: ADDRESS}


def request_reset(db: Session, email: str, remote_addr: str | None, now: datetime,
                  settings: LinkSettings) -> tuple[str, int | None]:
    """Someone typed an address on "Wachtwoord vergeten": (the answer, seconds to wait or None).
    The caller writes the audit row and commits."""
    email = (email or "").strip().lower()[:254]
    keys = reset_keys(email, remote_addr)
    wait = wait_needed(db, list(keys), now)
    if wait.total_seconds() > 0:
        seconds = max(1, math.ceil(wait.total_seconds()))
        return too_many_requests(seconds), seconds
    record_failure(db, keys, now)
    user = db.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    _write_link(db, user, RESET, now, settings, store=user is not None and user.active)
    return requested_answer(settings), None


def open_link(db: Session, token: str, now: datetime) -> PasswordLink | None:
    """The link this token opens, while it is unused, unexpired and its user active."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    link = db.scalar(select(PasswordLink).where(PasswordLink.token_hash == _hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    user = db.get(User, link.user_id)
    return link if user is not None and user.active else None


def redeem(db: Session, token: str, password: str, repeated: str, now: datetime) -> tuple[User | None, str | None]:
    """Set the password through an open link: (the user, None), or (None, why not) in Dutch.
    The link is used up and every session of the user ends; the caller commits (or rolls back
    on a refusal, which leaves the link usable)."""
    link = open_link(db, token, now)
    if link is None:
        return None, LINK_GONE
    user = db.get(User, link.user_id)
    problem = new_password_problem(db, user, password, repeated)
    if problem is not None:
        return None, problem
    # Claimed with one conditional update: of two requests using the link at once, the second
    # waits for the first's row lock and then finds it used.
    claimed = db.execute(update(PasswordLink).where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
                         .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return None, LINK_GONE
    set_password(db, user, password, now)
    _close_open_links(db, user.id, now)
    return user, None
