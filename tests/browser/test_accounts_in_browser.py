"""A beheerder makes an account in Gebruikersbeheer; the new colleague sets their own password
through the mailed link and logs in."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.browser.conftest import is_problem, log_in, screenshot
from webapp.notifications.models import OutboxMail

pytestmark = pytest.mark.browser

ADMIN = "beheer@wadden.demo"
NEWCOMER = "nina.nieuw@wadden.demo"
PASSWORD = "korenbloem-vijver-zaterdag"


def test_a_beheerder_makes_an_account_and_the_newcomer_sets_a_password(live_server, browser, session):
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="nl-NL")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if is_problem(message) else None)
    log_in(page, live_server, ADMIN)
    page.get_by_role("link", name="Gebruikersbeheer").click()
    page.get_by_role("link", name="Nieuwe gebruiker").click()
    page.get_by_label("Naam").fill("Nina Nieuw")
    page.get_by_label("E-mailadres").fill(NEWCOMER)
    page.get_by_label("Rol").select_option("intern_begeleider")
    page.get_by_role("button", name="Account maken en link sturen").click()
    page.get_by_text("krijgt een e-mail met een link", exact=False).wait_for()
    screenshot(page, "8-gebruikersbeheer-nieuw-account")
    page.get_by_role("link", name="Terug naar Gebruikersbeheer").click()
    assert "Nina Nieuw" in page.get_by_role("row").filter(has_text=NEWCOMER).inner_text()
    screenshot(page, "9-gebruikersbeheer")

    mail = session.scalar(select(OutboxMail).where(OutboxMail.to_address == NEWCOMER))
    link = re.search(r"https?://\S+/wachtwoord-instellen/\S+", mail.body).group(0)
    newcomer = browser.new_context(viewport={"width": 1300, "height": 900}, locale="nl-NL").new_page()
    newcomer.goto(live_server + link[link.index("/wachtwoord-instellen/"):])
    newcomer.locator("#nieuw").fill("Wachtwoord2026!")
    newcomer.locator("#herhaling").fill("Wachtwoord2026!")
    newcomer.get_by_role("button", name="Wachtwoord instellen").click()
    newcomer.get_by_text("te makkelijk te raden", exact=False).wait_for()
    screenshot(newcomer, "10-wachtwoord-instellen-geweigerd")
    newcomer.locator("#nieuw").fill(PASSWORD)
    newcomer.locator("#herhaling").fill(PASSWORD)
    newcomer.get_by_role("button", name="Wachtwoord instellen").click()
    newcomer.get_by_text("Uw wachtwoord is ingesteld", exact=False).wait_for()
    log_in(newcomer, live_server, NEWCOMER, PASSWORD)
    newcomer.get_by_role("link", name="Wachtwoord wijzigen").wait_for()
    assert newcomer.get_by_role("link", name="Gebruikersbeheer").count() == 0
    assert problems == []
    context.close()
