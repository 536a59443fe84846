"""A copy of a shipped variant folder with one file changed, for tests of what a broken one does."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def variant_copy(tmp_path: Path, variant_key: str, change: Callable[[str], str],
                 file_name: str = "variant.yaml") -> Path:
    source = WORKFLOWS / variant_key
    target = tmp_path / variant_key
    target.mkdir()
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    changed = target / file_name
    changed.write_text(change(changed.read_text(encoding="utf-8")), encoding="utf-8")
    return target
