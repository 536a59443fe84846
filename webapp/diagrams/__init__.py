"""BPMN diagram tooling: automatic layout of the diagram (DI) and a checker for it.

The names are imported on first use, so that ``python -m webapp.diagrams.layout`` does not
find its own module already imported by this package (runpy warns about that).
"""

from importlib import import_module

_EXPORTS = {
    "layout_bpmn": "layout",
    "LayoutError": "layout",
    "check_di": "di_check",
    "DiProblem": "di_check",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
