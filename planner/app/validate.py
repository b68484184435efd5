"""Validating a workbook and writing the workbooks a planner starts from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planner.domain import Finding, Problem, Severity
from planner.workbook.read import read_variants
from planner.workbook.template import write_template


@dataclass(frozen=True)
class Validation:
    """What `planner validate` says about a workbook, as data.

    ``errors`` stop the programme from being planned; ``warnings`` do not.
    Each finding names its sheet and cell. ``scenarios`` are the names the
    Scenarios sheet offers; ``summary`` describes the programme when it is
    valid (None otherwise).
    """

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    scenarios: tuple[str, ...]
    summary: str | None

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
    )


def describe_problem(problem: Problem) -> str:
    """One line about the size of a programme, as `planner validate` prints it."""
    return (
        f"{len(problem.exercises)} exercises, {len(problem.partners)} partners, "
        f"{len(problem.venues)} venues, {problem.n_slots} "
        f"{problem.settings.time_unit}s from {problem.settings.planning_start}"
    )


def write_template_file(path: str | Path, example: bool = False) -> Path:
    """Write the blank input workbook (or the filled-in example) to ``path``,
    replacing what is there: the caller chose the path for it."""
    path = Path(path)
    write_template(path, example=example, force=True)
    return path
