"""A board covering several schools: one term for all of them, and the destruction log it reads."""
from __future__ import annotations

from datetime import timedelta

from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.auth.models import Membership, User
from webapp.privacy import retention
from webapp.privacy.destruction import destroy_due
from webapp.roles import Role
from webapp.schools.models import Board


def _board_with_two_schools(session, services):
    north, south = (setup_school(session, services, "basismodel_2019", slug=slug) for slug in ("noord", "zuid"))
    board = Board(name="Stichting Kust")
    session.add(board)
    session.flush()
    north.school.board_id = south.school.board_id = board.id
    session.merge(north.school)
    session.merge(south.school)
    # The board's beheerder keeps the terms of both schools.
    admin = session.get(User, north.users[Role.BEHEERDER])
    session.add(Membership(user_id=admin.id, school_id=south.school.id, role=Role.BEHEERDER))
    session.commit()
    return board, north, south


def test_a_board_sets_one_term_for_all_its_schools(app, session, services):
    board, north, south = _board_with_two_schools(session, services)
    admin = WebUser(app, "beheer@noord.test")
    assert "Stichting Kust: voor alle 2 scholen" in admin.get("/bewaartermijnen").text
    response = admin.post("/bewaartermijnen", {"bestuur": str(board.id), "categorie": "dossier", "termijn": "P7Y"},
                          token_from="/bewaartermijnen")
    assert response.status_code == 303
    assert retention.terms_for(session, north.school.id)["dossier"] == "P7Y"
    assert retention.terms_for(session, south.school.id)["dossier"] == "P7Y"
    bad = admin.post("/bewaartermijnen", {"bestuur": str(board.id), "categorie": "dossier", "termijn": "zeven"},
                     token_from="/bewaartermijnen")
    assert bad.status_code == 422 and "ISO-8601" in bad.text

    # Whoever keeps the terms of only one of the schools cannot set the board's.
    only_south = WebUser(app, "beheer@zuid.test")
    assert "voor alle 2 scholen" not in only_south.get("/bewaartermijnen").text
    assert only_south.post("/bewaartermijnen", {"bestuur": str(board.id), "categorie": "dossier", "termijn": "P1Y"},
                           token_from="/bewaartermijnen").status_code == 403
    assert retention.terms_for(session, south.school.id)["dossier"] == "P7Y"


def test_the_board_reads_the_destruction_log_of_its_schools(app, session, services, database, clock):
    _board, north, _south = _board_with_two_schools(session, services)
    s = Scenario.start(session, services, database, north)
    s.walk(("Stap1_Signaleren", {"signalen_over_medewerker": False}),
           ("Stap1_ZorgDelen", {"veiligheid_in_geding": True}), "Stap1_GesprekLeerling",
           ("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"}), ("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": False}))
    reference = s.case.reference
    clock.set(s.case.dossier_destroy_after + timedelta(minutes=1))
    assert destroy_due(database, services) >= 1
    page = WebUser(app, "bestuur@noord.test").get("/bewaartermijnen").text
    assert "Vernietigingslog" in page and reference in page and "Het hele dossier" in page
