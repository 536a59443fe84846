"""A case's audit trail for the director: filterable, as CSV, itself audited; nobody else's."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.support.scenario import Scenario, setup_school
from tests.support.web import WebUser
from webapp.audit.models import AuditEntry
from webapp.cases.models import Case
from webapp.roles import Role


def _case(session, services, database):
    a = setup_school(session, services, "basismodel_2019", slug="school-a")
    setup_school(session, services, "basismodel_2019", slug="school-b")
    scenario = Scenario.start(session, services, database, a)
    scenario.complete("Stap1_Signaleren", {"signalen_over_medewerker": False}, role=Role.LEERKRACHT)
    return a, scenario.case_id


def test_director_reads_and_filters_the_trail(app, session, services, database):
    a, case_id = _case(session, services, database)
    WebUser(app, "ib@school-a.test").get(f"/zaken/{case_id}")  # a read, by the IB
    director = WebUser(app, "directeur@school-a.test")
    page = director.get(f"/monitor/zaken/{case_id}/audittrail")
    assert page.status_code == 200
    assert "task.complete" in page.text and "Lotte Leerkracht" in page.text and "Ilse Intern-Begeleider" in page.text
    only_tasks = director.get(f"/monitor/zaken/{case_id}/audittrail?soort=task")
    actions = set(re.findall(r"<tr><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>", only_tasks.text))
    assert actions == {"task.complete"}
    ib = a.users[Role.INTERN_BEGELEIDER]
    by_ib = director.get(f"/monitor/zaken/{case_id}/audittrail?wie={ib}")
    assert "task.complete" not in by_ib.text and "Ilse Intern-Begeleider" in by_ib.text
    none_yet = director.get(f"/monitor/zaken/{case_id}/audittrail?van=2030-01-01")
    assert "<tr><td>" not in none_yet.text


def test_trail_as_csv_and_the_read_is_recorded(app, session, services, database):
    a, case_id = _case(session, services, database)
    director = WebUser(app, "directeur@school-a.test")
    download = director.get(f"/monitor/zaken/{case_id}/audittrail?formaat=csv&soort=task")
    reference = session.get(Case, case_id).reference
    assert download.headers["Content-Disposition"] == f'attachment; filename="audittrail-{reference}.csv"'
    assert download.data.startswith(b"\xef\xbb\xbf")
    lines = download.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Tijdstip;Wie;Actie;Details;Adres"
    assert len(lines) == 2 and ";Lotte Leerkracht;task.complete;" in lines[1]
    read = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.audit_read")).one()
    assert (read.user_id, read.case_id, read.detail["csv"]) == (a.users[Role.DIRECTEUR], case_id, True)


def test_only_the_director_of_the_school_reads_it(app, session, services, database):
    _, case_id = _case(session, services, database)
    assert WebUser(app, "ib@school-a.test").get(f"/monitor/zaken/{case_id}/audittrail").status_code == 403
    assert WebUser(app, "bestuur@school-a.test").get(f"/monitor/zaken/{case_id}/audittrail").status_code == 404
    assert WebUser(app, "directeur@school-b.test").get(f"/monitor/zaken/{case_id}/audittrail").status_code == 404


def test_the_case_page_links_to_the_trail_exactly_for_who_may_read_it(app, session, services, database):
    _, case_id = _case(session, services, database)
    link = f'href="/monitor/zaken/{case_id}/audittrail"'
    shown = {}
    for prefix in ("leerkracht", "ib", "directeur", "bestuur", "beleid", "beheer"):
        for school in ("school-a", "school-b"):
            user = WebUser(app, f"{prefix}@{school}.test")
            page = user.get(f"/zaken/{case_id}")
            trail = user.get(f"/monitor/zaken/{case_id}/audittrail").status_code
            has_link = page.status_code == 200 and link in page.text
            assert has_link == (trail == 200), (prefix, school, page.status_code, trail)
            shown[(prefix, school)] = has_link
    assert [who for who, has_link in shown.items() if has_link] == [("directeur", "school-a")]
