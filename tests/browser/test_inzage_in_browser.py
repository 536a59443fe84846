"""A coordinator answers a parent's request to see the file: records it, makes the PDF, opens it."""
from __future__ import annotations

import pypdfium2
import pytest
from sqlalchemy import select

from tests.browser.conftest import SCREENSHOTS, is_problem, log_in, screenshot
from webapp.audit.actor import Actor
from webapp.auth.models import User
from webapp.cases import dossier_actions, lifecycle
from webapp.cases.dossier_actions import Upload
from webapp.definitions.models import ProcessDefinition
from webapp.schools.models import Pupil, School

pytestmark = pytest.mark.browser

COORDINATOR = "ib@wadden.demo"
NOTE = "Sam vertelt dat hij thuis vaak alleen is; moeder werkt 's nachts."


def _case_with_a_note_and_a_file(session, services) -> None:
    school = session.scalar(select(School).where(School.slug == "wadden"))
    pupil = session.scalar(select(Pupil).where(Pupil.school_id == school.id, Pupil.name == "Sam de Vries"))
    route = session.scalar(select(ProcessDefinition).where(ProcessDefinition.school_id == school.id))
    teacher = Actor(session.scalar(select(User.id).where(User.email == "leerkracht@wadden.demo")))
    ib = Actor(session.scalar(select(User.id).where(User.email == COORDINATOR)))
    case = lifecycle.start_case(session, services, teacher, definition_id=route.id, pupil_id=pupil.id)
    dossier_actions.add_note(session, services, ib, case_id=case.id, kind="feit", body=NOTE, source="Sam zelf")
    dossier_actions.add_attachment(session, services, ib, case_id=case.id,
                                   upload=Upload("gespreksverslag ouders.pdf", "application/pdf", b"%PDF-1.4 verslag"))


def test_a_coordinator_makes_an_inzage_export_and_opens_the_pdf(live_server, browser, session, services, tmp_path):
    _case_with_a_note_and_a_file(session, services)
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if is_problem(message) else None)
    log_in(page, live_server, COORDINATOR)

    page.get_by_role("link", name="Inzage", exact=True).click()
    page.get_by_label("Naam van de leerling").fill("Sam de Vries")
    page.get_by_label("Geboortedatum").fill("2017-03-14")
    page.get_by_label("Verzocht door").fill("moeder")
    page.get_by_label("Datum van het verzoek").fill("2026-03-02")
    page.get_by_role("button", name="Verzoek vastleggen").click()
    page.get_by_text("Het inzageverzoek is vastgelegd; beantwoorden uiterlijk 02-04-2026.", exact=False).wait_for()
    row = page.get_by_role("row").filter(has_text="Sam de Vries")
    assert "02-04-2026" in row.inner_text()
    screenshot(page, "5-inzageverzoeken")

    with page.expect_download() as download_info:
        row.get_by_role("link", name="PDF").click()
    pdf_file = tmp_path / "inzage.pdf"
    download_info.value.save_as(pdf_file)

    document = pypdfium2.PdfDocument(str(pdf_file))
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Inzage meldcodedossier: Sam de Vries" in text
    assert NOTE.replace("'", "’") in text.replace("'", "’")  # the work note, as the court requires
    assert "gespreksverslag ouders.pdf" in text and "moeder" in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    document[0].render(scale=1.6).to_pil().save(SCREENSHOTS / "6-inzage-pdf.png")
    document.close()

    # The answer term is a task in her list, beside the workflow's tasks, with its due date.
    page.get_by_role("link", name="Mijn taken").first.click()
    task = page.get_by_role("row").filter(has_text="Inzageverzoek beantwoorden")
    assert "uiterlijk 02-04-2026" in task.inner_text() and "Sam de Vries" in task.inner_text()
    screenshot(page, "7-inzage-als-taak")
    task.get_by_role("link", name="Inzageverzoek beantwoorden").click()

    page.get_by_role("row").filter(has_text="Sam de Vries").get_by_role("button", name="Inzage verstrekt").click()
    assert "Inzage verstrekt op" in page.get_by_role("row").filter(has_text="Sam de Vries").inner_text()
    page.get_by_role("link", name="Mijn taken").first.click()
    assert page.get_by_role("row").filter(has_text="Inzageverzoek beantwoorden").count() == 0
    assert problems == []
    context.close()
