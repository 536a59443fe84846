"""One name per role (issue 15, item 19): the school's own word for a lane, the same in the task
lists, on the task page, on the case page, in the API and in notices.

Found by walking the variants: Oostpoort's lists said "Zorgteam" where its task page said
"Zorgoverleg", Fedra's "Ondersteuningsteam (klein en groot)", and "Leerkracht" also appeared as
"Leerkracht / medewerker".
"""
from __future__ import annotations

import re

import pytest

from tests.support.scenario import Scenario, setup_school
from tests.support.variants import variant_copy
from tests.support.web import WebUser
from webapp.cases.models import CaseTask
from webapp.notifications.deadline_notices import NoticeKind, notice_text
from webapp.roles import LANE_LABELS, Lane
from webapp.schools.variants import VariantError, load_variant

VARIANTS = ["basismodel_2019", "fasenmodel", "fedra_2019", "oostpoort_delft", "symbio_hengelo"]


def _role_cells(html: str) -> list[str]:
    """The task list's 'Rol' column (the fourth cell of each row of the task table)."""
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", html, flags=re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
    return [re.sub(r"<[^>]+>", "", row[3]).strip() for row in cells if len(row) > 3]


def _everywhere(app, session, services, scenario: Scenario, element_id: str, email: str) -> set[str]:
    """What the list, the task page, the case page and the API call the role of one open task."""
    task = scenario.task(element_id)
    user = WebUser(app, email)
    said = set()
    listed = user.get("/taken?lijst=rol").text + user.get("/taken?lijst=mijn").text
    said.update(cell for cell in _role_cells(listed) if cell)
    page = user.get(f"/taken/{task.id}").text
    said.add(re.search(r"Rol: ([^·<]+)", page).group(1).strip())
    api = user.get(f"/api/v1/taken/{task.id}").get_json()
    said.add(api["lane_label"])
    case = user.get(f"/api/v1/zaken/{scenario.case_id}").get_json()
    said.update(t["lane_label"] for t in case["open_taken"] if t["id"] == task.id)
    case_page = user.get(f"/zaken/{scenario.case_id}").text
    assert services.lane_term(scenario.setup.school, task.lane) in case_page
    return {text.replace("&#39;", "'") for text in said}


@pytest.mark.parametrize("variant_key", VARIANTS)
def test_the_first_task_names_its_role_with_the_schools_word_everywhere(app, session, services, database, variant_key):
    setup = setup_school(session, services, variant_key)
    route = next(iter(setup.definitions))
    scenario = Scenario.start(session, services, database, setup, route=route)
    first = scenario.open_tasks()[0]
    term = services.variants[variant_key].lane_term(first.lane)
    assert _everywhere(app, session, services, scenario, first.element_id, "leerkracht@testschool.test") == {term}


def test_oostpoorts_zorgoverleg_is_called_zorgoverleg_everywhere(app, session, services, database):
    setup = setup_school(session, services, "oostpoort_delft")
    s = Scenario.start(session, services, database, setup)
    s.walk(("Stap1_Signaleren", {"signalen_over_medewerker": False, "vastgelegd_in_esis": True}),
           ("Stap1_Signaleringsinstrument", {"ingevuld_met_leerkracht": True, "uitkomst_stap1": "zorgen"}))
    s.complete("Stap2_ToestemmingOuder", {"ouder_op_de_hoogte": "ja", "toestemming_open_bespreken": "gegeven"})
    assert s.task("Stap2_ZorgoverlegOpen").lane == "zorgteam"
    assert _everywhere(app, session, services, s, "Stap2_ZorgoverlegOpen", "ib@testschool.test") == {"Zorgoverleg"}
    task = s.task("Stap2_ZorgoverlegOpen")
    # the reminder of such a task (the step has no term of its own: a stand-in with one)
    due = CaseTask(name=task.name, lane=task.lane, due_at=services.now())
    _title, body, _event = notice_text(NoticeKind.REMINDER, s.case, due, services.lane_term(setup.school, due.lane))
    assert "(Zorgoverleg)" in body and "Zorgteam" not in body


@pytest.mark.parametrize("variant_key", VARIANTS)
def test_every_variant_names_every_role_and_the_names_are_its_lanes_words(services, variant_key):
    variant = services.variants[variant_key]
    assert set(variant.lane_terms) == {lane.value for lane in Lane}
    for lane in Lane:
        assert variant.lane_term(lane.value)
    # a task shared by two lanes names both
    assert variant.lane_term("intern_begeleider+directie") == (
        f"{variant.lane_term('intern_begeleider')} of {variant.lane_term('directie')}")


def test_a_word_the_diagrams_lanes_would_not_be_recognised_by_is_refused(tmp_path):
    target = variant_copy(tmp_path, "fedra_2019",
                          lambda text: text.replace('zorgteam: "Ondersteuningsteam"', 'zorgteam: "Kernteam"'))
    with pytest.raises(VariantError, match="lanes.zorgteam: 'Kernteam' wordt niet herkend"):
        load_variant(target)


def test_a_school_without_own_words_falls_back_to_the_general_labels(services):
    variant = services.variants["fedra_2019"]
    bare = type(variant)(**{**variant.__dict__, "lane_terms": {}})
    assert bare.lane_term("zorgteam") == LANE_LABELS[Lane.ZORGTEAM]
