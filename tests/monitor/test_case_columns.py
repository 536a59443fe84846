"""The case door keeps the monitor's columns: last progress and how a closed case was handled."""
from __future__ import annotations

from tests.support.scenario import Scenario, setup_school
from webapp.cases import dossier_actions
from webapp.cases.outcomes import classify_outcome
from webapp.roles import Role


def test_progress_moves_with_the_workflow_only_and_the_outcome_is_kept(session, services, database, clock):
    setup = setup_school(session, services, "basismodel_2019")
    s = Scenario.start(session, services, database, setup)
    started = s.case.started_at
    assert s.case.progressed_at == started
    clock.advance(days=2)
    dossier_actions.add_note(session, services, s.actor(Role.INTERN_BEGELEIDER), case_id=s.case_id,
                             kind="feit", body="Gezien op het schoolplein")
    session.expire_all()
    assert s.case.progressed_at == started and s.case.updated_at > started  # a note is no progress
    clock.advance(days=1)
    s.complete("Stap1_Signaleren", {"signalen_over_medewerker": False})
    session.expire_all()
    assert s.case.progressed_at == services.now()
    s.walk(("Stap1_ZorgDelen", {"veiligheid_in_geding": True}), "Stap1_GesprekLeerling",
           ("Stap1_Besluit", {"uitkomst_fase1": "ongegrond"}),
           ("Afsluiten_Ongegrond", {"werkaantekeningen_vernietigd": True}))
    session.expire_all()
    assert s.is_closed and s.case.outcome_kind == "ongegrond"


def test_outcome_categories_of_the_shipped_end_events():
    assert classify_outcome("Gemeld bij Veilig Thuis; de school volgt of kind en ouders hulp krijgen",
                            acute=False, reported=False) == "melding"
    assert classify_outcome("Nazorg afgerond: reguliere besprekingen", acute=False, reported=True) == "melding"
    assert classify_outcome("Nazorg afgerond: reguliere besprekingen", acute=False, reported=False) == "hulp"
    assert classify_outcome("Tijdslimiet hulp verstreken", acute=False, reported=False) == "anders"
    assert classify_outcome("Buiten de meldcode: meld- en aangifteplicht", acute=False, reported=False) \
        == "buiten_meldcode"
    assert classify_outcome("Signalen ontkracht: geen zorgen, vastgelegd in ESIS", acute=False,
                            reported=False) == "ongegrond"
    assert classify_outcome("Vermoeden ongegrond: dossier afgesloten", acute=True, reported=False) == "acuut"
    assert classify_outcome("Melding in noodsituatie gedaan: voldoende verbetering zichtbaar", acute=False,
                            reported=False) == "melding"
    assert classify_outcome("Zorg overgedragen aan de nieuwe school", acute=False, reported=False) == "anders"
