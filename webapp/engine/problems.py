from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a diagram cannot be used, pointing at the element and line where known."""

    message: str
    element_id: str | None = None
    line: int | None = None
    # "warning": kept and shown, never blocks saving or publishing (e.g. documentation-only elements).
    severity: str = "error"

    def as_dict(self) -> dict:
        return {"message": self.message, "element_id": self.element_id, "line": self.line,
                "severity": self.severity}

    def format(self, filename: str) -> str:
        where = ""
        if self.element_id:
            where += f" [{self.element_id}]"
        if self.line:
            where += f" line {self.line}"
        return f"{filename}: {self.severity.upper()}{where}: {self.message}"


class DiagramRejected(Exception):
    """Raised when a diagram is refused; carries every problem found."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
        self.warnings = list(warnings or [])
