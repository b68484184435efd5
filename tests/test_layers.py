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

# What each low layer may import from planner, by module prefix. A module in
# none of these layers sits above them and may import any of them.
DOMAIN = ("planner.domain", "planner.bounds")
# National public holidays (the holidays package): data about the calendar,
# read into partners' blackouts and listed in the result.
HOLIDAYS = ("planner.public_holidays",)
MODEL = (*DOMAIN, "planner.model")
# A result read back from its JSON: data, for comparing and listing, and the
# shape it is checked against.
RESULTS = (*DOMAIN, "planner.result_schema")
# What the result files and comparison.xlsx print beyond the problem and the
# plan (figures, explanations, comparisons), as records: data for the writers.
REPORT = (*RESULTS, "planner.results", "planner.report")
# What a plan amounts to (spend, goal progress, objective terms), reckoned
# from the domain alone: the checker judges with it.
FIGURES = REPORT
CHECK = (*REPORT, "planner.figures")
WORDING = REPORT  # planner.explain: rows and numbers in the planner's words
WORKBOOK_INPUT = (
    *DOMAIN,
    *HOLIDAYS,
    "planner.workbook.schema",
    "planner.workbook.sheets",
    "planner.workbook.cells",
    "planner.workbook.tables",
    "planner.workbook.validate",
    "planner.workbook.scenarios",
    "planner.workbook.limits",
    "planner.workbook.file_checks",
    "planner.workbook.sheet_tables",
    "planner.workbook.records",
    "planner.workbook.settings_sheet",
    "planner.workbook.build",
    "planner.workbook.read",
)
# The results' files: written from data handed to them, never computed there.
WORKBOOK_OUTPUT = (
    *DOMAIN,
    "planner",
    "planner.results",
    "planner.result_schema",
    "planner.report",
    *HOLIDAYS,
    "planner.workbook.schema",
    "planner.workbook.sheets",
    "planner.workbook.output",
    "planner.workbook.printing",
    "planner.workbook.schedule_layout",
    "planner.workbook.result_json",
    "planner.workbook.read_schedule",
    "planner.workbook.limits",
    "planner.workbook.write",
    "planner.workbook.compare_write",
)
# Workbooks as tables of example rows: data, then the template writing them.
EXAMPLE_DATA = ("planner.workbook.schema",)
TEMPLATE = (
    *EXAMPLE_DATA,
    "planner.sample",
    "planner.workbook.output",
    "planner.workbook.sheets",
    "planner.workbook.template",
)
WORKBOOK = "planner.workbook."  # each module of workbook/ in one list or the other
LAYERS: dict[str, tuple[str, ...]] = {
    "planner": (),
    "planner.domain": (),
    "planner.model": MODEL,
    "planner.check": CHECK,
    "planner.figures": FIGURES,
    "planner.results": RESULTS,
    "planner.result_schema": DOMAIN,
    "planner.report": REPORT,
    "planner.explain": WORDING,
    "planner.sample": EXAMPLE_DATA,
    "planner.generate": EXAMPLE_DATA,
    "planner.workbook.template": TEMPLATE,
    "planner.public_holidays": DOMAIN,
    **{name: WORKBOOK_INPUT for name in WORKBOOK_INPUT if name.startswith(WORKBOOK)},
    **{name: WORKBOOK_OUTPUT for name in WORKBOOK_OUTPUT if name.startswith(WORKBOOK)},
}
# Front ends: they call the application layer and present what it returns.
FRONT_ENDS = ("planner.cli", "planner.serve", "planner.__main__")
FRONT_END_MAY_IMPORT = (
    "planner",
    "planner.app",
    "planner.domain",
    "planner.results",
    "planner.serve",
    "planner.cli",
    "planner.interrupt",
)

# Edges that break the layering, each listed by name with the reason it must:
# none is left (issue 11). No edge may join this list lightly.
KNOWN: frozenset[tuple[str, str]] = frozenset()


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


def allowed(importer: str, target: str) -> bool:
    """Whether ``importer`` may import ``target`` under the layering."""
    if within(importer, FRONT_ENDS):
        return within(target, FRONT_END_MAY_IMPORT)
    layer = max(
        (prefix for prefix in LAYERS if within(importer, (prefix,))),
        key=len,
        default=None,
    )
    if layer is None:
        return not within(target, FRONT_ENDS)
    return within(target, LAYERS[layer])


def upstream_edges() -> set[tuple[str, str]]:
    return {
        (importer, target)
        for importer, targets in graph().items()
        for target in targets
        if not allowed(importer, target)
    }


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


def test_no_module_imports_a_layer_above_its_own() -> None:
    new = sorted(upstream_edges() - KNOWN)
    assert new == [], "upstream imports (see docs/architecture.md):\n" + "\n".join(
        f"{importer} -> {target}" for importer, target in new
    )


def test_the_model_checker_and_readers_import_nothing_above_them() -> None:
    low = ("planner.model", "planner.check", "planner.workbook.read", "planner.domain")
    assert [edge for edge in KNOWN if within(edge[0], low)] == []


def test_there_is_no_import_cycle() -> None:
    assert cycles() == []


@pytest.mark.parametrize(
    ("importer", "target", "ok"),
    [
        ("planner.model.probe", "planner.check", False),
        ("planner.model.probe", "planner.explain", False),
        ("planner.model.probe", "planner.model.search", True),
        ("planner.check", "planner.domain", True),
        ("planner.check", "planner.model.search", False),
        ("planner.workbook.read", "planner.workbook.scenarios", True),
        ("planner.workbook.read", "planner.check", False),
        ("planner.app.solve", "planner.model.search", True),
        ("planner.serve.app", "planner.app", True),
        ("planner.serve.app", "planner.model", False),
        ("planner.whatif", "planner.cli", False),
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
    known = {"planner.app", "planner.app.compare", "planner.whatif"}
    assert packages_run("planner.whatif", "planner.app.compare", known) == {
        "planner.app"
    }
    assert packages_run("planner.app.solve", "planner.app.compare", known) == set()


def test_a_cycle_is_found() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _path_back(edges, "a") == ["a", "b", "c"]
    assert _path_back(edges, "d") is None
