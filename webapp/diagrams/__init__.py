"""BPMN diagram tooling: automatic layout of the diagram (DI) and a checker for it."""

from .di_check import DiProblem, check_di
from .layout import LayoutError, layout_bpmn

__all__ = ["DiProblem", "LayoutError", "check_di", "layout_bpmn"]
