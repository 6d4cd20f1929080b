"""The house's layer contract: imports run downwards only, and nothing imports in a circle.

Read from the source (every `import` and `from ... import`, also inside functions and under
`TYPE_CHECKING`), so a lazy import cannot hide a dependency. The layers, top to bottom
(docs/architecture.md):

    entry -> warm_server -> warm -> cli -> run -> build -> lock | install
          -> project | fetch | interpreters
          -> base (errors, fsutil, cachedir, fastargs, fastpath, fastlock, notices, replay,
                   console, credentials, progress, method_cache, filelocks)
          -> model

A stage package may import its own modules and any stage below it; packages on one line
joined by `|` never import each other; `model` imports nothing of accord's shell, and
the fast path's modules (`fastargs`, `fastpath`, `fastlock`, `notices`: on every run) nothing of
accord but each other, and `replay` (before any third-party import) only them and
`model.elapsed`, which imports nothing.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BASE = (
    "errors",
    "fsutil",
    "cachedir",
    "fastargs",
    "fastpath",
    "console",
    "credentials",
    "progress",
    "replay",
    "method_cache",
    "filelocks",
    "fastlock",
    "notices",
    "threads",
)
# The fast path: the standard library's alone, and each other.
LEAVES = ("fastargs", "fastpath", "fastlock", "notices")
RANK = {
    "model": 0,
    **dict.fromkeys(BASE, 1),
    "project": 2,
    "fetch": 2,
    "interpreters": 2,
    "lock": 3,
    "install": 3,
    "build": 4,
    "run": 5,
    "cli": 6,
    "warm": 7,  # the warm server's caller side, for the entry
    "warm_server": 8,  # the server: runs the command line in its workers
    "entry": 9,
}


def _modules() -> dict[str, Path]:
    found = {}
    for top in ("model", "reconciler"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found["accord." + ".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """The accord modules `module` imports, with the line of each import."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            for alias in node.names:
                # `from accord.reconciler.cli import options` imports a module
                if f"{name}.{alias.name}" in MODULES:
                    yield f"{name}.{alias.name}", node.lineno
                else:
                    yield name, node.lineno


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = set()
        for name, _line in _imports(module, path):
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def _stage(module: str) -> str:
    """The layer a module belongs to: `model`, a base module's name, or a stage package."""
    parts = module.split(".")
    if parts[1] == "model":
        return "model"
    if len(parts) == 2:
        return "package"  # accord.reconciler itself: the version, imported from anywhere
    return parts[2]


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in MODULES if _stage(m) not in {*RANK, "package"})
    assert unplaced == []


def _violations() -> list[str]:
    found = []
    for module, path in MODULES.items():
        mine = _stage(module)
        for name, line in _imports(module, path):
            if not name.startswith("accord."):
                continue
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            theirs = _stage(name)
            where = f"{path.relative_to(ROOT)}:{line}: {mine} imports {name}"
            if mine in LEAVES:
                if theirs not in LEAVES:
                    found.append(where)
            elif theirs == "package" or theirs == mine or {mine, theirs} <= set(BASE):
                continue  # base modules may use each other (the circle test still holds)
            elif RANK[theirs] >= RANK[mine]:
                found.append(where)
    return found


def test_imports_run_downwards_only() -> None:
    assert _violations() == []


def test_replay_imports_only_the_fast_path_and_the_standard_library() -> None:
    """The replay runs before click, attrs or packaging are imported: what it imports of
    accord must not import them either."""
    allowed = {
        "accord.reconciler.fastargs",
        "accord.reconciler.fastpath",
        "accord.reconciler.notices",
        "accord.model.elapsed",
    }
    replay = "accord.reconciler.replay"
    imported = {name for name, _ in _imports(replay, MODULES[replay]) if name.startswith("accord")}
    assert imported <= allowed
    elapsed = "accord.model.elapsed"
    assert [name for name, _ in _imports(elapsed, MODULES[elapsed])] == []
    for path in (MODULES[replay], MODULES[elapsed]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                for name in names:
                    top = name.split(".")[0]
                    assert top == "accord" or top in sys.stdlib_module_names, (path, name)


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles() -> None:
    assert _circles(_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_circle_finder_finds_circles(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert _circles(graph) == expected


def test_the_contract_reads_lazy_imports() -> None:
    # entry imports the CLI inside a function: the contract sees it.
    assert "accord.reconciler.cli.main" in _graph()["accord.reconciler.entry"]


def test_stages_below_run_get_only_their_own_options() -> None:
    # The whole request stops at the run stage: below it, each stage is handed its own part
    # (the lock policy, the index options, ...), never `RunRequest`.
    lower = ("lock", "install", "build", "project", "fetch", "interpreters", "model")
    handed = sorted(
        str(path.relative_to(ROOT))
        for module, path in MODULES.items()
        if _stage(module) in lower
        and "RunRequest" in path.read_text(encoding="utf-8")
        and not module.endswith("model.request")
    )
    assert handed == []


def test_no_module_is_over_450_lines() -> None:
    """docs/architecture.md: a module that grows past this is split by what it does."""
    long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert long == {}
