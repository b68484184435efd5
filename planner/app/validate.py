"""Validating a workbook and writing the workbooks a planner starts from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from planner.domain import Finding, Problem, Severity
from planner.generate import generate, planted_schedule
from planner.workbook.read import read_variants
from planner.workbook.template import write_template, write_workbook


@dataclass(frozen=True)
class Validation:
    """What `planner validate` says about a workbook, as data.

    ``errors`` stop the programme from being planned; ``warnings`` do not.
    Each finding names its sheet and cell; ``findings`` holds them all in
    the order of the workbook. ``scenarios`` are the names the Scenarios
    sheet offers; ``summary`` describes the programme when it is valid (None
    otherwise).
    """

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    scenarios: tuple[str, ...]
    summary: str | None
    findings: tuple[Finding, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors


def validate_workbook(path: str | Path, scenario: str | None = None) -> Validation:
    """Read the workbook at ``path`` (with ``scenario`` applied) and sort its
    findings into errors and warnings, without planning anything."""
    variants = read_variants(path)
    scenarios = tuple(name for name in variants if name is not None)
    if scenario not in variants:  # an unknown scenario: its finding says so
        variants = read_variants(path, [scenario])
    problem, findings = variants[scenario]
    return Validation(
        errors=tuple(f for f in findings if f.severity is Severity.ERROR),
        warnings=tuple(f for f in findings if f.severity is Severity.WARNING),
        scenarios=scenarios,
        summary=None if problem is None else describe_problem(problem),
        findings=tuple(findings),
    )


def describe_problem(problem: Problem) -> str:
    """One line about the size of a programme, as `planner validate` prints it."""
    return (
        f"{len(problem.exercises)} exercises, {len(problem.partners)} partners, "
        f"{len(problem.venues)} venues, {problem.n_slots} "
        f"{problem.settings.time_unit}s from {problem.settings.planning_start}"
    )


def write_template_file(
    path: str | Path, example: bool = False, force: bool = True
) -> Path:
    """Write the blank input workbook (or the filled-in example) to ``path``.

    By default it replaces what is there: the caller chose the path for it.
    Without ``force``, a file already there (perhaps a planner's filled-in
    workbook) raises FileExistsError.
    """
    path = Path(path)
    write_template(path, example=example, force=force)
    return path


@dataclass(frozen=True)
class Generated:
    """A generated programme: the workbook, the planted plan that proves it
    feasible (readable by ``planner check``) and how many events it holds."""

    workbook: Path
    planted: Path
    events: int


def generate_workbook(
    path: str | Path,
    size: str = "s",
    seed: int = 1,
    profile: str = "spread",
    force: bool = False,
    knobs: Mapping[str, str] | None = None,
) -> Generated:
    """Write a generated programme to ``path`` and its planted plan beside it
    as ``<name>.planted.json``; ``profile`` is a profile or a shape
    (`planner.generate.PROFILES`), ``knobs`` turns its knobs (`KNOBS`; a
    ValueError says which knob or value is wrong).

    Without ``force``, raises FileExistsError naming whichever of the two
    files is already there, before anything is generated.
    """
    path = Path(path)
    planted_path = path.with_suffix(".planted.json")
    taken = [p for p in (path, planted_path) if p.exists()]
    if taken and not force:
        raise FileExistsError(str(taken[0]))
    tables, planted = generate(size, seed, profile, knobs)
    write_workbook(tables, path)
    schedule = planted_schedule(tables, planted)
    planted_path.write_text(json.dumps(schedule, indent=1), encoding="utf-8")
    return Generated(path, planted_path, len(planted))
