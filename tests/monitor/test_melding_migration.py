"""Migration 0011 marks the task rows of versions stored before `meldroute:melding` by the legacy
list of melding steps, so old cases still count as meldingen."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine, text

from webapp.cases.outcomes import LEGACY_MELDING_ELEMENTS
from webapp.migrations import upgrade_database


def test_existing_melding_steps_are_marked(tmp_path):
    url = f"sqlite:///{tmp_path / 'oud.db'}"
    upgrade_database(url, "0010")  # the schema just before 0011: raw SQL, the models are of today
    engine = create_engine(url)
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    elements = sorted(LEGACY_MELDING_ELEMENTS) + ["Stap1_Signaleren", "Stap5b_GesprekOuders"]
    with engine.begin() as connection:
        for n, element in enumerate(elements):
            connection.execute(text(
                "INSERT INTO case_tasks (case_id, school_id, spiff_task_id, element_id, name, lane, form_key, "
                "status, created_at) VALUES (1, 1, :spiff, :element, 'x', 'intern_begeleider', 'f', 'completed', :now)"),
                {"spiff": f"t{n}", "element": element, "now": now})
    upgrade_database(url)
    with engine.connect() as connection:
        marked = dict(connection.execute(text("SELECT element_id, melding FROM case_tasks")).all())
    engine.dispose()
    assert {element for element, melding in marked.items() if melding} == LEGACY_MELDING_ELEMENTS
    assert len(marked) == len(elements)
