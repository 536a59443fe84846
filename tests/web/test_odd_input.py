"""No route answers 500 to odd input: huge or odd ids, junk form fields, NUL characters, non-JSON.

A coordinator (who may use nearly every route) sends each route of the access matrix the odd
values below; whatever the answer, it must be a deliberate one (< 500) and in Dutch.
"""
from __future__ import annotations

import io

import pytest

from tests.support.web import WebUser
from tests.support.world import ADMIN, EMAILS, IB, POLICY_OWNER, World
from tests.web.test_access_matrix import DECISIONS

HUGE = "99999999999999999999"
ODD_FORM = {
    "route": "²", "naam": "x" * 300, "groep": "\x00", "geboortedatum": "99999-99-99",
    "soort": "feit", "tekst": "nul\x00teken", "bron": "\x00", "vervolg_op": HUGE, "oordeel": "?",
    "gebeurtenis": "../../etc/passwd", "bevestig": "ja", "actie": "opslaan",
    "datum_besproken": "2026-02-30", "besproken_met": ["\x00", "x"], "situatie": "\x00",
    "email": "\x00@x", "wachtwoord": "\x00",
}
# The same without NUL characters (which the door refuses before any route sees the form), and
# the account forms' fields: huge ids, unknown roles, very long passwords.
ODD_FORM_WITHOUT_NUL = {
    **{key: value for key, value in ODD_FORM.items() if "\x00" not in str(value)},
    "email": "x@" + "y" * 300, "school": HUGE, "rol": "²", "actief": "²", "verplicht": "²",
    "huidig": "x" * 5000, "nieuw": "é" * 5000, "herhaling": "é" * 5000,
}
ODD_JSON = [
    {"waarden": {"datum_besproken": "\x00", "onbekend": {"a": [1e308]}}},
    {"waarden": {"situatie": "nul\x00teken"}},
    {"route": 10**30, "leerling_id": -5, "leerling": {"naam": "\x00", "groep": 5, "geboortedatum": None}},
    {"route": 1, "leerling": {"naam": "Sam\x00", "groep": "5", "geboortedatum": "2017-03-14"}},
    {"email": 5, "wachtwoord": None},
    [1, 2, 3],
]
DEEP_JSON = ['{"waarden": {"situatie": ' + "[" * 900 + "]" * 900 + "}}",  # deep, yet within the parser's reach
             '{"waarden": ' + "[" * 100000 + "]" * 100000 + "}"]  # beyond it


def _paths(path: str, world: World) -> list[str]:
    real = world.url(path)
    odd = (path.replace("{case}", HUGE).replace("{task}", "0").replace("{attachment}", "²")
           .replace("{inzage}", HUGE).replace("{school}", HUGE).replace("{owner}", HUGE)
           .replace("{definition}", HUGE).replace("{draft}", "0"))
    return [real, odd, real.replace("?", "?school=" + HUGE + "&stap=%00&")]


@pytest.mark.parametrize("endpoint", sorted(DECISIONS))
def test_odd_input_never_gives_a_server_error(endpoint, app, world):
    # The diagram routes are the policy owner's, the account pages the beheerder's: sent as a
    # coordinator they would stop at 403 or 404.
    sender = POLICY_OWNER if endpoint.startswith("modeler.") else ADMIN if endpoint.startswith("users.") else IB
    user = WebUser(app, EMAILS[sender])
    token = user.csrf_token("/taken")
    for d in DECISIONS[endpoint]:
        for path in _paths(d.path, world):
            if d.method == "GET":
                responses = [user.client.get(path)]
            elif d.upload:
                responses = [user.client.post(path, data={"bestand": (io.BytesIO(b"\x00" * 10), "\x00.pdf", "x/\x00")},
                                              headers={"X-CSRFToken": token}),
                             user.client.post(path, data=ODD_FORM, headers={"X-CSRFToken": token})]
            elif d.json is not None:
                headers = {"X-CSRFToken": token}
                responses = [user.client.open(path, method=d.method, json=body, headers=headers) for body in ODD_JSON]
                responses += [user.client.open(path, method=d.method, data=raw, headers=headers,
                                               content_type="application/json") for raw in ["{kapot", *DEEP_JSON]]
            else:
                responses = [user.client.post(path, data={**odd, "csrf_token": token})
                             for odd in (ODD_FORM, ODD_FORM_WITHOUT_NUL)]
            for response in responses:
                assert response.status_code < 500, f"{d.method} {path} → {response.status_code}: {response.text[:500]}"
        if endpoint in ("auth.logout", "api.logout", "api.login", "auth.login"):
            user = WebUser(app, EMAILS[sender])  # logging out (or in again) ends the session used above
            token = user.csrf_token("/taken")


def test_nul_characters_and_too_deep_json_are_refused_in_dutch(app, world):
    user = WebUser(app, EMAILS[IB])
    token = user.csrf_token("/taken")
    note = user.client.post(f"/zaken/{world.case_id}/notities", data={"csrf_token": token, "soort": "feit",
                                                                       "tekst": "nul\x00teken"})
    assert note.status_code == 400 and "ongeldig teken (NUL)" in note.text
    api = user.client.put(f"/api/v1/taken/{world.task_id}/concept", json={"waarden": {"situatie": "a\x00"}},
                          headers={"X-CSRFToken": token})
    assert api.status_code == 400 and "NUL" in api.get_json()["fout"]
    deep = user.client.put(f"/api/v1/taken/{world.task_id}/concept", data=DEEP_JSON[1],
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert deep.status_code == 400 and "te diep genest" in deep.get_json()["fout"]
    assert user.get("/taken?stap=%00").status_code == 400
