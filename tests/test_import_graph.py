"""The modules of `webapp/` import each other without a cycle — function-local imports included.

The graph is built from the source, not from what Python happened to import: every `import` and
`from … import` anywhere in a module (top level, inside functions, under `if TYPE_CHECKING`) is an
arrow to the module it names, and to each package on the way there, because importing
`webapp.a.b` runs `webapp/__init__.py` and `webapp/a/__init__.py` first — except the packages the
importing module itself lives in, which are already running when it runs. A function-local import
that dodges a cycle at start-up is still a cycle here.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"


def module_name(path: Path) -> str:
    parts = path.relative_to(WEBAPP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def webapp_modules() -> dict[str, Path]:
    return {module_name(p): p for p in WEBAPP.rglob("*.py") if "migrations/versions" not in p.as_posix()}


def _ancestors(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _with_packages(name: str, known: set[str], importer: str) -> set[str]:
    """The module, and every package above it that runs on import: not those the importer is in."""
    return ({name} | (_ancestors(name) - _ancestors(importer))) & known


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                targets |= _with_packages(alias.name, known, name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets |= _with_packages(source, known, name)
            for alias in node.names:  # `from webapp.cases import views` imports a module
                targets |= _with_packages(f"{source}.{alias.name}", known, name)
    targets.discard(name)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = webapp_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as one example loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return groups


def test_the_graph_sees_function_local_imports(tmp_path):
    # The detector itself: a cycle hidden in a function body is still found.
    graph = {"webapp.a": {"webapp.b"}, "webapp.b": {"webapp.a"}, "webapp.c": {"webapp.a"}}
    assert find_cycles(graph) == [["webapp.a", "webapp.b"]]
    source = tmp_path / "webapp" / "x.py"
    source.parent.mkdir()
    source.write_text("def f():\n    from webapp.y import z\n")
    global WEBAPP
    real, WEBAPP = WEBAPP, tmp_path / "webapp"
    try:
        assert imports_of("webapp.x", source, {"webapp", "webapp.x", "webapp.y", "webapp.y.z"}) == {
            "webapp.y", "webapp.y.z"}
        # from outside: importing webapp.y.z runs webapp/y/__init__.py first
        assert _with_packages("webapp.y.z", {"webapp", "webapp.y", "webapp.y.z"}, "webapp.q") == {
            "webapp.y", "webapp.y.z"}
    finally:
        WEBAPP = real


def test_the_graph_covers_the_whole_package():
    graph = import_graph()
    assert {"webapp.cases.views", "webapp.engine.runtime", "webapp.api.views"} <= set(graph)
    assert {"webapp.engine", "webapp.cases.locking"} <= graph["webapp.cases.unit_of_work"]


def test_webapp_has_no_import_cycle():
    cycles = find_cycles(import_graph())
    if cycles:
        pytest.fail("import cycles in webapp/ (fix the dependency, don't hide it in a function):\n"
                    + "\n".join(" ↔ ".join(group) for group in cycles))
