"""The diagram pages over HTTP: menus per role, upload, save with conflict, publish, history, download."""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.engine.test_import_validation import FORM, diagram
from tests.modeler.test_drafts import CAMUNDA_FILE, ONE_TASK
from tests.support.scenario import setup_school
from tests.support.web import WebUser


@pytest.fixture
def school(session, services):
    setup = setup_school(session, services, "basismodel_2019", slug="school-m")
    session.commit()
    return setup


def links_in_menu(page: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Hoofdmenu">(.*?)</nav>', page, re.S).group(1)
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("prefix", ["leerkracht", "ib", "directeur", "bestuur", "beleid", "beheer"])
def test_every_menu_link_opens_for_its_role(app, school, prefix):
    user = WebUser(app, f"{prefix}@school-m.test")
    links = links_in_menu(user.get("/taken").text)
    assert "/diagrammen" in links
    for link in links:
        assert user.get(link).status_code == 200, (prefix, link)
    if prefix in ("beleid", "beheer"):
        assert "/zaken" not in links and "/zaken/nieuw" not in links


def test_upload_save_conflict_publish_and_download(app, school, services):
    owner, admin = WebUser(app, "beleid@school-m.test"), WebUser(app, "beheer@school-m.test")
    definition_id = school.definitions["meldcode"].id
    route = owner.get(f"/diagrammen/{definition_id}")
    assert "versie 1" in route.text and "Geschiedenis" in route.text

    refused = owner.post(f"/diagrammen/{definition_id}/concepten", token_from=f"/diagrammen/{definition_id}",
                         data={"bron": "bestand", "bestand": (io.BytesIO(diagram(ONE_TASK.replace(
                             "bpmn:userTask", "bpmn:scriptTask"))), "script.bpmn")})
    assert refused.status_code == 422 and "Task_1" in refused.text and "scripttaak" in refused.text

    created = owner.post(f"/diagrammen/{definition_id}/concepten", token_from=f"/diagrammen/{definition_id}",
                         data={"bron": "bestand", "bestand": (io.BytesIO(CAMUNDA_FILE), "camunda.bpmn")})
    assert created.status_code == 303
    draft_url = created.headers["Location"]
    page = owner.get(draft_url)
    assert page.status_code == 200 and "Publiceren" in page.text
    content = owner.get(f"{draft_url}/inhoud.json").get_json()
    assert content["revisie"] == 1 and len(content["waarschuwingen"]) == 3
    assert {f["key"] for f in content["formulieren"]} >= {FORM}
    assert "Intern begeleider" in " ".join(content["rollen"])
    assert {"waarde": "melding", "label": "Melding gedaan"} in content["uitkomsten"]  # the end events' choice

    token = owner.csrf_token(draft_url)
    saved = owner.client.put(draft_url, json={"bpmn": diagram(ONE_TASK).decode(), "revisie": 1},
                             headers={"X-CSRFToken": token})
    assert saved.status_code == 200 and saved.get_json()["revisie"] == 2
    assert saved.get_json()["fouten"] == []
    late = admin.client.put(draft_url, json={"bpmn": CAMUNDA_FILE.decode(), "revisie": 1, "automatisch": True},
                            headers={"X-CSRFToken": admin.csrf_token(draft_url)})
    assert late.status_code == 409 and "Bea Beleidseigenaar" in late.get_json()["fout"]

    no_note = owner.client.post(f"{draft_url}/publiceren", json={"revisie": 2, "notitie": ""},
                                headers={"X-CSRFToken": token})
    assert no_note.status_code == 422 and "wijzigingsnotitie" in no_note.get_json()["fout"]
    published = owner.client.post(f"{draft_url}/publiceren", json={"revisie": 2, "notitie": "Eén besluit"},
                                  headers={"X-CSRFToken": token})
    assert published.status_code == 200 and published.get_json()["versie"] == 2

    history = owner.get(f"/diagrammen/{definition_id}").text
    assert "Eén besluit" in history and "Bea Beleidseigenaar" in history
    bpmn = owner.get(f"/diagrammen/{definition_id}/versies/2.bpmn")
    assert bpmn.status_code == 200 and bpmn.data == diagram(ONE_TASK)
    archive = zipfile.ZipFile(io.BytesIO(owner.get(f"/diagrammen/{definition_id}/versies/2.zip").data))
    assert sorted(archive.namelist()) == sorted(["meldcode-v2.bpmn", f"forms/{FORM}.yaml"])

    teacher = WebUser(app, "leerkracht@school-m.test")
    assert teacher.get(f"/diagrammen/{definition_id}/gepubliceerd.json").get_json()["versie"] == 2
    assert teacher.get(f"/diagrammen/{definition_id}/versies/2.bpmn").status_code == 403
    assert teacher.get(draft_url).status_code == 404
