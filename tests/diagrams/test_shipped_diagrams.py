"""Every diagram we ship carries layout that renders legibly: complete DI, nothing overlapping."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.config import PROJECT_ROOT
from webapp.diagrams.di_check import check_di

DIAGRAMS = sorted((PROJECT_ROOT / "workflows").glob("*/*.bpmn"))


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_diagram_has_clean_layout(path: Path):
    assert check_di(path.read_bytes()) == []
