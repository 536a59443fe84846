"""Retention terms: how long each category of a case's data is kept, per school.

The board decides and documents these terms (AVG); Meldroute ships defaults a beheerder changes
per school. Each term is an ISO 8601 duration, counted from when the case closed — or, for the
work notes of an unfounded case, from when the closing step decided they go. The moment each
category falls due is stored on the case (`*_destroy_after`), so the worker finds due cases with
one indexed query whatever the number of schools; a changed term recomputes those moments for
the school's cases.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.audit.log import record_audit
from webapp.audit.models import AuditEntry
from webapp.cases.models import Case, CaseStatus
from webapp.engine.due_dates import DeadlineError, parse_iso_duration
from webapp.privacy.models import RetentionTerm

WORK_NOTES = "werkaantekeningen_ongegrond"
ATTACHMENTS = "bijlagen"
DOSSIER = "dossier"
MAX_TERM_YEARS = 100


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    explanation: str
    default: str


CATEGORIES = {
    WORK_NOTES: Category(
        WORK_NOTES, "Werkaantekeningen bij een ongegrond vermoeden",
        "De notities (feiten en hypotheses) van een zaak waarvan de afsluitende stap zegt dat de "
        "werkaantekeningen worden vernietigd; geteld vanaf die stap.", "P0D"),
    ATTACHMENTS: Category(
        ATTACHMENTS, "Bijlagen", "Geüploade bestanden van een zaak; geteld vanaf het afsluiten van de zaak.", "P5Y"),
    DOSSIER: Category(
        DOSSIER, "Het hele dossier",
        "Alles van een zaak: tijdlijn, formulierantwoorden, notities, bijlagen, de procesgegevens, en de "
        "leerling als geen andere zaak die nog nodig heeft. Er blijft alleen een anoniem statistisch "
        "gegeven over (route, versie, uitkomst, data en doorlooptijden per stap); geteld vanaf het afsluiten.",
        "P5Y"),
}


class InvalidTerm(ValueError):
    pass


def terms_for(session: Session, school_id: int) -> dict[str, str]:
    """The school's term per category: its own where set, otherwise the default."""
    own = dict(session.execute(select(RetentionTerm.category, RetentionTerm.term)
                               .where(RetentionTerm.school_id == school_id)).all())
    return {key: own.get(key, category.default) for key, category in CATEGORIES.items()}


def after_term(moment: datetime, term: str) -> datetime:
    return moment + parse_iso_duration(term)


_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)
_UNIT_WORDS = (("years", "jaar", "jaar"), ("months", "maand", "maanden"), ("weeks", "week", "weken"),
               ("days", "dag", "dagen"), ("hours", "uur", "uur"))


def check_term(text: str) -> str:
    term = (text or "").strip().upper()
    if len(term) > 20:
        raise InvalidTerm("Deze termijn is te lang.")
    try:
        delta = parse_iso_duration(term)
        too_long = _REFERENCE + delta > _REFERENCE.replace(year=_REFERENCE.year + MAX_TERM_YEARS)
    except DeadlineError:
        raise InvalidTerm("Geef een termijn als ISO-8601-duur, bijvoorbeeld P0D (direct), P4W, P2Y.") from None
    except (OverflowError, ValueError):
        too_long = True
    if too_long:
        raise InvalidTerm(f"Een bewaartermijn is hoogstens {MAX_TERM_YEARS} jaar.")
    return term


def describe_term(term: str) -> str:
    """"direct", "5 jaar", "1 jaar en 6 maanden" …"""
    delta = parse_iso_duration(term)
    weeks, days = divmod(delta.days or 0, 7)
    amounts = {"years": delta.years, "months": delta.months, "weeks": weeks, "days": days, "hours": delta.hours}
    parts = [f"{amounts[unit]} {one if amounts[unit] == 1 else many}"
             for unit, one, many in _UNIT_WORDS if amounts[unit]]
    if not parts:
        return "direct"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def schedule_on_closing(session: Session, case: Case) -> None:
    """A case just closed: its attachments and dossier fall due under the school's terms."""
    terms = terms_for(session, case.school_id)
    case.attachments_destroy_after = after_term(case.closed_at, terms[ATTACHMENTS])
    case.dossier_destroy_after = after_term(case.closed_at, terms[DOSSIER])


def unschedule_on_reopening(case: Case) -> None:
    case.attachments_destroy_after = None
    case.dossier_destroy_after = None


def schedule_work_notes(session: Session, case: Case, requested_at: datetime) -> datetime:
    """The closing step decided the work notes go: when, under the school's term."""
    case.work_notes_destroy_requested_at = requested_at
    case.work_notes_destroy_after = after_term(requested_at, terms_for(session, case.school_id)[WORK_NOTES])
    return case.work_notes_destroy_after


def set_term(session: Session, actor: Actor, now: datetime, *, school_id: int, category: str, term: str) -> str:
    """A beheerder sets a school's term; the due moments of its cases follow. Commits."""
    return set_terms(session, actor, now, school_ids=[school_id], category=category, term=term)


def set_terms(session: Session, actor: Actor, now: datetime, *, school_ids: list[int], category: str,
              term: str) -> str:
    """The same term for several schools at once (a board's decision for all its schools): one
    transaction, so the schools never disagree halfway. Commits."""
    if category not in CATEGORIES:
        raise InvalidTerm("Onbekende categorie.")
    term = check_term(term)
    for school_id in school_ids:
        _set_one(session, actor, now, school_id, category, term)
    session.commit()
    return term


def _set_one(session: Session, actor: Actor, now: datetime, school_id: int, category: str, term: str) -> None:
    row = session.scalar(select(RetentionTerm).where(RetentionTerm.school_id == school_id,
                                                     RetentionTerm.category == category))
    previous = row.term if row else CATEGORIES[category].default
    if row is None:
        row = RetentionTerm(school_id=school_id, category=category, term=term, updated_at=now,
                            updated_by_id=actor.user_id)
        session.add(row)
    row.term, row.updated_at, row.updated_by_id = term, now, actor.user_id
    _reschedule(session, school_id, category, term)
    record_audit(session, "retention.term_set", actor=actor, at=now, school_id=school_id,
                 detail={"category": category, "term": term, "previous": previous})


def recent_destructions(session: Session, school_ids: list[int], limit: int = 50) -> list[AuditEntry]:
    """The destruction log of these schools, newest first: what category of which case went by
    which rule (the entries hold no content)."""
    if not school_ids:
        return []
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "case.destroy",
                                                         AuditEntry.school_id.in_(school_ids))
                                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def _reschedule(session: Session, school_id: int, category: str, term: str) -> None:
    cases = session.scalars(select(Case).where(Case.school_id == school_id, Case.status != CaseStatus.DESTROYED))
    for case in cases:
        if category == WORK_NOTES and case.work_notes_destroy_requested_at and not case.work_notes_destroyed_at:
            case.work_notes_destroy_after = after_term(case.work_notes_destroy_requested_at, term)
        elif case.status == CaseStatus.CLOSED and case.closed_at is not None:
            if category == ATTACHMENTS and not case.attachments_destroyed_at:
                case.attachments_destroy_after = after_term(case.closed_at, term)
            elif category == DOSSIER:
                case.dossier_destroy_after = after_term(case.closed_at, term)
