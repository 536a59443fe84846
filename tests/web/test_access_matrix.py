"""Every route × every role (and another school's user, and nobody): allowed or denied, as decided.

The routes come from the app's URL map. `DECISIONS` is the written-down policy: a route that is
not in it fails `test_every_route_has_a_decision`, so nobody adds a page without deciding who may
use it. Each case runs in a fresh copy of one world (two schools, a case with an attachment),
built once per backend; "allowed" means the request got past authorization (a page, a redirect,
or a validation answer), "denied" means a redirect to log in first, 401, 403 or 404 (another
school's records are indistinguishable from missing ones).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from tests.support.scenario import (
    TEST_PASSWORD,
)
from tests.support.web import WebUser
from tests.support.world import (
    ADMIN,
    BOARD,
    DIRECTOR,
    EMAILS,
    IB,
    OTHER_SCHOOL,
    OTHER_TEACHER,
    OWNER,
    POLICY_OWNER,
)

ANON = "anoniem"
ACTORS = [ANON, OWNER, OTHER_TEACHER, IB, DIRECTOR, BOARD, POLICY_OWNER, ADMIN, OTHER_SCHOOL]
LOGGED_IN = set(ACTORS) - {ANON}
CASE_STAFF = {OWNER, IB, DIRECTOR}
COORDINATORS = {IB, DIRECTOR}
STARTERS = {OWNER, OTHER_TEACHER, IB, DIRECTOR, OTHER_SCHOOL}
SCHOOL_A = LOGGED_IN - {OTHER_SCHOOL}
DIAGRAM_MANAGERS = {POLICY_OWNER, ADMIN}


@dataclass(frozen=True)
class Decision:
    method: str
    path: str  # placeholders: {case}, {task}, {attachment}, {notification} (one of the IB's), {inzage}, {board_inzage}, {school},
    # {owner} (the teacher who started the case)
    allowed: frozenset
    data: dict | None = None
    prepare: str | None = None  # name of a World method run before the request
    json: dict | None = None  # the JSON API: a JSON body, the CSRF token in the X-CSRFToken header
    upload: bool = False  # the JSON API: a multipart file upload, the CSRF token in the header


def decision(method, path, allowed, data=None, prepare=None, json=None, upload=False):
    return Decision(method, path, frozenset(allowed), data, prepare, json, upload)


DECISIONS: dict[str, list[Decision]] = {
    "static": [decision("GET", "/static/css/meldroute.css", ACTORS)],
    "home.health": [decision("GET", "/gezondheid", ACTORS)],
    "home.index": [decision("GET", "/", LOGGED_IN)],
    "auth.login": [decision("GET", "/inloggen", ACTORS),
                   decision("POST", "/inloggen", ACTORS, {"email": "leerkracht@school-a.test",
                                                          "wachtwoord": TEST_PASSWORD})],
    "auth.logout": [decision("POST", "/uitloggen", LOGGED_IN)],
    "auth.sessions": [decision("GET", "/sessies", LOGGED_IN)],  # everyone's own
    "auth.end_sessions": [decision("POST", "/sessies/beeindigen", LOGGED_IN, {"alle_andere": "ja"})],
    "auth.second_factor_page": [decision("GET", "/tweestapsverificatie", LOGGED_IN),
                                decision("POST", "/tweestapsverificatie", LOGGED_IN, {"code": "000000"})],
    # A forgotten password: public; a link that does not (or no longer) work answers 410 with a way on.
    "auth.forgot_password": [decision("GET", "/wachtwoord-vergeten", ACTORS),
                             decision("POST", "/wachtwoord-vergeten", ACTORS, {"email": "iemand@school-a.test"})],
    "auth.set_password": [decision("GET", "/wachtwoord-instellen/onbekend", ACTORS),
                          decision("POST", "/wachtwoord-instellen/onbekend", ACTORS, {"nieuw": "x"})],
    "auth.change_password": [decision("GET", "/wachtwoord-wijzigen", LOGGED_IN),
                             decision("POST", "/wachtwoord-wijzigen", LOGGED_IN, {"huidig": "fout"})],
    "auth.end_user_sessions": [decision("POST", "/gebruikers/{owner}/sessies-beeindigen", {ADMIN})],
    # Gebruikersbeheer: the beheerder of the user's school only ({owner}: a teacher of school A).
    "users.index": [decision("GET", "/gebruikers", {ADMIN})],
    "users.create": [decision("GET", "/gebruikers/nieuw", {ADMIN}),
                     decision("POST", "/gebruikers/nieuw", {ADMIN}, {"naam": ""})],
    "users.show": [decision("GET", "/gebruikers/{owner}", {ADMIN})],
    "users.update": [decision("POST", "/gebruikers/{owner}", {ADMIN},
                              {"naam": "Lotte L.", "email": "leerkracht@school-a.test"})],
    "users.add_membership": [decision("POST", "/gebruikers/{owner}/rollen", {ADMIN},
                                      {"school": "{school}", "rol": "intern_begeleider"})],
    "users.remove_membership": [decision("POST", "/gebruikers/{owner}/rollen/intrekken", {ADMIN},
                                         {"school": "{school}", "rol": "leerkracht"})],
    "users.set_active": [decision("POST", "/gebruikers/{owner}/actief", {ADMIN}, {"actief": "nee"})],
    "users.second_factor_setting": [decision("POST", "/gebruikers/tweestapsverificatie", {ADMIN},
                                             {"school": "{school}", "verplicht": "ja"})],
    "users.send_password_link": [decision("POST", "/gebruikers/{owner}/wachtwoordlink", {ADMIN})],
    "tasks.index": [decision("GET", "/taken?lijst=rol", LOGGED_IN)],
    "tasks.show": [decision("GET", "/taken/{task}", CASE_STAFF)],
    "tasks.submit": [decision("POST", "/taken/{task}", COORDINATORS, {"actie": "afronden"})],
    "tasks.claim": [decision("POST", "/taken/{task}/oppakken", COORDINATORS)],
    "tasks.release": [decision("POST", "/taken/{task}/vrijgeven", COORDINATORS, prepare="claim_task_by_ib")],
    "cases.index": [decision("GET", "/zaken", STARTERS | {BOARD})],  # board: only cases handed to it
    "cases.start": [decision("GET", "/zaken/nieuw", STARTERS),
                    decision("POST", "/zaken/nieuw", STARTERS, {"naam": ""})],
    "cases.show": [decision("GET", "/zaken/{case}", CASE_STAFF)],
    "cases.acute": [decision("GET", "/zaken/{case}/acuut", CASE_STAFF),
                    decision("POST", "/zaken/{case}/acuut", CASE_STAFF, {"bevestig": "ja"})],
    "cases.signal": [decision("GET", "/zaken/{case}/gebeurtenis?gebeurtenis=leerling_vertrekt", COORDINATORS),
                     decision("POST", "/zaken/{case}/gebeurtenis", COORDINATORS,
                              {"gebeurtenis": "leerling_vertrekt", "bevestig": "ja"})],
    "cases.add_note": [decision("POST", "/zaken/{case}/notities", CASE_STAFF, {"soort": "feit", "tekst": "x"})],
    "cases.upload_attachment": [decision("POST", "/zaken/{case}/bijlagen", CASE_STAFF)],
    "cases.download_attachment": [decision("GET", "/zaken/{case}/bijlagen/{attachment}", CASE_STAFF)],
    "cases.diagram": [decision("GET", "/zaken/{case}/diagram.bpmn", CASE_STAFF)],
    "cases.diagram_position": [decision("GET", "/zaken/{case}/diagram.json", CASE_STAFF)],
    # The JSON API mirrors the pages above: the same people may do the same things.
    "api.session": [decision("GET", "/api/v1/sessie", ACTORS)],
    "api.login": [decision("POST", "/api/v1/sessie", ACTORS,
                           json={"email": "leerkracht@school-a.test", "wachtwoord": TEST_PASSWORD})],
    "api.logout": [decision("DELETE", "/api/v1/sessie", LOGGED_IN, json={})],
    "api.openapi": [decision("GET", "/api/v1/openapi.json", ACTORS)],
    "api.task_index": [decision("GET", "/api/v1/taken?lijst=rol", LOGGED_IN)],
    "api.task": [decision("GET", "/api/v1/taken/{task}", CASE_STAFF)],
    "api.save_draft": [decision("PUT", "/api/v1/taken/{task}/concept", COORDINATORS, json={"waarden": {}})],
    "api.complete_task": [decision("POST", "/api/v1/taken/{task}/afronden", COORDINATORS, json={"waarden": {}})],
    "api.claim_task": [decision("POST", "/api/v1/taken/{task}/oppakken", COORDINATORS, json={})],
    "api.release_task": [decision("POST", "/api/v1/taken/{task}/vrijgeven", COORDINATORS, json={},
                                  prepare="claim_task_by_ib")],
    "api.routes": [decision("GET", "/api/v1/routes", STARTERS)],
    "api.start_case": [decision("POST", "/api/v1/zaken", STARTERS, json={})],
    "api.case_index": [decision("GET", "/api/v1/zaken?status=alle", STARTERS | {BOARD})],
    "api.case": [decision("GET", "/api/v1/zaken/{case}", CASE_STAFF)],
    "api.case_diagram": [decision("GET", "/api/v1/zaken/{case}/diagram", CASE_STAFF)],
    "api.add_note": [decision("POST", "/api/v1/zaken/{case}/notities", CASE_STAFF, json={"soort": "feit", "tekst": "x"})],
    "api.upload_attachment": [decision("POST", "/api/v1/zaken/{case}/bijlagen", CASE_STAFF, upload=True)],
    "api.download_attachment": [decision("GET", "/api/v1/zaken/{case}/bijlagen/{attachment}", CASE_STAFF)],
    "api.raise_acute_danger": [decision("POST", "/api/v1/zaken/{case}/acuut-gevaar", CASE_STAFF, json={})],
    "api.send_signal": [decision("POST", "/api/v1/zaken/{case}/gebeurtenissen", COORDINATORS,
                                 json={"gebeurtenis": "leerling_vertrekt"})],
    "cases.reopen": [decision("POST", "/zaken/{case}/heropenen", COORDINATORS, {"reden": "nieuwe signalen"})],
    "cases.add_correction": [decision("POST", "/zaken/{case}/correcties", COORDINATORS, {"tekst": "x"})],
    "api.reopen_case": [decision("POST", "/api/v1/zaken/{case}/heropenen", COORDINATORS, json={"reden": "x"})],
    "api.add_correction": [decision("POST", "/api/v1/zaken/{case}/correcties", COORDINATORS, json={
        "verzocht_door": "moeder", "verzocht_op": "2026-03-01", "betreft": "stap 1", "tekst": "x"})],
    # Inzage: the coordinators and director of the pupil's school (another school's IB has their own list);
    # the board handles the requests addressed to it ({board_inzage}), never the school's own ({inzage}).
    "privacy.requests": [decision("GET", "/inzage", COORDINATORS | {OTHER_SCHOOL, BOARD}),
                         decision("POST", "/inzage", COORDINATORS | {OTHER_SCHOOL, BOARD}, {"naam": ""})],
    "privacy.export_pdf": [decision("GET", "/inzage/{inzage}/inzage.pdf", COORDINATORS),
                           decision("GET", "/inzage/{board_inzage}/inzage.pdf", COORDINATORS | {BOARD})],
    "privacy.export_json": [decision("GET", "/inzage/{inzage}/inzage.json", COORDINATORS),
                            decision("GET", "/inzage/{board_inzage}/inzage.json", COORDINATORS | {BOARD})],
    "privacy.export_zip": [decision("GET", "/inzage/{inzage}/inzage.zip", COORDINATORS),
                           decision("GET", "/inzage/{board_inzage}/inzage.zip", COORDINATORS | {BOARD})],
    "privacy.answered": [decision("POST", "/inzage/{inzage}/beantwoord", COORDINATORS),
                         decision("POST", "/inzage/{board_inzage}/beantwoord", COORDINATORS | {BOARD},
                                  {"uitkomst": "geweigerd", "reden": "x"})],
    # Retention terms: the beheerder keeps them; director and board (who set them) read them.
    "privacy.retention_terms": [decision("GET", "/bewaartermijnen", {ADMIN, DIRECTOR, BOARD}),
                                decision("POST", "/bewaartermijnen", {ADMIN},
                                         {"school": "{school}", "categorie": "dossier", "termijn": "P5Y"})],
    # The school calendar (holiday region, study days): the beheerder keeps it; director and board read it.
    "school_calendar.calendar": [decision("GET", "/schoolkalender", {ADMIN, DIRECTOR, BOARD}),
                                 decision("POST", "/schoolkalender", {ADMIN},
                                          {"school": "{school}", "actie": "regio", "regio": "midden"})],
    # Every member sees the school's published diagrams; policy owners and beheerders change them.
    "modeler.index": [decision("GET", "/diagrammen", LOGGED_IN)],  # each their own schools' routes
    "modeler.route": [decision("GET", "/diagrammen/{definition}", SCHOOL_A)],
    "modeler.published_diagram": [decision("GET", "/diagrammen/{definition}/gepubliceerd.json", SCHOOL_A)],
    "modeler.new_draft": [decision("POST", "/diagrammen/{definition}/concepten", DIAGRAM_MANAGERS)],
    "modeler.edit": [decision("GET", "/diagrammen/concepten/{draft}", DIAGRAM_MANAGERS)],
    "modeler.draft_content": [decision("GET", "/diagrammen/concepten/{draft}/inhoud.json", DIAGRAM_MANAGERS)],
    "modeler.save": [decision("PUT", "/diagrammen/concepten/{draft}", DIAGRAM_MANAGERS,
                              json={"bpmn": "<x/>", "revisie": 1})],
    "modeler.publish": [decision("POST", "/diagrammen/concepten/{draft}/publiceren", DIAGRAM_MANAGERS,
                                 {"revisie": "1", "notitie": ""})],
    "modeler.download_version": [decision("GET", "/diagrammen/{definition}/versies/1.bpmn", DIAGRAM_MANAGERS)],
    "modeler.download_version_with_forms": [decision("GET", "/diagrammen/{definition}/versies/1.zip",
                                                     DIAGRAM_MANAGERS)],
    "modeler.version_content": [decision("GET", "/diagrammen/{definition}/versies/1.json", DIAGRAM_MANAGERS)],
    "modeler.compare": [decision("GET", "/diagrammen/{definition}/verschil?van=1&naar=1", DIAGRAM_MANAGERS)],
    "notifications.index": [decision("GET", "/meldingen", LOGGED_IN)],  # everyone's own
    "notifications.mark_one_read": [decision("POST", "/meldingen/{notification}/gelezen", {IB})],
    "notifications.mark_all_read": [decision("POST", "/meldingen/gelezen", LOGGED_IN)],
    # Tests run without MAIL_SERVER (development): everyone reads the mails addressed to them.
    # With a mail server only the beheerder may (tests/notifications/test_pages.py).
    "notifications.outbox": [decision("GET", "/uitgaande-mail", LOGGED_IN)],
    # The monitor: figures for director and board, the cases behind them and the audit trail for
    # the director only (tests/monitor/ shows what each sees).
    "monitor.dashboard": [decision("GET", "/monitor", {DIRECTOR, BOARD})],
    "monitor.cases": [decision("GET", "/monitor/zaken?soort=open", {DIRECTOR})],
    "monitor.figures": [decision("GET", "/monitor/cijfers?jaar=2026", {DIRECTOR, BOARD})],
    "monitor.figures_download": [decision("GET", "/monitor/cijfers.csv?jaar=2026", {DIRECTOR, BOARD})],
    "monitor.durations": [decision("GET", "/monitor/doorlooptijden?periode=schooljaar", {DIRECTOR, BOARD})],
    "monitor.process": [decision("GET", "/monitor/proces", {DIRECTOR, BOARD})],
    "monitor.process_position": [decision("GET", "/monitor/proces.json?versie=1", {DIRECTOR, BOARD})],
    "monitor.case_audit": [decision("GET", "/monitor/zaken/{case}/audittrail", {DIRECTOR})],
}



def _outcome(response) -> str:
    if response.status_code in (401, 403, 404):
        return "denied"
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/inloggen" in location and "next=" in location:
        return "denied"  # sent to log in first (logging out also lands on /inloggen, without next)
    assert response.status_code < 500, response.text[:2000]
    return "allowed"


def _cases():
    for endpoint, decisions in sorted(DECISIONS.items()):
        for d in decisions:
            for actor in ACTORS:
                yield pytest.param(endpoint, d, actor, id=f"{endpoint}-{d.method}-{actor}")


def test_every_route_has_a_decision(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    decided = {(endpoint, d.method) for endpoint, decisions in DECISIONS.items() for d in decisions}
    assert routes - decided == set(), "routes without an access decision"
    assert decided - routes == set(), "decisions for routes that no longer exist"


@pytest.mark.parametrize("endpoint, d, actor", list(_cases()))
def test_route_access(endpoint, d, actor, app, world, session, services):
    if d.prepare:
        getattr(world, d.prepare)(session, services)
    user = WebUser(app, EMAILS.get(actor))
    token = {} if actor == ANON else {"csrf_token": user.csrf_token("/taken" if actor != ANON else "/inloggen")}
    if d.method == "GET":
        response = user.client.get(world.url(d.path))
    elif d.upload:
        response = user.client.post(world.url(d.path), data={"bestand": (io.BytesIO(b"%PDF-1.4"), "verslag.pdf",
                                                                          "application/pdf")},
                                    headers={"X-CSRFToken": token.get("csrf_token") or user.csrf_token()})
    elif d.json is not None:
        response = user.client.open(world.url(d.path), method=d.method, json=d.json,
                                    headers={"X-CSRFToken": token.get("csrf_token") or user.csrf_token()})
    else:
        data = {key: world.url(value) if isinstance(value, str) else value for key, value in (d.data or {}).items()}
        response = user.client.post(world.url(d.path), data={**token, **data})
    expected = "allowed" if actor in d.allowed else "denied"
    assert _outcome(response) == expected, f"{actor} {d.method} {world.url(d.path)} → {response.status_code}"
