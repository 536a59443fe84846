"""`meldroute check-bpmn`: the import validation applied to files, one line per problem.

Whatever a file holds (binary, non-BPMN XML, diagrams from other tools), the result is an `OK`
line or `ERROR` lines, never a traceback.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from webapp.engine import DiagramRejected, Problem, compile_bpmn
from webapp.forms.catalog import FormCatalog
from webapp.forms.definition import FormDefinitionError


def check_files(paths: Iterable[Path], forms_dir: Path) -> tuple[list[str], bool]:
    try:
        forms = FormCatalog.from_directory(forms_dir)
    except FormDefinitionError as exc:
        return [f"{forms_dir}: ERROR: formulieren kunnen niet worden geladen: {exc}"], True
    lines: list[str] = []
    failed = False
    for path in paths:
        problems = check_file(path, forms)
        if problems:
            failed = True
            lines.extend(problem.format(str(path)) for problem in problems)
        else:
            lines.append(f"{path}: OK")
    return lines, failed


def check_file(path: Path, forms: FormCatalog) -> list[Problem]:
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        return [Problem("is een map, geen bestand")]
    except OSError as exc:
        return [Problem(f"bestand kan niet worden gelezen: {exc.strerror or exc}")]
    try:
        compile_bpmn(data, filename=str(path), forms=forms)
    except DiagramRejected as rejected:
        return rejected.problems or [Problem("diagram geweigerd")]
    except Exception as exc:  # a validator bug must still not print a traceback to a user
        return [Problem(f"interne fout bij het controleren ({type(exc).__name__}: {exc})")]
    return []
