"""Proof that scenario tests walk a whole diagram: every flow node visited, every end reached."""
from __future__ import annotations

from webapp.engine import CompiledProcess


def unvisited_elements(compiled: CompiledProcess, visited: set[str]) -> list[str]:
    return sorted(element_id for element_id in compiled.elements if element_id not in visited)


def coverage_report(compiled: CompiledProcess, visited: set[str]) -> str:
    total = len(compiled.elements)
    seen = total - len(unvisited_elements(compiled, visited))
    by_kind: dict[str, list[int]] = {}
    for element in compiled.elements.values():
        counts = by_kind.setdefault(element.kind, [0, 0])
        counts[1] += 1
        counts[0] += element.id in visited
    kinds = ", ".join(f"{kind} {a}/{b}" for kind, (a, b) in sorted(by_kind.items()))
    return f"{compiled.process_id}: {seen}/{total} elements visited ({kinds})"


def assert_every_element_visited(compiled: CompiledProcess, visited: set[str]) -> None:
    missing = unvisited_elements(compiled, visited)
    print(coverage_report(compiled, visited))
    assert not missing, f"scenarios never visit: {', '.join(missing)}"


def assert_scenarios_visit_every_element(scenarios, start, clock) -> None:
    """Run every scenario from the same moment and prove together they cover the whole diagram."""
    from tests.conftest import START_OF_TESTS

    visited: set[str] = set()
    compiled = None
    for scenario in scenarios:
        clock.set(START_OF_TESTS)
        walked = scenario(start)
        visited |= walked.visited
        compiled = walked.compiled()
    assert_every_element_visited(compiled, visited)
