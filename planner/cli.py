"""The `planner` command: parse options, call `planner.app`, print, set exit codes.

Exit codes: 0 done (plan written, file valid, plan clean); 1 the checked plan
breaks a rule; 2 invalid input (also: an option out of range, a workbook
without scenarios given to whatif, a scenario whose rows have errors; serve
refusing to start: no token on a non-local address, an unusable data folder); 3
proven infeasible (whatif: some plan proven infeasible, every other found);
4 no plan found within the time limit (whatif: some plan not found in time);
5 the results could not be written (output folder or file problem); 6
interrupted (Ctrl-C or SIGTERM) once a plan existed: the best plan found was
checked and written; 130 (Ctrl-C) or 143 (SIGTERM) interrupted before any
plan existed, or a second signal that ended the run at once: nothing
half-written is left (see `planner.interrupt`); 70 an unexpected error (one
line, never a traceback); whatif, sweep and robustness: a plan whose task
failed twice (a crashed worker, a lost machine), named on stderr, every
other plan still written.

Answers go to stdout, diagnostics (findings, progress, warnings, why a
command failed) to stderr, so an answer can be piped or saved on its own.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from planner import __version__
from planner.app import ENGINES, KIND_EXERCISE, LOCAL, Explanation, OutputError
from planner.domain import (
    Finding,
    Problem,
    Result,
    Severity,
    SolveOptions,
    Status,
    Violation,
)
from planner.interrupt import (
    EXIT_INTERRUPTED,
    Aborted,
    Interrupted,
    exit_code,
    signal_name,
    signals,
)
from planner.results import ResultError, no_plan_text

if TYPE_CHECKING:  # the application layer's functions bring the solver: each
    # command imports the one it calls (planner.app loads names on first use)
    from planner.app import PlanReading, RunProgress

EXIT_VIOLATIONS = 1
EXIT_INVALID = 2
EXIT_INFEASIBLE = 3
EXIT_NO_PLAN = 4
EXIT_OUTPUT = 5
EXIT_UNEXPECTED = 70

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class PlannerCommand(click.Group):
    """Turns any unexpected failure into one line a staff officer can report."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            with signals.caught():
                return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Interrupted as stop:
            err.print(f"Interrupted ({stop}) before any plan existed; nothing written.")
            sys.exit(exit_code(stop.signum))
        except Aborted as stop:
            err.print(f"Stopped at once ({stop} again); the results were not written.")
            sys.exit(exit_code(stop.signum))
        except OutputError as error:
            err.print(str(error), markup=False)
            sys.exit(EXIT_OUTPUT)
        except Exception as error:
            if signals.received is not None:
                # an interrupt inside an import or a library, seen as its error
                interrupt = Interrupted(signals.received)
                err.print(f"Interrupted ({interrupt}); nothing written.")
                sys.exit(exit_code(interrupt.signum))
            err.print(
                f"planner stopped on an unexpected error ({type(error).__name__}: "
                f"{error}). Please report it with the workbook attached."
            )
            sys.exit(EXIT_UNEXPECTED)
        finally:
            signals.forget()


@click.group(cls=PlannerCommand)
@click.version_option(__version__, prog_name="planner")
def main() -> None:
    """Plan a programme of multinational exercises from an Excel workbook."""


def _print_findings(findings: Iterable[Finding]) -> None:
    for finding in findings:
        style = "yellow" if finding.severity is Severity.WARNING else "red"
        err.print(str(finding), style=style, markup=False)


def _stop_if_invalid(path: Path, findings: Sequence[Finding], valid: bool) -> None:
    """Print what reading a workbook found; exit 2 when it has errors."""
    _print_findings(findings)
    if not valid:
        errors = sum(f.severity is Severity.ERROR for f in findings)
        err.print(f"{path.name}: {errors} error(s); nothing was planned.")
        sys.exit(EXIT_INVALID)


def _stop_unless_read(path: Path, reading: PlanReading) -> None:
    """Print what reading a workbook and a plan found; exit 2 unless both
    were read."""
    _stop_if_invalid(path, reading.findings, reading.valid)
    _print_findings(reading.plan_findings)
    if reading.plan is None:
        sys.exit(EXIT_INVALID)


# Rejected by click before anything is read: CP-SAT would only call the model
# invalid, which reads as a fault in the workbook.
TIME_LIMIT = click.FloatRange(min=0, min_open=True)
WORKERS = click.IntRange(min=0)


def _search_options(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--time-limit, --workers and --seed, shared by the commands that search."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        for option in reversed(
            (
                click.option(
                    "--time-limit",
                    type=TIME_LIMIT,
                    help=f"Seconds {what}, more than 0 [default: Settings].",
                ),
                click.option(
                    "--workers",
                    type=WORKERS,
                    default=0,
                    help="Search workers, 0 for all cores [default: 0].",
                ),
                click.option("--seed", type=int, default=0, show_default=True),
            )
        ):
            command = option(command)
        return command

    return decorate


def _print_rows(rows: Sequence[tuple[str, ...]]) -> None:
    """A table whose first row is its header."""
    header, *body = rows
    table = Table(*header)
    for row in body:
        table.add_row(*row)
    out.print(table)


SCENARIO = click.option(
    "--scenario", help="Apply this scenario of the Scenarios sheet to the base data."
)


def _engine_options(command: Callable[..., None]) -> Callable[..., None]:
    """--engine and --address, shared by the commands that solve many plans."""
    command = click.option(
        "--address",
        help="With --engine ray: the Ray cluster to run on (e.g. ray://head:10001) "
        "[default: RAY_ADDRESS, or a Ray started on this machine].",
    )(command)
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default=LOCAL,
        show_default=True,
        help="Where the plans are solved: processes on this machine, or Ray "
        '(pip install ".[ray]").',
    )(command)


def _stop_on_error(error: str | None) -> None:
    """Exit 2 with the one line why a run could not start (Ray missing, a
    cluster unreachable, a sweep that asks for nothing)."""
    if error is not None:
        err.print(error, markup=False)
        sys.exit(EXIT_INVALID)


def _exit_on_violations(broken: Sequence[tuple[str, Violation]]) -> None:
    """Name every rule a written plan breaks, by plan, and exit 1 if any."""
    for name, violation in broken:
        err.print(f"{name}: {violation}", markup=False)
    if broken:
        sys.exit(EXIT_VIOLATIONS)


def _print_failed(failed: Mapping[str, str]) -> None:
    """Name every plan whose task failed twice, and why."""
    for name, why in failed.items():
        err.print(f"{name}: failed twice, no plan ({why})", markup=False)
    if failed:
        err.print(
            f"{len(failed)} task(s) failed ({', '.join(failed)}); every other "
            "plan was written. Run again to retry them."
        )


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@SCENARIO
def validate(workbook: Path, scenario: str | None) -> None:
    """Check WORKBOOK and list every problem with its sheet and cell."""
    from planner.app import validate_workbook

    validation = validate_workbook(workbook, scenario)
    _stop_if_invalid(workbook, validation.findings, validation.valid)
    out.print(f"{workbook.name} is valid: {validation.summary}.")


@main.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--example", is_flag=True, help="Fill in a small example programme.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def template(output: Path, example: bool, force: bool) -> None:
    """Write an input workbook to start from."""
    from planner.app import write_template_file

    try:
        write_template_file(output, example=example, force=force)
    except FileExistsError:
        err.print(f"{output} already exists; use --force to overwrite it.")
        sys.exit(EXIT_INVALID)
    out.print(f"Wrote {output}.")


def _profiles() -> list[str]:
    from planner.app import PROFILES

    return list(PROFILES)


def _knobs() -> list[str]:
    from planner.app import KNOBS

    return list(KNOBS)


@main.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option(
    "--size",
    type=click.Choice(["s", "m", "l", "xl"]),
    default="s",
    show_default=True,
)
@click.option(
    "--profile",
    type=click.Choice(sorted(_profiles())),
    default="spread",
    show_default=True,
    help="spread: the horizon grows with the size (xl: five years); "
    "dense: one year of weeks at every size; the others are shapes that turn "
    "some knobs of one of them (goal-heavy, days, decade, ...).",
)
@click.option(
    "--set",
    "knobs",
    multiple=True,
    metavar="KNOB=VALUE",
    help="Turn one knob of the profile, e.g. --set hard_share=0.6 --set "
    "unit=day; repeat for more. Knobs: " + ", ".join(_knobs()) + ".",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def generate(
    output: Path,
    size: str,
    profile: str,
    knobs: tuple[str, ...],
    seed: int,
    force: bool,
) -> None:
    """Write a generated programme (for tests and benchmarks).

    The planted plan it was built around, which proves it feasible, is written
    beside it as OUTPUT.planted.json, readable by `planner check`.
    """
    from planner.app import generate_workbook

    turned = dict(knob.partition("=")[::2] for knob in knobs)
    try:
        made = generate_workbook(output, size, seed, profile, force, turned)
    except FileExistsError as taken:
        err.print(f"{taken} already exists; use --force to overwrite it.")
        sys.exit(EXIT_INVALID)
    except ValueError as wrong:
        err.print(f"--set: {wrong}")
        sys.exit(EXIT_INVALID)
    out.print(
        f"Wrote {output} (size {size}, profile {profile}, seed {seed}) and its "
        f"planted plan {made.planted.name} ({made.events} events)."
    )


class _SearchLine:
    """Elapsed time, best objective, bound and gap on one live line of a
    terminal while CP-SAT searches; gone once the search ends."""

    def __init__(self, enabled: bool) -> None:
        self._live = (
            Live(console=err, refresh_per_second=4, transient=True) if enabled else None
        )

    def show(self, progress: RunProgress) -> None:
        from planner.app import SEARCHING

        if self._live is None:
            return
        if progress.stage != SEARCHING:
            self.stop()
            return
        if not self._live.is_started:
            self._live.start()
        self._live.update(_progress_line(progress))

    def stop(self) -> None:
        if self._live is not None and self._live.is_started:
            self._live.stop()


@contextmanager
def _search_line(enabled: bool) -> Iterator[_SearchLine]:
    line = _SearchLine(enabled)
    try:
        yield line
    finally:
        line.stop()


def _progress_line(progress: RunProgress) -> str:
    best = "-" if progress.objective is None else f"{progress.objective:,.0f}"
    bound = "-" if progress.bound is None else f"{progress.bound:,.0f}"
    gap = "-" if progress.gap is None else f"{progress.gap:.2%}"
    return (
        f"solving… {progress.elapsed_s:6.1f}s   best {best}   bound {bound}   gap {gap}"
    )


def _print_result(result: Result, currency: str) -> None:
    if result.plan is None:
        out.print(no_plan_text(result.status).capitalize())
        return
    table = Table(title=f"Plan: {result.status}", show_header=True)
    table.add_column("objective term")
    table.add_column(f"contribution ({currency or 'currency units'})", justify="right")
    for name, value in result.terms.items():
        table.add_row(name, f"{value:,}")
    if result.objective is not None:
        table.add_row("total", f"{result.objective:,}", style="bold")
    out.print(table)
    if result.plan is not None:
        gap = "-" if result.gap is None else f"{result.gap:.2%}"
        out.print(
            f"{len(result.plan.events)} exercises held; gap {gap}; "
            f"{result.runtime_s:.1f}s"
        )


def _print_reasons(explanation: Explanation | None) -> None:
    """Why the plan leaves out what it does (the workbook has every reason)."""
    if explanation is None or not explanation.reasons:
        return
    for reason in explanation.reasons:
        what = "Exercise" if reason.kind == KIND_EXERCISE else "Goal"
        out.print(f"{what} {reason.item_id} left out: {reason.text}", markup=False)
    out.print(
        f"{len(explanation.reasons)} reason(s), {explanation.probed} re-solved "
        f"with the item forced in, in {explanation.seconds:.1f} s."
    )


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Result folder [default: outputs/<workbook name>/].",
)
@_search_options("to search")
@click.option(
    "--deterministic", is_flag=True, help="Same plan run after run (fixed search)."
)
@click.option(
    "--quiet",
    is_flag=True,
    help="Print only warnings and errors (to stderr): no progress, result "
    "table, reasons or list of files; the exit code tells the outcome.",
)
@click.option(
    "--explain-all",
    is_flag=True,
    help="Say why for every exercise and goal left out, and price each budget "
    "(as long as that takes).",
)
@click.option(
    "--explain-time",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="SECONDS",
    help="Give the explanations this much time beyond the time limit "
    "(by default they get what the search leaves of it).",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    help="Re-plan against this earlier result (schedule.json, .xlsx or folder), "
    "changing as little as it must.",
)
@click.option(
    "--freeze-before",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Baseline events starting before this date keep their start, venue "
    "and participants.",
)
@SCENARIO
def solve(
    workbook: Path,
    out_dir: Path | None,
    time_limit: float | None,
    workers: int,
    seed: int,
    deterministic: bool,
    quiet: bool,
    explain_all: bool,
    explain_time: float,
    baseline: Path | None,
    freeze_before: dt.datetime | None,
    scenario: str | None,
) -> None:
    """Plan the programme in WORKBOOK and write schedule.xlsx and schedule.json.

    The time limit is the whole command's: reading, searching, explaining and
    writing end within it (and a few seconds). Every optional exercise left
    out and soft goal not met gets a reason (the most valuable few re-solved,
    or all with --explain-all) while time is left; when no plan exists, the
    fewest workbook rows that conflict are named.
    """
    from planner.app import SolveRequest, Stages, describe_problem, solve_workbook

    if freeze_before is not None and baseline is None:
        raise click.UsageError("--freeze-before needs --baseline.")
    default_name = workbook.stem + (f"-{scenario}" if scenario else "")
    target = out_dir or Path("outputs") / default_name
    request = SolveRequest(
        options=_solve_options(time_limit, workers, seed, deterministic),
        scenario=scenario,
        explain_all=explain_all,
        baseline=baseline,
        freeze_before=None if freeze_before is None else freeze_before.date(),
        explain_s=explain_time,
        began=_began(),
    )

    def read(problem: Problem, findings: Sequence[Finding]) -> None:
        _print_findings(findings)
        if not quiet:
            err.print(f"{workbook.name}: {describe_problem(problem)}.")

    with _search_line(err.is_terminal and not quiet) as line:

        def searched(result: Result) -> None:
            line.stop()
            _hold_or_stop(result)

        stages = Stages(
            read=read,
            searched=searched,
            explaining=signals.raising,
            writing=signals.writing,
            explaining_stopped=_explanations_skipped,
        )
        outcome = solve_workbook(workbook, target, request, line.show, stages=stages)
    result, problem = outcome.result, outcome.problem
    if result is None:  # stopped before the search: ``read`` was not told
        _stop_if_invalid(workbook, outcome.findings, problem is not None)
    if outcome.output_error is not None:
        err.print(outcome.output_error, markup=False)
        sys.exit(EXIT_OUTPUT)
    if result is None or problem is None:
        sys.exit(EXIT_INVALID)  # the baseline could not be read (said above)
    if not quiet:
        _print_result(result, problem.settings.currency)
        _print_reasons(outcome.explanation)
        _print_written(outcome.files, target)
    if result.plan is not None:
        for warning in outcome.pinned_left_out:
            err.print(f"warning: {warning}", style="yellow", markup=False)
        _end_if_interrupted(result, outcome.violations)
    frozen = result.frozen_violations
    if frozen:
        for message in frozen:
            err.print(message, markup=False)
        err.print(
            f"{len(frozen)} frozen event(s) break a rule: change the workbook or "
            "freeze from an earlier date."
        )
        sys.exit(EXIT_INFEASIBLE)
    if result.status is Status.INFEASIBLE:
        _print_conflict(outcome.explanation, err)
        sys.exit(EXIT_INFEASIBLE)
    if result.plan is None:
        err.print("No plan found within the time limit; try a longer --time-limit.")
        sys.exit(EXIT_NO_PLAN)


def _began() -> float:
    """When this command began, as a `time.perf_counter` value: the process's
    start when run as ``planner`` (`run_command` hands it over, so Python's
    start and imports count against the time limit), else now (a command
    called in a process that has run for a while, as tests do)."""
    started = click.get_current_context().find_root().obj
    return started if isinstance(started, float) else time.perf_counter()


def process_started() -> float:
    """When this process started, as a `time.perf_counter` value. Read from
    /proc on Linux; elsewhere the moment of asking (the imports are then
    not counted)."""
    now = time.perf_counter()
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        age = uptime - int(stat[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return now
    return now - max(0.0, age)


def _explanations_skipped(result: Result, stop: KeyboardInterrupt) -> None:
    """An interrupt while explaining: the plan is written without them; with
    no plan there is nothing to write, and the run ends as interrupted."""
    if result.plan is None:
        raise stop
    err.print("Explanations skipped (interrupted); writing the plan.")


def _hold_or_stop(result: Result) -> None:
    """After the search: keep a plan whatever comes; without one, stop if asked.

    The search swallows the interrupt that stopped it (it returns its best
    plan); with no plan at all the run ends as if interrupted before it.
    """
    for failure in result.failures:
        err.print(f"warning: {failure}", style="yellow", markup=False)
    if result.plan is not None:
        signals.holding_plan()
    elif signals.received is not None:
        raise Interrupted(signals.received)


def _end_if_interrupted(result: Result, violations: Sequence[Violation]) -> None:
    """Exit 6 when Ctrl-C or SIGTERM stopped the run: the plan written is
    checked (``violations``: the checker's verdict on it)."""
    if not result.statistics.get("interrupted") and signals.received is None:
        return
    for violation in violations:
        err.print(str(violation), style="red", markup=False)
    if violations:
        sys.exit(EXIT_VIOLATIONS)
    how = signal_name(signals.received) if signals.received else "interrupted"
    err.print(
        f"Interrupted ({how}): the best plan found until then was written; "
        "the independent checker finds every hard rule holds.",
        markup=False,
    )
    sys.exit(EXIT_INTERRUPTED)


def _print_written(written: Sequence[Path], folder: Path) -> None:
    """The result's files; the partner and venue calendars as a count."""
    names = [str(path) for path in written if path.parent == folder]
    others = len(written) - len(names)
    if others:
        names.append(f"{others} partner and venue calendars in {folder / 'calendars'}")
    out.print(f"Wrote {', '.join(names)}")


def _print_conflict(explanation: object, console: Console) -> None:
    """Name the rows that cannot all hold, one line each.

    `explain` answers with them (stdout); for `solve` they say why it failed
    (stderr).
    """
    console.print(
        "No plan exists: these rows of the workbook cannot all hold together:"
    )
    for line in getattr(explanation, "lines", ()):
        console.print(f"  {line}", markup=False)


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@SCENARIO
@click.option(
    "--time-limit",
    type=TIME_LIMIT,
    default=30,
    show_default=True,
    help="Seconds to search, more than 0.",
)
def explain(workbook: Path, scenario: str | None, time_limit: float) -> None:
    """Say why no plan exists for WORKBOOK: the fewest rows that conflict."""
    from planner.app import conflict_of_workbook

    found = conflict_of_workbook(workbook, scenario, time_limit)
    _stop_if_invalid(workbook, found.findings, found.valid)
    if found.conflict is None:
        out.print(f"{workbook.name}: a plan exists; run planner solve.")
        return
    _print_conflict(found.conflict, out)
    sys.exit(EXIT_INFEASIBLE)


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.argument("result", type=click.Path(path_type=Path))
@click.argument("exercise_id")
@click.option("--top", type=int, default=5, show_default=True)
@click.option("--at", "at_venue", help="Try this venue.")
@click.option(
    "--start", "at_start", type=click.DateTime(["%Y-%m-%d"]), help="Try this date."
)
@SCENARIO
def suggest(
    workbook: Path,
    result: Path,
    exercise_id: str,
    top: int,
    at_venue: str | None,
    at_start: dt.datetime | None,
    scenario: str | None,
) -> None:
    """List the best other placements of EXERCISE_ID, the rest of RESULT kept."""
    from planner.app import suggest_placements

    start = None if at_start is None else at_start.date()
    found = suggest_placements(
        workbook, result, exercise_id, top, at_venue, start, scenario
    )
    reading = found.reading
    _stop_if_invalid(workbook, reading.findings, reading.valid)
    if found.unknown_exercise:
        err.print(f"Exercise {exercise_id} is not in {workbook.name}.")
        sys.exit(EXIT_INVALID)
    _stop_unless_read(workbook, reading)
    for suggestion in found.suggestions:
        out.print(suggestion.text, markup=False)


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.argument("schedule", type=click.Path(path_type=Path))
def check(workbook: Path, schedule: Path) -> None:
    """Re-verify a SCHEDULE (xlsx, json or result folder) against WORKBOOK.

    Independent of the solver: every hard rule is checked again and every
    objective term recomputed.
    """
    from planner.app import check_schedule

    checked = check_schedule(workbook, schedule)
    _stop_unless_read(workbook, checked.reading)
    for violation in checked.violations:
        err.print(str(violation), style="red", markup=False)
    table = Table(title="Objective, recomputed")
    table.add_column("term")
    table.add_column("contribution", justify="right")
    for name, value in checked.terms.items():
        table.add_row(name, f"{value:,}")
    table.add_row("total", f"{checked.objective:,}", style="bold")
    out.print(table)
    if checked.violations:
        err.print(f"{len(checked.violations)} rule(s) broken.")
        sys.exit(EXIT_VIOLATIONS)
    events = 0 if checked.reading.plan is None else len(checked.reading.plan.events)
    out.print(f"{events} events checked: every hard rule holds.")


@main.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    default=Path("comparison.xlsx"),
    show_default=True,
    help="Comparison workbook (or a folder to write comparison.xlsx in).",
)
@click.option(
    "--workbook",
    type=click.Path(path_type=Path),
    help="The input workbook the results were planned from; needed to compare "
    "a schedule.xlsx, whose figures are recomputed from it as check does.",
)
def compare(results: tuple[Path, ...], out_path: Path, workbook: Path | None) -> None:
    """Compare two or more RESULTS side by side.

    A result is what check reads: a result folder, a schedule.json or a
    schedule.xlsx (edited or not; give --workbook).
    """
    from planner.app import compare_files

    if len(results) < 2:
        err.print("compare needs at least two results.")
        sys.exit(EXIT_INVALID)
    compared = compare_files(results, out_path, workbook)
    if workbook is not None:
        _stop_if_invalid(workbook, compared.findings, compared.valid)
    if compared.report is None:
        err.print(str(compared.error))
        sys.exit(EXIT_INVALID)
    comparison = compared.report.comparison
    for warning in comparison.warnings:
        err.print(f"warning: {warning}", style="yellow", markup=False)
    _print_rows(compared.report.rows)
    for difference in comparison.differences:
        out.print(str(difference), markup=False)
    if compared.output_error is not None:
        err.print(compared.output_error, markup=False)
        sys.exit(EXIT_OUTPUT)
    out.print(f"Wrote {compared.file}")


@main.command()
@click.argument("result", type=click.Path(path_type=Path))
@click.option(
    "--compare",
    "others",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Another result (a scenario) to show side by side; may be repeated.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Folder for brief.pdf and brief.html [default: RESULT's folder].",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "a3"]),
    default="a4",
    show_default=True,
    help="Landscape paper size of the PDF.",
)
def brief(
    result: Path, others: tuple[Path, ...], out_dir: Path | None, paper: str
) -> None:
    """Write brief.pdf and brief.html for RESULT (a result folder or schedule.json).

    The banner, key figures, the plan by month, goals, spend against budgets
    and exercises left out; with --compare, the scenarios side by side and
    what changed.
    """
    from planner.app import brief_files

    try:
        written = brief_files(result, others, out_dir, paper)
    except ResultError as error:
        err.print(str(error), markup=False)
        sys.exit(EXIT_INVALID)
    out.print(f"Wrote {', '.join(str(p) for p in written)}")


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Result folder [default: outputs/<workbook name>-whatif/].",
)
@_search_options("per plan")
@click.option("--scenario", "scenarios", multiple=True, help="Only these scenarios.")
@click.option(
    "--freeze-before",
    type=click.DateTime(["%Y-%m-%d"]),
    help="In every scenario, base events starting before this date stay as they are.",
)
@_engine_options
def whatif(
    workbook: Path,
    out_dir: Path | None,
    time_limit: float | None,
    workers: int,
    seed: int,
    scenarios: tuple[str, ...],
    freeze_before: dt.datetime | None,
    engine: str,
    address: str | None,
) -> None:
    """Plan the base and every scenario of WORKBOOK, and compare them.

    Each scenario is re-planned against the base plan with as little change
    as it must; the plans run side by side, one process each (or as tasks on
    Ray with --engine ray). Exits 2 when a scenario's rows have errors, 3
    when a plan is proven infeasible, 4 when one was not found in time: every
    plan that was found is still written.
    """
    from planner.app import EngineChoice, whatif_workbook

    target = out_dir or Path("outputs") / f"{workbook.stem}-whatif"
    options = SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed)
    done = whatif_workbook(
        workbook,
        target,
        options,
        list(scenarios) or None,
        None if freeze_before is None else freeze_before.date(),
        progress=lambda news: _tell_line(news.message),
        engine=EngineChoice(engine, address),
    )
    _stop_on_error(done.error)
    for name, findings in done.findings.items():
        if findings:
            err.print(f"{name}:")
            _print_findings(findings)
    for name in done.skipped:
        err.print(f"{name}: not planned, its rows have errors (listed above).")
    for plan in done.plans[1:]:
        for message in plan.result.frozen_violations:
            err.print(f"{plan.name}: {message}", markup=False)
    _print_failed(done.failed)
    if not done.plans:
        sys.exit(EXIT_UNEXPECTED if done.failed else EXIT_INVALID)
    if done.comparison is not None:
        _print_rows(done.comparison.rows)
    if done.comparison_file is not None:
        out.print(f"Wrote {done.comparison_file}")
    _exit_on_violations(
        [(plan.name, v) for plan in done.plans for v in plan.violations]
    )
    if done.interrupted or signals.received is not None:
        how = signal_name(signals.received) if signals.received else "interrupted"
        planned = [plan.name for plan in done.plans if plan.result.plan is not None]
        err.print(
            f"Interrupted ({how}): the best plans found until then were written "
            f"({', '.join(planned)}); the independent checker finds every hard "
            "rule holds.",
            markup=False,
        )
        sys.exit(EXIT_INTERRUPTED)
    if done.failed:
        sys.exit(EXIT_UNEXPECTED)
    if done.skipped:
        sys.exit(EXIT_INVALID)
    unplanned = [plan for plan in done.plans if plan.result.plan is None]
    if unplanned:
        err.print(
            f"{len(unplanned)} of {len(done.plans)} plans not found "
            f"({', '.join(plan.name for plan in unplanned)}): each folder holds "
            "no-plan.xlsx saying what was tried."
        )
        infeasible = all(plan.result.status is Status.INFEASIBLE for plan in unplanned)
        sys.exit(EXIT_INFEASIBLE if infeasible else EXIT_NO_PLAN)


def _tell_line(line: str) -> None:
    """One finished plan of a what-if run (its first word is the stage's)."""
    if line:
        err.print(line, markup=False)


@main.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=Path("planner-data"),
    show_default=True,
    help="Folder for the run history (SQLite) and the result files.",
)
@click.option(
    "--token",
    envvar="PLANNER_TOKEN",
    help="Access token every request must carry; required on any address but "
    "localhost [env: PLANNER_TOKEN].",
)
@click.option(
    "--max-solves",
    type=int,
    default=1,
    show_default=True,
    help="Solves run at once; the others wait in the queue.",
)
@click.option(
    "--max-upload-mb", type=int, default=20, show_default=True, help="Upload size cap."
)
@_engine_options
def serve(
    host: str,
    port: int,
    data: Path,
    token: str | None,
    max_solves: int,
    max_upload_mb: int,
    engine: str,
    address: str | None,
) -> None:
    """Start the planning cell's web page and JSON API (OpenAPI at /docs)."""
    import uvicorn

    from planner.app import EngineChoice, engine_unavailable
    from planner.serve.app import create_app
    from planner.serve.security import needs_token
    from planner.serve.storage import StorageError

    # Ray missing or unreachable: one line and exit 2, before serving
    _stop_on_error(engine_unavailable(EngineChoice(engine, address)))
    if needs_token(host) and not token:
        err.print(
            f"planner serve on {host} is reachable from other machines: give an "
            "access token with --token or PLANNER_TOKEN."
        )
        sys.exit(EXIT_INVALID)
    try:
        app = create_app(
            data,
            token,
            max_solves,
            max_upload_mb * 1024 * 1024,
            EngineChoice(engine, address),
        )
    except StorageError as error:
        err.print(str(error), markup=False)
        sys.exit(EXIT_INVALID)
    shown = f"[{host}]" if ":" in host else host
    login = "/?token=<your token>" if token else "/"
    out.print(f"planner serve: open http://{shown}:{port}{login} (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


def _percents(_ctx: object, _param: object, value: str | None) -> tuple[int, ...]:
    """--budget-cut 10,20,30: whole percents from 1 to 99."""
    if not value:
        return ()
    try:
        percents = tuple(int(part) for part in value.replace(";", ",").split(","))
    except ValueError:
        percents = ()
    if not percents or not all(1 <= p <= 99 for p in percents):
        raise click.BadParameter(
            f"{value!r}: give whole percents from 1 to 99, e.g. 10,20,30"
        )
    return tuple(dict.fromkeys(percents))


def _quarters(_ctx: object, _param: object, value: str | None) -> tuple[int, ...]:
    """--close-each-venue Q1,Q3: calendar quarters."""
    if not value:
        return ()
    parts = [part.strip().upper() for part in value.replace(";", ",").split(",")]
    if not all(part in ("Q1", "Q2", "Q3", "Q4") for part in parts):
        raise click.BadParameter(f"{value!r}: give quarters Q1 to Q4, e.g. Q1,Q3")
    return tuple(dict.fromkeys(int(part[1]) for part in parts))


def _solve_options(
    time_limit: float | None, workers: int, seed: int, deterministic: bool
) -> SolveOptions:
    return SolveOptions(
        time_limit_s=time_limit, workers=workers, seed=seed, deterministic=deterministic
    )


DETERMINISTIC = click.option(
    "--deterministic", is_flag=True, help="Same plan run after run (fixed search)."
)


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Result folder [default: outputs/<workbook name>-sweep/].",
)
@click.option(
    "--drop-each-partner",
    is_flag=True,
    help="One variant per partner: it drops out of the whole programme.",
)
@click.option(
    "--budget-cut",
    "budget_cuts",
    callback=_percents,
    help="Variants with the total budget cut by each percent, e.g. 10,20,30.",
)
@click.option(
    "--close-each-venue",
    "quarters",
    callback=_quarters,
    help="One variant per venue and quarter: the venue closed in that calendar "
    "quarter of every year, e.g. Q1,Q2,Q3,Q4.",
)
@_search_options("per plan")
@DETERMINISTIC
@click.option(
    "--freeze-before",
    type=click.DateTime(["%Y-%m-%d"]),
    help="In every variant, base events starting before this date stay as they are.",
)
@_engine_options
def sweep(
    workbook: Path,
    out_dir: Path | None,
    drop_each_partner: bool,
    budget_cuts: tuple[int, ...],
    quarters: tuple[int, ...],
    time_limit: float | None,
    workers: int,
    seed: int,
    deterministic: bool,
    freeze_before: dt.datetime | None,
    engine: str,
    address: str | None,
) -> None:
    """Make what-ifs from WORKBOOK, re-plan each against the base, rank them.

    Each variant (a partner dropping out, a budget cut, a venue closed for a
    quarter) is re-planned against the base plan with minimal change and the
    comparison lists the most harmful first. A variant without a plan is an
    answer, not a failure: it ranks first. Exits 3 or 4 when the base itself
    has no plan.
    """
    from planner.app import EngineChoice, SweepSpec, sweep_workbook

    spec = SweepSpec(drop_each_partner, budget_cuts, quarters)
    target = out_dir or Path("outputs") / f"{workbook.stem}-sweep"
    ended: list[str] = []

    def tell(news: RunProgress) -> None:
        ended.append(news.message)
        _tell_done(news)

    try:
        done = sweep_workbook(
            workbook,
            target,
            spec,
            _solve_options(time_limit, workers, seed, deterministic),
            EngineChoice(engine, address),
            tell,
            None if freeze_before is None else freeze_before.date(),
        )
    except Interrupted as stop:
        if not ended:
            raise
        err.print(
            f"Interrupted ({stop}) after {len(ended)} plan(s): each is checked and "
            f"written in its folder under {target}; the comparison is not.",
            markup=False,
        )
        sys.exit(EXIT_INTERRUPTED)
    _stop_on_error(done.error)
    _print_findings(done.findings)
    if not done.planned:
        err.print(f"{workbook.name} has errors; nothing was planned.")
        sys.exit(EXIT_INVALID)
    _print_failed(done.failed)
    if done.base is None:
        sys.exit(EXIT_UNEXPECTED)
    rows = [("rank", "variant", "status", "objective lost", "lost", "moved")]
    for rank, impact in enumerate(done.impacts, start=1):
        loss = (
            "no plan" if impact.objective_loss is None else f"{impact.objective_loss:,}"
        )
        rows.append(
            (
                str(rank),
                impact.name,
                impact.status,
                loss,
                str(impact.lost),
                str(impact.moved),
            )
        )
    _print_rows(rows)
    if done.comparison_file is not None:
        out.print(f"Wrote {done.comparison_file}")
    _exit_on_violations(done.broken)
    if done.failed:
        sys.exit(EXIT_UNEXPECTED)
    base = done.base
    if base.plan is None:
        sys.exit(EXIT_INFEASIBLE if base.status is Status.INFEASIBLE else EXIT_NO_PLAN)


def _tell_done(news: RunProgress) -> None:
    """One finished plan of many, as "name: status (k of n)"."""
    done, total = news.runs or (0, 0)
    err.print(f"{news.message} ({done} of {total})", markup=False)


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.argument("result", type=click.Path(path_type=Path))
@click.option(
    "--samples",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="How many futures to draw.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Folder for robustness.xlsx [default: outputs/<workbook name>-robustness/].",
)
@_search_options("per sample")
@DETERMINISTIC
@_engine_options
def robustness(
    workbook: Path,
    result: Path,
    samples: int,
    out_dir: Path | None,
    time_limit: float | None,
    workers: int,
    seed: int,
    deterministic: bool,
    engine: str,
    address: str | None,
) -> None:
    """How often each exercise of RESULT survives drawn drop-outs and budget cuts.

    Draws SAMPLES futures from the probabilities in WORKBOOK (Partners
    dropout_probability, Settings budget_shock_probability and
    budget_shock_cut), re-plans each against RESULT (the committed plan)
    with minimal change, and counts per exercise how often it stays as
    planned, moves, changes partners or is lost, and per goal how often it
    is still met. --seed draws the samples (the same seed, the same samples)
    and seeds the search.
    """
    from planner.app import (
        FATES,
        FINDING,
        WARNING,
        EngineChoice,
        robustness_workbook,
    )

    def tell(news: RunProgress) -> None:
        if news.stage == FINDING:
            err.print(news.message, style="yellow", markup=False)
        elif news.stage == WARNING:
            err.print(f"warning: {news.message}", style="yellow", markup=False)
        else:
            _tell_done(news)

    target = out_dir or Path("outputs") / f"{workbook.stem}-robustness"
    done = robustness_workbook(
        workbook,
        result,
        target,
        samples,
        seed,
        _solve_options(time_limit, workers, seed, deterministic),
        EngineChoice(engine, address),
        tell,
    )
    study = done.study
    if study is None:
        if done.error is not None and done.committed_read:
            _stop_on_error(done.error)  # the engine: its findings were told above
        _stop_if_invalid(workbook, done.findings, done.error is not None)
        sys.exit(EXIT_INVALID)  # the committed plan could not be read
    planned = study.planned
    out.print(
        f"{samples} samples (seed {seed}): {planned} re-planned, "
        f"{samples - planned} without a plan."
    )

    def share(count: int) -> str:
        return f"{count} ({count / planned:.0%})" if planned else str(count)

    _print_rows(
        [
            ("exercise", "name", *FATES),
            *(
                (t.exercise_id, t.name, *(share(t.counts[f]) for f in FATES))
                for t in study.fragile_first
            ),
        ]
    )
    _print_rows(
        [
            ("goal", "kind", "met in the plan", "still met"),
            *(
                (g.goal_id, g.kind, "yes" if g.met_in_plan else "no", share(g.met))
                for g in study.goals
            ),
        ]
    )
    out.print(f"Wrote {done.files[0]}")
    _print_failed(study.failed)
    if study.failed:
        sys.exit(EXIT_UNEXPECTED)
