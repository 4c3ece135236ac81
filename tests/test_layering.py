"""The layers of ARCHITECTURE.md, read from the source: booking/ never imports
dashboard/, every module imports at its top, and no two modules import each other.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("booking", "dashboard")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path
    for app in APPS
    for path in sorted((ROOT / app).rglob("*.py"))
    if "migrations" not in path.parts
}


def imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The project modules an import statement loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    # ``from booking import emails`` loads booking.emails; ``from x import name``, x.
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
        for alias in node.names
    ]


def imports_of(path: Path) -> tuple[set[str], list[int]]:
    """(project modules imported at the top, line numbers of imports elsewhere)."""
    tree = ast.parse(path.read_text())
    top = {
        name
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in imported(node)
        if name.split(".")[0] in APPS
    }
    allowed = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef) and function.name == "ready"
        for node in ast.walk(function)
    }
    nested = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        and node not in tree.body
        and id(node) not in allowed
    ]
    return top, nested


# Modules Django imports before its app registry is ready, so they may not load models
# at their top. Each is named with the reason; nothing else may import in a function.
LOADED_BEFORE_APPS = {
    # A logging handler (config/logs.py): Django configures logging before the apps.
    "booking.alerts": {"booking.outbox", "booking.models"},
}


GRAPH = {name: imports_of(path)[0] for name, path in MODULES.items()}


def test_the_scan_sees_the_modules_it_checks():
    assert {"booking.services", "booking.outbox", "dashboard.views.requests"} <= set(
        MODULES
    )
    assert "booking.outbox" in GRAPH["booking.notifications"]


@pytest.mark.parametrize("name", [n for n in MODULES if n.startswith("booking")])
def test_booking_never_imports_dashboard(name):
    assert not [m for m in GRAPH[name] if m.startswith("dashboard")]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_import_is_at_the_top_of_its_module(name):
    """Except in ``AppConfig.ready`` (Django's place for start-up imports) and the
    modules of ``LOADED_BEFORE_APPS``, which may load only the modules listed."""
    _, nested = imports_of(MODULES[name])
    if name in LOADED_BEFORE_APPS:
        tree = ast.parse(MODULES[name].read_text())
        late = {
            module
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom) and node not in tree.body
            for module in imported(node)
        }
        assert late <= LOADED_BEFORE_APPS[name]
        return
    assert nested == [], f"{MODULES[name]} imports inside a function at {nested}"


def test_no_import_cycles():
    """Depth-first search over the module-level import graph."""
    cycles = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(GRAPH.get(name, ())):
            if target not in GRAPH:
                continue
            if state.get(target) == "open":
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert cycles == []
