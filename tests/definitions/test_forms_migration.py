"""Migration 0008 gives every stored version the forms it names, as forms/ holds them today."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from webapp.config import PROJECT_ROOT
from webapp.migrations import upgrade_database

BPMN = (PROJECT_ROOT / "workflows" / "basismodel_2019" / "meldcode.bpmn").read_text(encoding="utf-8")


def test_existing_versions_get_their_forms(tmp_path):
    url = f"sqlite:///{tmp_path / 'oud.db'}"
    upgrade_database(url, "0007")  # the schema just before 0008: raw SQL, the models are of today
    engine = create_engine(url)
    with Session(engine) as session:
        session.execute(text("INSERT INTO schools (id, slug, name, variant) "
                             "VALUES (1, 'oud', 'Oude school', 'basismodel_2019')"))
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        session.execute(text("INSERT INTO process_definitions (id, school_id, route_key, name) "
                             "VALUES (1, 1, 'meldcode', 'Meldcode')"))
        session.execute(text("INSERT INTO process_versions (id, definition_id, number, bpmn_process_id, bpmn_xml, "
                             "content_hash, created_at) VALUES (1, 1, 1, 'p', :xml, 'x', :now)"),
                        {"xml": BPMN, "now": now})
        session.commit()
    upgrade_database(url)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT form_key, source_yaml FROM process_version_forms "
                                            "WHERE version_id = 1")).all())
    engine.dispose()
    assert "basismodel_2019/stap1_signaleren" in rows
    assert rows["basismodel_2019/stap1_signaleren"] == (
        PROJECT_ROOT / "forms" / "basismodel_2019" / "stap1_signaleren.yaml").read_text(encoding="utf-8")
    assert all(key.startswith("basismodel_2019/") for key in rows)
