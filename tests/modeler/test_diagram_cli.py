"""`meldroute diagram publish|versions|export`, run as real processes against the test database."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from tests.engine.test_import_validation import FORM
from tests.modeler.test_drafts import CAMUNDA_FILE, ONE_TASK
from tests.support.scenario import setup_school
from webapp.audit.models import AuditEntry
from webapp.config import PROJECT_ROOT
from webapp.definitions.models import ProcessDefinition, ProcessVersion
from webapp.schools.models import Board

pytestmark = pytest.mark.slow


def meldroute(database_url, tmp_path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "MELDROUTE_INSTANCE_PATH": str(tmp_path / "instance")}
    return subprocess.run([sys.executable, "-m", "webapp.cli", "diagram", *map(str, args)],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120, env=env)


def test_publish_versions_and_export(session, services, database_url, tmp_path):
    from tests.engine.test_import_validation import diagram

    setup_school(session, services, "basismodel_2019", slug="cli-school")
    session.commit()
    good = tmp_path / "goed.bpmn"
    good.write_bytes(diagram(ONE_TASK))
    broken = tmp_path / "script.bpmn"
    broken.write_bytes(diagram(ONE_TASK.replace("bpmn:userTask", "bpmn:scriptTask")))
    camunda = tmp_path / "camunda.bpmn"
    camunda.write_bytes(CAMUNDA_FILE)

    refused = meldroute(database_url, tmp_path, "publish", "--school", "cli-school", "--route", "meldcode",
                        "--note", "kapot", broken)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stdout + refused.stderr
    assert refused.stderr.startswith(f"{broken}: ERROR [Task_1] line ")
    refused = meldroute(database_url, tmp_path, "publish", "--school", "cli-school", "--route", "meldcode",
                        "--note", "uit Camunda", camunda)
    assert refused.returncode == 1 and "[Activity_signaal]" in refused.stderr
    assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 1

    published = meldroute(database_url, tmp_path, "publish", "--school", "cli-school", "--route", "meldcode",
                          "--forms", PROJECT_ROOT / "forms", "--note", "Eén besluit", good)
    assert published.returncode == 0, published.stderr
    assert "versie 2 gepubliceerd" in published.stdout

    versions = meldroute(database_url, tmp_path, "versions", "--school", "cli-school")
    assert versions.returncode == 0, versions.stderr
    lines = versions.stdout.splitlines()
    assert lines[0].startswith("meldcode")
    assert lines[2].startswith("  * v2") and lines[2].endswith("Eén besluit")

    exported = meldroute(database_url, tmp_path, "export", "--school", "cli-school", "--route", "meldcode",
                         "--version", "2", "--forms", tmp_path / "export")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == good.read_text()
    assert (tmp_path / "export" / f"{FORM}.yaml").read_text() == services.forms.source(FORM)
    session.expire_all()
    audited = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("diagram.%"))).all()
    assert sorted(audited) == ["diagram.export", "diagram.publish"]

    unknown = meldroute(database_url, tmp_path, "versions", "--school", "bestaat-niet")
    assert unknown.returncode != 0 and "bestaat niet" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_boards_route_on_the_command_line(session, services, database_url, tmp_path):
    """--bestuur: the board's route, made on first publish for a key its schools have; audited as the board's."""
    from tests.engine.test_import_validation import diagram

    setup = setup_school(session, services, "basismodel_2019", slug="cli-bestuur-school")
    board = Board(name="Stichting Opdrachtregel")
    session.add(board)
    session.flush()
    setup.school.board_id = board.id
    session.commit()
    good = tmp_path / "goed.bpmn"
    good.write_bytes(diagram(ONE_TASK))

    unknown_key = meldroute(database_url, tmp_path, "publish", "--bestuur", board.name, "--route", "onbekend",
                            "--note", "x", good)
    assert unknown_key.returncode != 0 and "geen route 'onbekend'" in unknown_key.stderr
    both = meldroute(database_url, tmp_path, "versions", "--school", "cli-bestuur-school", "--bestuur", board.name)
    assert both.returncode != 0 and "één van beide" in both.stderr

    broken = tmp_path / "script.bpmn"
    broken.write_bytes(diagram(ONE_TASK.replace("bpmn:userTask", "bpmn:scriptTask")))
    refused = meldroute(database_url, tmp_path, "publish", "--bestuur", board.name, "--route", "meldcode",
                        "--note", "kapot", broken)
    assert refused.returncode == 1 and "[Task_1]" in refused.stderr
    assert session.scalar(select(func.count()).select_from(ProcessDefinition)
                          .where(ProcessDefinition.board_id == board.id)) == 0
    published = meldroute(database_url, tmp_path, "publish", "--bestuur", board.name, "--route", "meldcode",
                          "--note", "Voor alle scholen", good)
    assert published.returncode == 0, published.stderr
    assert "versie 1 gepubliceerd" in published.stdout
    session.expire_all()
    route = session.scalar(select(ProcessDefinition).where(ProcessDefinition.board_id == board.id))
    assert (route.route_key, route.school_id, route.published_version.number) == ("meldcode", None, 1)
    versions = meldroute(database_url, tmp_path, "versions", "--bestuur", board.name)
    assert versions.stdout.splitlines()[1].startswith("  * v1") and "Voor alle scholen" in versions.stdout
    exported = meldroute(database_url, tmp_path, "export", "--bestuur", board.name, "--route", "meldcode",
                         "--version", "1")
    assert exported.returncode == 0 and exported.stdout == good.read_text()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("diagram.%"))).all()
    assert sorted((e.action, e.school_id, e.detail["board_id"]) for e in entries) == [
        ("diagram.export", None, board.id), ("diagram.publish", None, board.id)]
