"""Dependencies run one way (docs/architecture.md): firm ← clients (the client index) ← calls ←
clients.billing (statements). A reading of every import: no two rooms import each other, and the
kernel imports no app. Screens (views, forms, admin, tables, filters, URLs, commands, tasks)
sit on top of every data layer and may compose several; they are a room of their own here, so
an admin that attaches calls to a new client does not count as the client index importing
calls."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("clients.billing", "clients", "calls", "firm")  # the longest prefix first
# Entry points: what a request, a command or the task worker runs (a task renders a print as a
# view does); they compose the data layers below them.
SCREENS = {"views", "forms", "admin", "tables", "filters", "urls", "management", "tasks"}


def room(module: str) -> str | None:
    """The room a dotted module name lives in: ``calls`` or ``calls (screens)``, or None when
    it is not ours."""
    parts = module.split(".")
    if parts[:2] == ["firm", "urls"]:
        return "the project's URLs"  # includes every app: the top of the graph, above all screens
    for package in PACKAGES:
        depth = package.count(".") + 1
        if parts[:depth] == package.split("."):
            screen = len(parts) > depth and parts[depth] in SCREENS
            return f"{package} (screens)" if screen else package
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def source_files():
    for package in ("firm", "clients", "calls"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def import_graph() -> dict[str, dict[str, set[str]]]:
    """room → room it imports → the modules that do it (for the message)."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in source_files():
        module = module_name(path)
        source = room(module)
        for name in imports_of(path):
            target = room(name)
            if target is not None and target != source:
                graph.setdefault(source, {}).setdefault(target, set()).add(module)
    return graph


def cycle(graph: dict[str, dict[str, set[str]]]) -> list[str] | None:
    """One cycle of the graph as the rooms along it, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, {})):
            if state.get(target) == "open":
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_two_rooms_import_each_other():
    graph = import_graph()
    found = cycle(graph)
    steps = zip(found or [], (found or [])[1:], strict=False)
    where = "; ".join(f"{a} → {b} in {', '.join(sorted(graph[a][b]))}" for a, b in steps)
    assert found is None, where


def test_the_rooms_build_on_each_other_in_the_documented_order():
    graph = import_graph()
    assert "clients" in graph.get("calls", {})  # a call points at its client
    assert "calls" in graph.get("clients.billing", {})  # statements read calls
    assert "calls" not in graph.get("clients", {})  # the client index knows nothing of calls


def test_the_kernel_imports_no_app_outside_its_urls():
    graph = import_graph()
    assert set(graph.get("firm", {})) == set(), graph.get("firm")
    assert not [room for room in graph.get("firm (screens)", {}) if "firm" not in room]
    urls = graph.get("the project's URLs", {})
    assert "calls (screens)" in urls  # the home page is the calls app's


@pytest.mark.parametrize(
    "edges, expected",
    [
        ({"a": {"b": {"a.x"}}, "b": {"c": {"b.y"}}}, None),
        ({"a": {"b": {"a.x"}}, "b": {"a": {"b.y"}}}, ["a", "b", "a"]),
        ({"a": {"b": {"a.x"}}, "b": {"c": {"b.y"}}, "c": {"b": {"c.z"}}}, ["b", "c", "b"]),
    ],
)
def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle(edges, expected):
    assert cycle(edges) == expected


@pytest.mark.parametrize(
    "module, expected",
    [
        ("clients.billing.issuing", "clients.billing"),
        ("clients.billing.views", "clients.billing (screens)"),
        ("clients.services", "clients"),
        ("clients.admin", "clients (screens)"),
        ("calls.management.commands.import_cdr", "calls (screens)"),
        ("calls", "calls"),
        ("firm.urls", "the project's URLs"),
        ("firm.admin", "firm (screens)"),
        ("django.db", None),
        ("callsign", None),
    ],
)
def test_a_module_belongs_to_its_room(module, expected):
    assert room(module) == expected
