from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a diagram cannot be used, pointing at the element and line where known."""

    message: str
    element_id: str | None = None
    line: int | None = None

    def format(self, filename: str) -> str:
        where = ""
        if self.element_id:
            where += f" [{self.element_id}]"
        if self.line:
            where += f" line {self.line}"
        return f"{filename}: ERROR{where}: {self.message}"


class DiagramRejected(Exception):
    """Raised when a diagram is refused; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
