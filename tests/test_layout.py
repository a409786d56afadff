"""The package layout: one package per stage, imports pointing one way, modules of a readable size."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "narrate"

# Each part of the package may import only the parts ranked below it (and its own
# package's modules, without a circle). The text stages do not know about audio;
# casting picks from an engine's voices; output writes what render made.
RANK = {
    "records": 0,
    "errors": 0,
    "config": 0,
    "outdir": 0,
    "folderlock": 0,
    "tools": 0,
    "yamldata": 0,
    "ingest": 1,
    "segment": 2,
    "tts": 3,
    "cast": 4,
    "render": 5,
    "output": 6,
    "pipeline": 7,
    "batch": 8,
    "preview": 9,
    "command": 10,
    "cli": 11,
    "__main__": 12,
}
TOP_LEVEL = {
    f"{name}.py"
    for name, rank in RANK.items()
    if name not in {"ingest", "segment", "tts", "cast", "render", "output"}
}
TOP_LEVEL |= {"__init__.py", "py.typed"}
MAX_LINES = 450
MAX_CLI_LINES = 300


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every narrate module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("narrate"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("narrate"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in SRC.rglob("*.py")}
    return {
        name: {m for m in _imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_import_points_up_the_pipeline() -> None:
    upward = []
    for module, deps in _graph().items():
        part = _part(module)
        for dep in deps:
            other = _part(dep)
            if other == "__init__" or other == part:
                continue
            mine, theirs = RANK.get(part, -1), RANK.get(other, 99)
            # the shared floor (rank 0) may use itself; the circle test keeps it acyclic
            if theirs > mine or (theirs == mine and mine != 0):
                upward.append(f"{module} -> {dep}")
    assert not upward, upward


def test_no_import_circle() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in graph[node]:
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert not circles, circles


def test_top_level_holds_only_the_stages_and_the_shared_modules() -> None:
    names = {p.name for p in SRC.iterdir() if p.name != "__pycache__"}
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert packages == {"ingest", "segment", "tts", "cast", "render", "output"}
    assert names - packages <= TOP_LEVEL, sorted(names - packages - TOP_LEVEL)


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_module_size(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if path.name == "cli.py" and path.parent == SRC:
        assert lines < MAX_CLI_LINES, f"cli.py has {lines} lines (under {MAX_CLI_LINES})"
    else:
        assert lines <= MAX_LINES, f"{path.name} has {lines} lines (at most {MAX_LINES})"
