"""Retention terms destroy exactly what is due, with a moved clock; an anonymous record remains."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.scenario import Scenario, setup_school
from webapp.audit.actor import Actor
from webapp.audit.models import AuditEntry
from webapp.cases import dossier_actions
from webapp.cases.dossier_actions import Upload
from webapp.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    CaseState,
    CaseStatus,
    CaseTask,
)
from webapp.monitor.figures import read_figures
from webapp.privacy import retention
from webapp.privacy.destruction import destroy_due
from webapp.privacy.models import CaseStatistics
from webapp.roles import Role
from webapp.school_calendar.service import school_calendars
from webapp.schools.models import Pupil

SECRET = "Vader dreigde met slaan; moeder huilde aan de telefoon"


@pytest.fixture
def school(session, services):
    return setup_school(session, services, "basismodel_2019",
                        pupil_birthdays={"Sam": date(2017, 3, 14), "Noor": date(2016, 5, 2)})


def _note(s: Scenario, body: str = SECRET, role: Role = Role.INTERN_BEGELEIDER) -> int:
    return dossier_actions.add_note(s.session, s.services, s.actor(role), case_id=s.case_id, kind="feit",
                                    body=body).id


def _file(s: Scenario, name="gespreksverslag.pdf") -> int:
    return dossier_actions.add_attachment(s.session, s.services, s.actor(Role.INTERN_BEGELEIDER), case_id=s.case_id,
                                          upload=Upload(name, "application/pdf", b"%PDF-1.4 verslag")).id


def _to_unfounded_closing(s: Scenario) -> None:
    s.walk(("Stap1_Signaleren", {"signalen_over_medewerker": False}),
           ("Stap1_ZorgDelen", {"veiligheid_in_geding": True}),
           "Stap1_GesprekLeerling", ("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"}))
    assert s.open_elements() == ["Afsluiten_Ongegrond"]


def _count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _destructions(session) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "case.destroy").order_by(AuditEntry.id)))


def _no_content_in_audit(session) -> None:
    for entry in session.scalars(select(AuditEntry)):
        assert SECRET not in json.dumps(entry.detail or {}, ensure_ascii=False)


def test_work_notes_destroyed_at_once_when_the_unfounded_closing_says_so(school, session, services, database):
    s = Scenario.start(session, services, database, school, pupil="Sam")
    other = Scenario.start(session, services, database, school, pupil="Noor")
    _note(s)
    _note(other, "Noor vertelt over een ruzie")
    _to_unfounded_closing(s)
    s.complete("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": True})

    assert s.is_closed
    assert _count(session, CaseNote, CaseNote.case_id == s.case_id) == 0
    assert _count(session, CaseNote, CaseNote.case_id == other.case_id) == 1  # nothing else
    [destroyed] = _destructions(session)
    assert destroyed.case_id == s.case_id and destroyed.user_id == school.users[Role.INTERN_BEGELEIDER]
    assert destroyed.detail["category"] == retention.WORK_NOTES
    assert destroyed.detail["reference"] == s.case.reference
    assert "direct (P0D)" in destroyed.detail["rule"] and destroyed.detail["counts"] == {"notities": 1}
    _no_content_in_audit(session)
    assert session.scalar(select(CaseEvent.title).where(CaseEvent.case_id == s.case_id,
                                                        CaseEvent.kind == "work_notes_destroyed")).startswith(
        "Werkaantekeningen vernietigd (1 notitie(s))")


def test_a_school_term_schedules_the_work_notes_and_the_worker_destroys_them_then(
        school, session, services, database, clock):
    admin = Actor(school.users[Role.BEHEERDER])
    retention.set_term(session, admin, clock.now(), school_id=school.school.id, category=retention.WORK_NOTES,
                       term="P4W")
    s = Scenario.start(session, services, database, school)
    _note(s)
    _to_unfounded_closing(s)
    s.complete("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": True})
    due = s.case.work_notes_destroy_after
    assert due == clock.now() + timedelta(weeks=4)
    assert "Werkaantekeningen worden vernietigd op" in session.scalar(
        select(CaseEvent.title).where(CaseEvent.kind == "work_notes_scheduled"))

    clock.set(due - timedelta(minutes=1))
    assert destroy_due(database, services) == 0
    assert _count(session, CaseNote) == 1
    clock.set(due + timedelta(minutes=1))
    assert destroy_due(database, services) == 1
    assert _count(session, CaseNote) == 0
    assert destroy_due(database, services) == 0  # once


def test_attachments_then_the_whole_dossier_go_under_their_terms_leaving_an_anonymous_record(
        school, session, services, database, clock):
    admin = Actor(school.users[Role.BEHEERDER])
    retention.set_term(session, admin, clock.now(), school_id=school.school.id, category=retention.ATTACHMENTS,
                       term="P1Y")
    retention.set_term(session, admin, clock.now(), school_id=school.school.id, category=retention.DOSSIER,
                       term="P2Y")
    closed = Scenario.start(session, services, database, school, pupil="Sam")
    still_open = Scenario.start(session, services, database, school, pupil="Noor")
    _note(closed)
    _file(closed)
    _file(still_open)
    _to_unfounded_closing(closed)
    closed.complete("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": False})
    closed_at = closed.case.closed_at
    assert _count(session, CaseNote, CaseNote.case_id == closed.case_id) == 1  # "nee": the notes stay

    clock.set(closed_at + timedelta(days=364))
    assert destroy_due(database, services) == 0
    clock.set(closed_at + timedelta(days=366))
    assert destroy_due(database, services) == 1
    assert _count(session, Attachment, Attachment.case_id == closed.case_id) == 0
    assert _count(session, Attachment, Attachment.case_id == still_open.case_id) == 1
    assert _count(session, CaseNote, CaseNote.case_id == closed.case_id) == 1  # not yet due

    clock.set(closed_at + timedelta(days=2 * 365 + 2))
    assert destroy_due(database, services) == 1
    session.expire_all()
    tombstone = session.get(Case, closed.case_id)
    assert tombstone.status == CaseStatus.DESTROYED and tombstone.pupil_id is None
    for model in (CaseNote, Attachment, CaseTask, CaseState):
        assert _count(session, model, model.case_id == closed.case_id) == 0, model
    assert [e.kind for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == closed.case_id))] == [
        "dossier_destroyed"]
    assert session.scalar(select(Pupil.id).where(Pupil.name == "Sam")) is None  # no other case needs Sam
    assert session.scalar(select(Pupil.id).where(Pupil.name == "Noor")) is not None
    assert still_open.case.status == CaseStatus.OPEN and len(still_open.open_tasks()) == 1

    record = session.scalars(select(CaseStatistics)).one()
    assert (record.case_id, record.school_id, record.route_key, record.variant, record.version_number) == (
        closed.case_id, school.school.id, "meldcode", "basismodel_2019", 1)
    assert record.outcome == "Vermoeden ongegrond: dossier afgesloten" and record.acute is False
    assert [step["element"] for step in record.steps] == [
        "Stap1_Signaleren", "Stap1_ZorgDelen", "Stap1_GesprekLeerling", "Stap1_Besluit", "Afsluiten_Ongegrond"]
    assert all(step["done"] for step in record.steps)
    assert "Sam" not in json.dumps(record.steps)

    # The yearly figures keep counting the destroyed case: raised, closed unfounded, its step durations.
    figures = read_figures(session, [school.school], closed_at.year,
                           school_calendars(session, [school.school.id], services.environment.calendar),
                           suppressed=False)
    [route] = figures.schools[0].routes
    assert route.raised == 2 and route.outcomes["ongegrond"] == 1
    step_counts = {d.element_id: d.count for d in figures.schools[0].durations}
    assert step_counts["Afsluiten_Ongegrond"] == 1 and step_counts["Stap1_Besluit"] == 1

    categories = [(e.detail["category"], e.detail["counts"]) for e in _destructions(session)]
    assert categories[0] == (retention.ATTACHMENTS, {"bijlagen": 1})
    assert categories[1][0] == retention.DOSSIER and categories[1][1]["leerling"] == 1
    _no_content_in_audit(session)


def test_a_pupil_another_case_still_needs_stays(school, session, services, database, clock):
    first = Scenario.start(session, services, database, school, pupil="Sam")
    Scenario.start(session, services, database, school, pupil="Sam")
    _to_unfounded_closing(first)
    first.complete("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": False})
    clock.set(first.case.dossier_destroy_after + timedelta(minutes=1))
    assert destroy_due(database, services) >= 1
    assert session.scalar(select(Pupil.id).where(Pupil.name == "Sam")) is not None


def test_a_changed_term_moves_the_due_moments_of_closed_cases(school, session, services, database, clock):
    s = Scenario.start(session, services, database, school)
    _to_unfounded_closing(s)
    s.complete("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": False})
    assert s.case.dossier_destroy_after == s.case.closed_at.replace(year=s.case.closed_at.year + 5)
    retention.set_term(session, Actor(school.users[Role.BEHEERDER]), clock.now(), school_id=school.school.id,
                       category=retention.DOSSIER, term="P18M")
    closed_at = s.case.closed_at
    assert s.case.dossier_destroy_after == closed_at.replace(year=closed_at.year + 1, month=closed_at.month + 6)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "retention.term_set")).one()
    assert entry.detail == {"category": "dossier", "term": "P18M", "previous": "P5Y"}


@pytest.mark.parametrize("term", ["vijf jaar", "P", "P999Y", "P99999999999999D", "P1Y" * 10])
def test_a_bad_term_is_refused_with_a_clear_message(term, school, session, clock):
    with pytest.raises(retention.InvalidTerm):
        retention.set_term(session, Actor(school.users[Role.BEHEERDER]), clock.now(), school_id=school.school.id,
                           category=retention.DOSSIER, term=term)
    assert retention.terms_for(session, school.school.id)[retention.DOSSIER] == "P5Y"
