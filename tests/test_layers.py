"""Imports run one way: the catalog at the bottom, the web app and the harness above it, the command line on top.

Read from the source (``ast``), so the check needs none of the optional
packages and sees lazy imports inside functions too. The command line is its
own package, ``clatlas_cli/``: it may import every wing, and no wing imports
it. There is no exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

from catalog.paths import REPO_ROOT

COMMAND_LINE = "clatlas_cli"
# package -> the packages it must never import
FORBIDDEN = {
    "catalog": {"webapp", "reproductions", COMMAND_LINE},
    "webapp": {"reproductions", COMMAND_LINE},
    "reproductions": {"webapp", COMMAND_LINE},
    COMMAND_LINE: set(),
}


def _imports(path: Path, top_level_only: bool = False) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = []
    for n in nodes:
        if isinstance(n, ast.Import):
            out += [(n.lineno, a.name) for a in n.names]
        elif isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
            out.append((n.lineno, n.module))
            out += [(n.lineno, f"{n.module}.{a.name}") for a in n.names]  # `from webapp import queries`
    return out


def test_no_import_runs_downward_to_up() -> None:
    bad = []
    for pkg, banned in FORBIDDEN.items():
        for path in sorted((REPO_ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(REPO_ROOT)
            bad += [f"{rel}:{line} imports {mod}" for line, mod in _imports(path) if mod.split(".")[0] in banned]
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def _module_graph(pkg: str) -> dict[str, set[str]]:
    """Module-level imports between the modules of one package (what runs at import time)."""
    mods = {".".join(p.relative_to(REPO_ROOT).with_suffix("").parts): p for p in (REPO_ROOT / pkg).rglob("*.py")}
    mods = {m.removesuffix(".__init__"): p for m, p in mods.items()}
    return {m: {t for _, t in _imports(p, top_level_only=True) if t in mods and t != m} for m, p in mods.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                return stack[stack.index(t) :] + [t]
            if t not in state and (found := visit(t)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_import_cycles_at_import_time() -> None:
    for pkg in FORBIDDEN:
        assert _cycle(_module_graph(pkg)) is None, f"import cycle in {pkg}: {' -> '.join(_cycle(_module_graph(pkg)) or [])}"


def test_the_checks_see_a_violation() -> None:
    """The two checks are not vacuous: a made-up graph with a cycle is caught, and the command line does import all three wings."""
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    reached = {mod.split(".")[0] for path in (REPO_ROOT / COMMAND_LINE).rglob("*.py") for _, mod in _imports(path)}
    assert {"catalog", "webapp", "reproductions"} <= reached
