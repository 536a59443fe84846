"""Compiled processes come from the cache by content hash: a case change does not read the BPMN text."""
from __future__ import annotations

from sqlalchemy import event

from tests.support.scenario import Scenario, setup_school
from webapp.definitions import spec_cache


def statements_during(database, action) -> list[str]:
    seen = []

    def remember(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", remember)
    try:
        action()
    finally:
        event.remove(database.engine, "before_cursor_execute", remember)
    return seen


def test_completing_a_task_reads_the_content_hash_not_the_diagram(session, services, database):
    setup = setup_school(session, services, "basismodel_2019")
    scenario = Scenario.start(session, services, database, setup)
    version_id = scenario.case.process_version_id

    statements = statements_during(database, lambda: scenario.complete("Stap1_Signaleren"))

    assert scenario.task("Stap1_ZorgDelen")  # the case moved on
    assert not [s for s in statements if "bpmn_xml" in s]
    assert [s for s in statements if "content_hash" in s]
    assert spec_cache.compiled_process_of(session, version_id) is scenario.compiled()


def test_a_version_not_compiled_yet_is_compiled_from_its_stored_text(session, services, database, monkeypatch):
    setup = setup_school(session, services, "basismodel_2019")
    version_id = setup.definitions["meldcode"].published_version_id
    monkeypatch.setattr(spec_cache, "_compiled", type(spec_cache._compiled)())  # an empty cache

    compiled = []
    first = statements_during(database, lambda: compiled.append(spec_cache.compiled_process_of(session, version_id)))
    again = statements_during(database, lambda: compiled.append(spec_cache.compiled_process_of(session, version_id)))

    assert [s for s in first if "bpmn_xml" in s]
    assert not [s for s in again if "bpmn_xml" in s]
    assert compiled[0].process_id == "Meldcode_Basismodel2019"
    assert compiled[1] is compiled[0]
