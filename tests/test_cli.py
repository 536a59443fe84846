"""`meldroute check-bpmn`, run as a real process: OK lines, ERROR lines, exit code, no traceback."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.test_import_validation import diagram
from webapp.config import PROJECT_ROOT


def check(*paths) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "webapp.cli", "check-bpmn", *map(str, paths)],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
    )


def test_valid_and_invalid_files(tmp_path):
    good = tmp_path / "goed.bpmn"
    good.write_bytes(diagram())
    script = tmp_path / "script.bpmn"
    script.write_bytes(diagram().replace(b'<bpmn:userTask id="Task_1" name="Besluit"',
                                         b'<bpmn:scriptTask id="Task_1" name="Besluit"')
                       .replace(b"meldroute:formKey=\"basismodel_2019/stap1_besluit\"/>", b"><bpmn:script>x=1</bpmn:script></bpmn:scriptTask>"))
    binary = tmp_path / "plaatje.bpmn"
    binary.write_bytes(bytes(range(256)) * 4)
    html = tmp_path / "pagina.bpmn"
    html.write_text("<html><body/></html>")
    missing = tmp_path / "bestaat-niet.bpmn"

    result = check(good, script, binary, html, missing, tmp_path)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert lines[0] == f"{good}: OK"
    script_line = next(line for line in lines if line.startswith(str(script)))
    assert script_line.startswith(f"{script}: ERROR [Task_1] line ")
    assert "scripttaak" in script_line
    assert any(line.startswith(f"{binary}: ERROR") for line in lines)
    assert any(line.startswith(f"{html}: ERROR") and "geen BPMN" in line for line in lines)
    assert any(line.startswith(f"{missing}: ERROR") for line in lines)
    assert any(line.startswith(f"{tmp_path}: ERROR") for line in lines)


def test_all_shipped_diagrams_pass():
    diagrams = sorted((PROJECT_ROOT / "workflows").glob("*/*.bpmn"))
    result = check(*diagrams)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(": OK") == len(diagrams)


def test_layout_command_reports_shipped_diagrams_as_laid_out():
    result = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "layout-bpmn", "--check",
         *map(str, sorted((PROJECT_ROOT / "workflows").glob("*/*.bpmn")))],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _meldroute(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=180, env={**os.environ, **env})


def _broken_copy(tmp_path, folder: str, relative: str, change) -> Path:
    copy = tmp_path / folder
    shutil.copytree(PROJECT_ROOT / folder, copy)
    target = copy / relative
    target.write_text(change(target.read_text(encoding="utf-8")), encoding="utf-8")
    return copy


@pytest.mark.parametrize(("setting", "folder", "relative", "change", "expected"), [
    ("MELDROUTE_WORKFLOWS_DIR", "workflows", "fedra_2019/meldcode.bpmn",
     lambda text: re.sub(r"(<bpmn:conditionExpression[^>]*>)[^<]*", r"\1__import__('os') ==", text, count=1),
     re.compile(r"fedra_2019/meldcode\.bpmn: ERROR \[Flow_\w+\] line \d+: voorwaarde .*ongeldige expressie")),
    ("MELDROUTE_FORMS_DIR", "forms", "fedra_2019/afweging3_hulp.yaml",
     lambda text: text.replace("type: choice", "type: keuze", 1),
     re.compile(r"fedra_2019/afweging3_hulp\.yaml: formulier fedra_2019/afweging3_hulp, veld afweging3: onbekend type 'keuze'")),
    ("MELDROUTE_WORKFLOWS_DIR", "workflows", "fasenmodel/variant.yaml", lambda text: text + "routes: [\n",
     re.compile(r"fasenmodel/variant\.yaml: geen geldige YAML")),
])
def test_load_demo_with_a_broken_file_names_it_and_stores_nothing(tmp_path, setting, folder, relative, change, expected):
    database = tmp_path / "demo.db"
    env = {"DATABASE_URL": f"sqlite:///{database}", setting: str(_broken_copy(tmp_path, folder, relative, change))}
    assert _meldroute("init-db", env={"DATABASE_URL": env["DATABASE_URL"]}).returncode == 0
    result = _meldroute("load-demo", env=env)
    assert result.returncode == 1
    assert expected.search(result.stderr), result.stderr
    assert "Traceback" not in result.stderr and "Niets geladen" in result.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("select count(*) from schools").fetchone() == (0,)
        assert connection.execute("select count(*) from process_versions").fetchone() == (0,)
