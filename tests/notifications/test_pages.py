"""The Meldingen page with its unread badge, and the outbox page, as users see them (no JS)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD_HASH_PARAMETERS
from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.app import create_app
from webapp.audit.models import AuditEntry
from webapp.db import get_database
from webapp.worker.cycle import WorkerSettings, run_cycle


@pytest.fixture
def reminded(app, session, services, database):
    """Reminders for 'Stap 1: besluit' have gone to the teacher, the IB and the director."""
    setup = setup_school(session, services, "basismodel_2019")
    s = Scenario.start(session, services, database, setup)
    s.walk(("Stap1_Signaleren", {"signalen_over_medewerker": False}),
           ("Stap1_ZorgDelen", {"veiligheid_in_geding": True, "tijdslimiet_fase1": {"amount": 1, "unit": "weken"}}),
           "Stap1_GesprekLeerling")
    services.environment.clock.advance(days=6)
    assert run_cycle(database, services, WorkerSettings.from_config(app.config), until_done=True).notices_sent == 1
    return s


def badge(page_text: str) -> str | None:
    match = re.search(r'Meldingen(?: <span class="count"[^>]*>(\d+)</span>)?</a>', page_text)
    assert match, "no Meldingen link in the menu"
    return match.group(1)


def test_notifications_page_badge_and_marking_read(app, reminded, session):
    ib = WebUser(app, "ib@testschool.test")
    page = ib.get("/meldingen")
    assert page.status_code == 200
    assert badge(page.text) == "1"
    assert "Herinnering: ‘Stap 1: besluit" in page.text and "ongelezen" in page.text
    [notification_id] = re.findall(r'/meldingen/(\d+)/gelezen', page.text)

    response = ib.post(f"/meldingen/{notification_id}/gelezen", token_from="/meldingen")
    assert response.status_code == 303
    page = ib.get("/meldingen")
    assert badge(page.text) is None and "gelezen" in page.text
    # The director's own reminder is untouched by the IB reading hers.
    assert badge(WebUser(app, "directeur@testschool.test").get("/taken").text) == "1"
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "notifications.read")) is not None


def test_mark_all_read(app, reminded):
    teacher = WebUser(app, "leerkracht@testschool.test")
    response = teacher.post("/meldingen/gelezen", token_from="/meldingen", follow_redirects=True)
    assert "Alle meldingen zijn als gelezen gemarkeerd." in response.text
    assert badge(response.text) is None


def test_development_outbox_shows_each_user_their_own_mail(app, reminded):
    page = WebUser(app, "ib@testschool.test").get("/uitgaande-mail")
    assert page.status_code == 200
    assert "Aan:</strong> ib@testschool.test" in page.text and "directeur@testschool.test" not in page.text
    assert "Openen in Meldroute: http://127.0.0.1:5000/taken/" in page.text
    assert "bewaard in de uitgaande mail" in page.text


def test_with_a_mail_server_only_the_beheerder_sees_delivery_status(app, reminded, database_url, clock):
    production_like = create_app({**app.config, "MAIL_SERVER": "smtp.school.test", "CLOCK": clock,
                                  "PASSWORD_HASH_PARAMETERS": TEST_PASSWORD_HASH_PARAMETERS})
    try:
        assert WebUser(production_like, "ib@testschool.test").get("/uitgaande-mail").status_code == 403
        page = WebUser(production_like, "beheer@testschool.test").get("/uitgaande-mail")
        assert page.status_code == 200
        assert page.text.count('<article class="card">') == 3
        assert "wacht op verzending" in page.text
        assert "Onderwerp" not in page.text and "Openen in Meldroute" not in page.text  # status, not text
    finally:
        get_database(production_like).dispose()


def test_due_date_shows_in_the_task_list(app, reminded):
    page = WebUser(app, "ib@testschool.test").get("/taken?lijst=rol")
    due = reminded.task("Stap1_Besluit").due_at
    assert "Stap 1: besluit" in page.text
    assert (due.astimezone(reminded.services.environment.clock.now().tzinfo)).strftime("%d-%m-%Y %H:%M") in page.text
    reminded.services.environment.clock.set(due + timedelta(minutes=1))
    assert "verlopen" in WebUser(app, "ib@testschool.test").get("/taken?lijst=rol").text
