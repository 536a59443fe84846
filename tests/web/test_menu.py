"""Each role's menu shows only what it may use: every link in the main menu and the user's bar
opens for that user (no 403 or 404 behind a link), and the account pages show up for the beheerder only."""
from __future__ import annotations

import re

import pytest

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

_HEADER = re.compile(r'<header class="topbar">(.*?)</header>', re.S)
_LINK = re.compile(r'<a [^>]*href="([^"]+)"')


@pytest.mark.parametrize("actor", [OWNER, OTHER_TEACHER, IB, DIRECTOR, BOARD, POLICY_OWNER, ADMIN, OTHER_SCHOOL])
def test_every_menu_link_opens_for_its_user(app, world, actor):
    user = WebUser(app, EMAILS[actor])
    header = _HEADER.search(user.get("/taken").text).group(1)
    links = sorted(set(_LINK.findall(header)))
    assert "/wachtwoord-wijzigen" in links and "/sessies" in links
    assert ("/gebruikers" in links) == (actor == ADMIN)
    for link in links:
        response = user.get(link.replace("&amp;", "&"))
        assert response.status_code < 400, f"{actor}: {link} → {response.status_code}"
