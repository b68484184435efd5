"""Imports flow one way (docs/architecture.md), computed from the code.

Every `import` and `from ... import` in planner/, at the top of a module or
inside a function, is an edge from the importing module to the imported one.
A lower layer importing a higher one, or any cycle, fails here: the import
inside a function that once hid a cycle is found like any other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "planner"

# Every module of planner sits in one layer, found by the longest prefix
# below; a layer may import its own modules and those of the layers it names.
LAYERS: dict[str, tuple[str, ...]] = {
    # Frozen records: the problem and the plan, what a result reports, the
    # rules' catalogue, public holidays as calendar data; and how long a
    # worker process lives, which the engines and the server both ask.
    "domain": (
        "planner",
        "planner.domain",
        "planner.report",
        "planner.catalogue",
        "planner.public_holidays",
        "planner.processes",
    ),
    "model": ("planner.model",),
    # The independent checker and what a plan amounts to (the checker judges
    # with it), and results side by side.
    "checker": ("planner.check", "planner.figures", "planner.differences"),
    # Reading and validating workbooks and results; the template and the
    # example programmes, written with the writers' cells.
    "input": (
        "planner.workbook",
        "planner.workbook.sample",
        "planner.workbook.generate",
    ),
    "output": ("planner.outputs",),
    "engines": ("planner.engines",),
    "explanations": ("planner.explain",),
    "application": ("planner.app",),
    "front ends": (
        "planner.cli",
        "planner.interrupt",
        "planner.serve",
        "planner.__main__",
    ),
}
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "domain": (),
    "model": ("domain",),
    "checker": ("domain",),
    "input": ("domain", "output"),
    "output": ("domain",),
    "engines": ("domain",),
    "explanations": ("domain", "model", "checker"),
    "application": (
        "domain",
        "model",
        "checker",
        "input",
        "output",
        "engines",
        "explanations",
    ),
    "front ends": ("domain", "application"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path, name: str, known: set[str]) -> Iterator[str]:
    """The planner modules ``path`` imports anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            # `from planner.model import conflicts` imports a module.
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in known else base for t in targets]
        else:
            continue
        for target in targets:
            if target == "planner" or target.startswith("planner."):
                while target not in known and "." in target:
                    target = target.rpartition(".")[0]
                yield target


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {
        name: {t for t in imported(path, name, known) if t != name}
        for name, path in found.items()
    }


def packages_run(importer: str, target: str, known: set[str]) -> set[str]:
    """The packages whose ``__init__`` importing ``target`` runs first, seen
    from outside them: importing planner.app.compare runs planner/app/__init__.py,
    and whatever that imports."""
    parts = target.split(".")
    outer = {".".join(parts[:n]) for n in range(2, len(parts))}
    return {p for p in outer & known if not within(importer, (p,))}


def running_graph() -> dict[str, set[str]]:
    """`graph` with each package ``__init__`` an import runs: the cycles Python
    meets when it loads the modules."""
    edges = graph()
    known = set(edges)
    return {
        name: targets.union(*(packages_run(name, t, known) for t in targets))
        for name, targets in edges.items()
    }


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``name`` is one of ``prefixes`` or inside one of them; the root
    package ``planner`` (its version) holds only itself."""
    return any(
        name == p or (p != "planner" and name.startswith(p + ".")) for p in prefixes
    )


def layer_of(name: str) -> str | None:
    """The layer of module ``name``: the one with its longest prefix."""
    found = [
        (len(prefix), layer)
        for layer, prefixes in LAYERS.items()
        for prefix in prefixes
        if within(name, (prefix,))
    ]
    return max(found)[1] if found else None


def allowed(importer: str, target: str) -> bool:
    """Whether ``importer`` may import ``target`` under the layering."""
    mine, theirs = layer_of(importer), layer_of(target)
    return mine is not None and (theirs == mine or theirs in MAY_IMPORT[mine])


def upstream_edges() -> set[tuple[str, str]]:
    return {
        (importer, target)
        for importer, targets in graph().items()
        for target in targets
        if not allowed(importer, target)
    }


def package_of(name: str) -> str:
    """The package a module belongs to (``planner.model.rules``:
    ``planner.model``); a module of the root package is its own."""
    parts = name.split(".")
    return ".".join(parts[:2])


def package_graph() -> dict[str, set[str]]:
    """Imports between packages, each module's counted for its package."""
    edges: dict[str, set[str]] = {}
    for importer, targets in graph().items():
        mine = package_of(importer)
        edges.setdefault(mine, set()).update(
            package_of(t) for t in targets if package_of(t) != mine
        )
    return edges


def cycles() -> list[list[str]]:
    """One cycle through each module that lies on one, as Python loads them
    (a package's ``__init__`` runs before the module imported from it)."""
    edges = running_graph()
    found: list[list[str]] = []
    on_cycle: set[str] = set()
    for start in sorted(edges):
        if start in on_cycle:
            continue
        path = _path_back(edges, start)
        if path is not None:
            found.append(path)
            on_cycle.update(path)
    return found


def _path_back(edges: dict[str, set[str]], start: str) -> list[str] | None:
    """A path from ``start`` back to itself, depth first; None when there is none."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for target in sorted(edges.get(node, ())):
            if target == start:
                return path
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_every_module_has_a_layer() -> None:
    assert [name for name in modules() if layer_of(name) is None] == []


def test_no_module_imports_a_layer_above_its_own() -> None:
    new = sorted(upstream_edges())
    assert new == [], "upstream imports (see docs/architecture.md):\n" + "\n".join(
        f"{importer} -> {target}" for importer, target in new
    )


@pytest.mark.slow
def test_there_is_no_import_cycle() -> None:
    assert cycles() == []


@pytest.mark.slow
def test_there_is_no_cycle_between_packages() -> None:
    edges = package_graph()
    assert [p for p in sorted(edges) if _path_back(edges, p) is not None] == []


@pytest.mark.parametrize(
    ("importer", "target", "ok"),
    [
        ("planner.model.probe", "planner.check", False),
        ("planner.model.probe", "planner.explain.words", False),
        ("planner.model.probe", "planner.model.search", True),
        ("planner.check", "planner.domain", True),
        ("planner.check", "planner.model.search", False),
        ("planner.workbook.read", "planner.workbook.scenarios", True),
        ("planner.workbook.read", "planner.check", False),
        ("planner.outputs.schedule_xlsx", "planner.workbook.read", False),
        ("planner.outputs.study_xlsx", "planner.app.robustness", False),
        ("planner.explain.reasons", "planner.model.probe", True),
        ("planner.app.solve", "planner.model.search", True),
        ("planner.engines.local", "planner.interrupt", False),
        ("planner.serve.app", "planner.app", True),
        ("planner.serve.app", "planner.model", False),
        ("planner.app.whatif", "planner.cli", False),
    ],
)
def test_the_rules_judge_edges_as_the_architecture_says(
    importer: str, target: str, ok: bool
) -> None:
    assert allowed(importer, target) is ok


def test_an_import_inside_a_function_is_an_edge(tmp_path: Path) -> None:
    path = tmp_path / "read.py"
    path.write_text("def f():\n    from planner.workbook.scenarios import x\n")
    known = {"planner.workbook.scenarios", "planner.workbook.read"}
    found = list(imported(path, "planner.workbook.read", known))
    assert found == ["planner.workbook.scenarios"]


def test_importing_from_a_package_runs_its_init() -> None:
    known = {"planner.app", "planner.app.compare", "planner.cli"}
    assert packages_run("planner.cli", "planner.app.compare", known) == {"planner.app"}
    assert packages_run("planner.app.solve", "planner.app.compare", known) == set()


def test_a_cycle_is_found() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _path_back(edges, "a") == ["a", "b", "c"]
    assert _path_back(edges, "d") is None
