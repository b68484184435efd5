"""Validating a workbook and writing the workbooks a planner starts from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from planner.app.verdict import Verdict
from planner.domain import EngineChoice, Finding, Problem, Severity
from planner.engines import open_engine
from planner.engines.base import EngineUnavailable
from planner.outputs.files import OutputError, make_folder, replace_atomically
from planner.workbook.generate import generate, planted_schedule
from planner.workbook.read import read_variants
from planner.workbook.template import write_template, write_workbook


@dataclass(frozen=True)
class ProgrammeIdentity:
    """Which programme a workbook plans, whatever its file is called:
    workbooks with the same ``id`` are versions of one programme."""

    id: str
    title: str


def programme_identity(problem: Problem) -> ProgrammeIdentity:
    """The programme's identity as its Settings state it (or derive it from
    its title and start, never from the file name), and its title (else
    its programme id)."""
    settings = problem.settings
    return ProgrammeIdentity(
        settings.programme_id, settings.title or settings.programme_id
    )


@dataclass(frozen=True)
class Validation:
    """What `planner validate` says about a workbook, as data.

    ``errors`` stop the programme from being planned; ``warnings`` do not.
    Each finding names its sheet and cell; ``findings`` holds them all in
    the order of the workbook. ``scenarios`` are the names the Scenarios
    sheet offers; ``summary`` describes the programme when it is valid and
    ``programme`` says which it is (both None otherwise).
    """

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    scenarios: tuple[str, ...]
    summary: str | None
    findings: tuple[Finding, ...] = ()
    programme: ProgrammeIdentity | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def verdict(self) -> Verdict:
        return Verdict.DONE if self.valid else Verdict.INVALID


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
        programme=None if problem is None else programme_identity(problem),
    )


def describe_problem(problem: Problem) -> str:
    """One line about the size of a programme, as `planner validate` prints it."""
    return (
        f"{len(problem.exercises)} exercises, {len(problem.partners)} partners, "
        f"{len(problem.venues)} venues, {problem.n_slots} "
        f"{problem.settings.time_unit}s from {problem.settings.planning_start}"
    )


@dataclass(frozen=True)
class Written:
    """What a command that writes one workbook did: the files written, or
    which file is already there (``exists``, without ``force``), what was
    asked wrongly (``wrong``: a knob of a generated programme), or why it
    could not be written (``output_error``)."""

    files: tuple[Path, ...] = ()
    exists: Path | None = None
    output_error: str | None = None
    events: int = 0  # a generated programme: the events of its planted plan
    wrong: str | None = None

    @property
    def verdict(self) -> Verdict:
        if self.exists is not None or self.wrong is not None:
            return Verdict.INVALID
        return Verdict.OUTPUT_ERROR if self.output_error else Verdict.DONE


def write_template_file(
    path: str | Path, example: bool = False, force: bool = True
) -> Written:
    """Write the blank input workbook (or the filled-in example) to ``path``.

    By default it replaces what is there: the caller chose the path for it.
    Without ``force``, a file already there (perhaps a planner's filled-in
    workbook) is left as it is and named.
    """
    path = Path(path)
    if path.exists() and not force:
        return Written(exists=path)
    try:
        write_template(path, example=example, force=True)
    except OutputError as error:
        return Written(output_error=str(error))
    return Written((path,))


def generate_workbook(
    path: str | Path,
    size: str = "s",
    seed: int = 1,
    profile: str = "spread",
    force: bool = False,
    knobs: Mapping[str, str] | None = None,
) -> Written:
    """Write a generated programme to ``path`` and its planted plan beside it
    as ``<name>.planted.json`` (the plan that proves it feasible, readable by
    ``planner check``); ``profile`` is a profile or a shape
    (`planner.workbook.generate.PROFILES`), ``knobs`` turns its knobs
    (`KNOBS`; ``wrong`` says which knob or value is wrong).

    Without ``force``, whichever of the two files is already there is named
    and nothing is generated. Both are written whole or neither
    (`replace_atomically`): a full or read-only drive is an ``output_error``.
    """
    path = Path(path)
    planted_path = path.with_suffix(".planted.json")
    taken = [p for p in (path, planted_path) if p.exists()]
    if taken and not force:
        return Written(exists=taken[0])
    try:
        tables, planted = generate(size, seed, profile, knobs)
    except ValueError as wrong:
        return Written(wrong=str(wrong))
    schedule = json.dumps(planted_schedule(tables, planted), indent=1)
    try:
        make_folder(path.parent)
        replace_atomically(
            [
                (path, lambda temp: write_workbook(tables, temp)),
                (
                    planted_path,
                    lambda temp: temp.write_text(schedule, encoding="utf-8"),
                ),
            ]
        )
    except OutputError as error:
        return Written(output_error=str(error))
    return Written((path, planted_path), events=len(planted))


def engine_unavailable(engine: EngineChoice) -> str | None:
    """Why the ``engine`` cannot run plans (Ray missing, a cluster that does
    not answer), in one line; None when it can. The engine is closed again:
    a front end asks before it accepts work for it."""
    try:
        open_engine(engine.name, engine.address).close()
    except EngineUnavailable as error:
        return str(error)
    return None
