"""The `planner` command: parse options, call the library, print, set exit codes.

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
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from planner import __version__
from planner.domain import (
    Finding,
    Plan,
    Problem,
    Progress,
    Result,
    Severity,
    SolveOptions,
    Status,
)
from planner.engines import Engine
from planner.explain import KIND_EXERCISE, Explanation
from planner.interrupt import (
    EXIT_INTERRUPTED,
    Aborted,
    Interrupted,
    exit_code,
    signal_name,
    signals,
)
from planner.results import no_plan_text
from planner.workbook.output import OutputError, make_folder

if TYPE_CHECKING:  # whatif brings the solver: imported where a command needs it
    from planner.whatif import ScenarioRun

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


def _load(path: Path, scenario: str | None = None) -> Problem:
    """Read and validate a workbook, or print why not and exit 2."""
    from planner.workbook.read import read_problem

    problem, findings = read_problem(path, scenario)
    _print_findings(findings)
    if problem is None:
        errors = sum(f.severity is Severity.ERROR for f in findings)
        err.print(f"{path.name}: {errors} error(s); nothing was planned.")
        sys.exit(EXIT_INVALID)
    return problem


def _describe(problem: Problem) -> str:
    return (
        f"{len(problem.exercises)} exercises, {len(problem.partners)} partners, "
        f"{len(problem.venues)} venues, {problem.n_slots} "
        f"{problem.settings.time_unit}s from {problem.settings.planning_start}"
    )


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
    from planner.engines import ENGINES, LOCAL

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


@contextmanager
def _engine(name: str, address: str | None) -> Iterator[Engine]:
    """The engine asked for, closed afterwards; exit 2 with one line if it
    cannot run (Ray missing, cluster unreachable)."""
    from planner.engines import EngineUnavailable, open_engine

    try:
        engine = open_engine(name, address)
        try:
            yield engine
        finally:
            engine.close()
    except EngineUnavailable as error:
        err.print(str(error), markup=False)
        sys.exit(EXIT_INVALID)


def _exit_on_violations(runs: Iterable[ScenarioRun]) -> None:
    """Name every rule a written plan breaks, by plan, and exit 1 if any."""
    broken = [(run.name, v) for run in runs for v in run.violations]
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
    problem = _load(workbook, scenario)
    out.print(f"{workbook.name} is valid: {_describe(problem)}.")


@main.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--example", is_flag=True, help="Fill in a small example programme.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def template(output: Path, example: bool, force: bool) -> None:
    """Write an input workbook to start from."""
    from planner.workbook.template import write_template

    try:
        write_template(output, example=example, force=force)
    except FileExistsError:
        err.print(f"{output} already exists; use --force to overwrite it.")
        sys.exit(EXIT_INVALID)
    out.print(f"Wrote {output}.")


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
    type=click.Choice(["spread", "dense"]),
    default="spread",
    show_default=True,
    help="spread: the horizon grows with the size (xl: five years); "
    "dense: one year of weeks at every size.",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def generate(output: Path, size: str, profile: str, seed: int, force: bool) -> None:
    """Write a generated programme (for tests and benchmarks).

    The planted plan it was built around, which proves it feasible, is written
    beside it as OUTPUT.planted.json, readable by `planner check`.
    """
    import json

    from planner.generate import generate as make
    from planner.generate import planted_schedule
    from planner.workbook.template import write_workbook

    planted_path = output.with_suffix(".planted.json")
    if (output.exists() or planted_path.exists()) and not force:
        taken = output if output.exists() else planted_path
        err.print(f"{taken} already exists; use --force to overwrite it.")
        sys.exit(EXIT_INVALID)
    tables, planted = make(size, seed, profile)
    write_workbook(tables, output)
    schedule = planted_schedule(tables, planted)
    planted_path.write_text(json.dumps(schedule, indent=1), encoding="utf-8")
    out.print(
        f"Wrote {output} (size {size}, profile {profile}, seed {seed}) and its "
        f"planted plan {planted_path.name} ({len(planted)} events)."
    )


@contextmanager
def _live_progress(enabled: bool) -> Iterator[Callable[[Progress], None] | None]:
    """Show elapsed time, best objective, bound and gap while CP-SAT searches."""
    if not enabled:
        yield None
        return
    with Live(console=err, refresh_per_second=4, transient=True) as live:

        def show(progress: Progress) -> None:
            live.update(_progress_line(progress))

        yield show


def _progress_line(progress: Progress) -> str:
    best = "-" if progress.objective is None else f"{progress.objective:,.0f}"
    bound = "-" if progress.bound is None else f"{progress.bound:,.0f}"
    gap = "-"
    if progress.objective is not None and progress.bound is not None:
        gap_value = abs(progress.bound - progress.objective) / max(
            1.0, abs(progress.bound)
        )
        gap = f"{gap_value:.2%}"
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
    help="Say why for every exercise and goal left out, and price each budget.",
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
    baseline: Path | None,
    freeze_before: dt.datetime | None,
    scenario: str | None,
) -> None:
    """Plan the programme in WORKBOOK and write schedule.xlsx and schedule.json.

    Every optional exercise left out and soft goal not met gets a reason (the
    most valuable few re-solved, or all with --explain-all); when no plan
    exists, the fewest workbook rows that conflict are named.
    """
    from planner.app.reasons import explain_result
    from planner.publish import publish, result_folder
    from planner.whatif import freeze_slot, replan
    from planner.workbook.plan_io import pinned_left_out
    from planner.workbook.write import write_result

    problem = _load(workbook, scenario)
    default_name = workbook.stem + (f"-{scenario}" if scenario else "")
    target = out_dir or Path("outputs") / default_name
    make_folder(target)  # a folder that cannot be written fails before the search
    options = SolveOptions(
        time_limit_s=time_limit, workers=workers, seed=seed, deterministic=deterministic
    )
    previous = _load_baseline(problem, baseline) if baseline else None
    freeze = None
    if freeze_before is not None:
        if previous is None:
            raise click.UsageError("--freeze-before needs --baseline.")
        freeze = freeze_slot(problem, freeze_before.date())
    if not quiet:
        err.print(f"{workbook.name}: {_describe(problem)}.")
    with _live_progress(err.is_terminal and not quiet) as show:
        result = replan(problem, options, previous, freeze, show)
    _hold_or_stop(result)
    frozen = result.frozen_violations
    try:
        with signals.raising():
            explanation = (
                None if frozen else explain_result(problem, result, explain_all)
            )
    except KeyboardInterrupt:
        if result.plan is None:
            raise
        err.print("Explanations skipped (interrupted); writing the plan.")
        explanation = None
    with signals.writing():
        written = write_result(problem, result, target, workbook, explanation)
        previous_dir = result_folder(baseline) if baseline else None
        written += publish(problem, result, target, previous_dir)
    if not quiet:
        _print_result(result, problem.settings.currency)
        _print_reasons(explanation)
        _print_written(written, target)
    if result.plan is not None:
        for warning in pinned_left_out(problem, result.plan, explanation):
            err.print(f"warning: {warning}", style="yellow", markup=False)
        _end_if_interrupted(problem, result)
    if frozen:
        for message in frozen:
            err.print(message, markup=False)
        err.print(
            f"{len(frozen)} frozen event(s) break a rule: change the workbook or "
            "freeze from an earlier date."
        )
        sys.exit(EXIT_INFEASIBLE)
    if result.status is Status.INFEASIBLE:
        _print_conflict(explanation, err)
        sys.exit(EXIT_INFEASIBLE)
    if result.plan is None:
        err.print("No plan found within the time limit; try a longer --time-limit.")
        sys.exit(EXIT_NO_PLAN)


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


def _end_if_interrupted(problem: Problem, result: Result) -> None:
    """Exit 6 when Ctrl-C or SIGTERM stopped the run: the plan written is checked."""
    from planner.check import check_plan

    if not result.statistics.get("interrupted") and signals.received is None:
        return
    assert result.plan is not None
    violations = check_plan(problem, result.plan)
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


def _print_written(written: list[Path], folder: Path) -> None:
    """The result's files; the partner and venue calendars as a count."""
    names = [str(path) for path in written if path.parent == folder]
    others = len(written) - len(names)
    if others:
        names.append(f"{others} partner and venue calendars in {folder / 'calendars'}")
    out.print(f"Wrote {', '.join(names)}")


def _load_baseline(problem: Problem, path: Path) -> Plan:
    """The earlier plan to re-plan against; rows that no longer match are warned."""
    from planner.workbook.plan_io import read_baseline

    previous, findings = read_baseline(problem, path)
    _print_findings(findings)
    if previous is None:
        sys.exit(EXIT_INVALID)
    return previous


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
    from planner.explain import explain_conflict
    from planner.model.conflicts import conflict

    problem = _load(workbook, scenario)
    rows = conflict(problem, time_limit)
    if rows is None:
        out.print(f"{workbook.name}: a plan exists; run planner solve.")
        return
    _print_conflict(explain_conflict(problem, rows), out)
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
    from planner.app.reasons import suggest as suggestions
    from planner.workbook.plan_io import read_plan

    problem = _load(workbook, scenario)
    if exercise_id not in problem.exercise:
        err.print(f"Exercise {exercise_id} is not in {workbook.name}.")
        sys.exit(EXIT_INVALID)
    plan, findings = read_plan(problem, result)
    _print_findings(findings)
    if plan is None:
        sys.exit(EXIT_INVALID)
    start = None if at_start is None else problem.slot_of(at_start.date())
    for suggestion in suggestions(problem, plan, exercise_id, top, at_venue, start):
        out.print(suggestion.text, markup=False)


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.argument("schedule", type=click.Path(path_type=Path))
def check(workbook: Path, schedule: Path) -> None:
    """Re-verify a SCHEDULE (xlsx, json or result folder) against WORKBOOK.

    Independent of the solver: every hard rule is checked again and every
    objective term recomputed.
    """
    from planner.check import check_plan
    from planner.figures import objective_terms
    from planner.workbook.plan_io import read_plan

    problem = _load(workbook)
    plan, findings = read_plan(problem, schedule)
    _print_findings(findings)
    if plan is None:
        sys.exit(EXIT_INVALID)
    violations = check_plan(problem, plan)
    for violation in violations:
        err.print(str(violation), style="red", markup=False)
    terms = objective_terms(problem, plan)
    table = Table(title="Objective, recomputed")
    table.add_column("term")
    table.add_column("contribution", justify="right")
    for name, value in terms.items():
        table.add_row(name, f"{value:,}")
    table.add_row("total", f"{sum(terms.values()):,}", style="bold")
    out.print(table)
    if violations:
        err.print(f"{len(violations)} rule(s) broken.")
        sys.exit(EXIT_VIOLATIONS)
    out.print(f"{len(plan.events)} events checked: every hard rule holds.")


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
    from planner.compare import compare as compare_plans
    from planner.compare import comparison_rows
    from planner.results import ResultError
    from planner.workbook.compare_write import write_comparison
    from planner.workbook.plan_io import read_result

    if len(results) < 2:
        err.print("compare needs at least two results.")
        sys.exit(EXIT_INVALID)
    problem = _load(workbook) if workbook is not None else None
    try:
        comparison = compare_plans(
            [read_result(path, problem, workbook) for path in results]
        )
    except ResultError as error:
        err.print(str(error))
        sys.exit(EXIT_INVALID)
    for warning in comparison.warnings:
        err.print(f"warning: {warning}", style="yellow", markup=False)
    _print_rows(comparison_rows(comparison))
    for difference in comparison.differences:
        out.print(str(difference), markup=False)
    written = write_comparison(comparison, out_path)
    out.print(f"Wrote {written}")


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
    from planner.brief import write_brief
    from planner.results import ResultError

    try:
        written = write_brief(result, others, out_dir, paper)
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
    from planner.compare import comparison_rows
    from planner.engines import LOCAL
    from planner.whatif import NoScenarios, run_whatif

    target = out_dir or Path("outputs") / f"{workbook.stem}-whatif"
    options = SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed)
    try:
        with _engine(engine, address) as runner:
            done = run_whatif(
                workbook,
                target,
                options,
                list(scenarios) or None,
                report=lambda line: err.print(line, markup=False),
                freeze_before=None if freeze_before is None else freeze_before.date(),
                # Locally, whatif plans the base here and stops cleanly on
                # Ctrl-C (planner.interrupt); other engines run every plan.
                engine=None if runner.name == LOCAL else runner,
            )
    except NoScenarios as error:
        err.print(str(error), markup=False)
        sys.exit(EXIT_INVALID)
    for name, findings in done.findings.items():
        if findings:
            err.print(f"{name}:")
            _print_findings(findings)
    for name in done.skipped:
        err.print(f"{name}: not planned, its rows have errors (listed above).")
    for run in done.scenarios:
        for message in run.result.frozen_violations:
            err.print(f"{run.name}: {message}", markup=False)
    _print_failed(done.failed)
    if done.base is None:
        sys.exit(EXIT_UNEXPECTED if done.failed else EXIT_INVALID)
    if done.compared is not None:
        _print_rows(comparison_rows(done.compared))
    if done.comparison is not None:
        out.print(f"Wrote {done.comparison}")
    runs = (done.base, *done.scenarios)
    _exit_on_violations(runs)
    if done.interrupted or signals.received is not None:
        how = signal_name(signals.received) if signals.received else "interrupted"
        planned = [run.name for run in runs if run.result.plan is not None]
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
    unplanned = [run for run in runs if run.result.plan is None]
    if unplanned:
        err.print(
            f"{len(unplanned)} of {len(runs)} plans not found "
            f"({', '.join(run.name for run in unplanned)}): each folder holds "
            "no-plan.xlsx saying what was tried."
        )
        infeasible = all(run.result.status is Status.INFEASIBLE for run in unplanned)
        sys.exit(EXIT_INFEASIBLE if infeasible else EXIT_NO_PLAN)


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

    from planner.app import EngineChoice
    from planner.serve.app import create_app
    from planner.serve.security import needs_token
    from planner.serve.storage import StorageError

    with _engine(engine, address):
        pass  # Ray missing or unreachable: one line and exit 2, before serving
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
    from planner.sweep import SweepError, SweepSpec, run_sweep

    spec = SweepSpec(drop_each_partner, budget_cuts, quarters)
    target = out_dir or Path("outputs") / f"{workbook.stem}-sweep"
    ended: list[str] = []

    def tell(line: str, done: int, total: int) -> None:
        ended.append(line)
        _tell_done(line, done, total)

    try:
        with _engine(engine, address) as runner:
            done = run_sweep(
                workbook,
                target,
                spec,
                _solve_options(time_limit, workers, seed, deterministic),
                runner,
                tell,
                None if freeze_before is None else freeze_before.date(),
            )
    except SweepError as error:
        err.print(str(error), markup=False)
        sys.exit(EXIT_INVALID)
    except Interrupted as stop:
        if not ended:
            raise
        err.print(
            f"Interrupted ({stop}) after {len(ended)} plan(s): each is checked and "
            f"written in its folder under {target}; the comparison is not.",
            markup=False,
        )
        sys.exit(EXIT_INTERRUPTED)
    _print_findings(done.findings)
    planned = done.planned
    if planned is None:
        err.print(f"{workbook.name} has errors; nothing was planned.")
        sys.exit(EXIT_INVALID)
    _print_failed(planned.failed)
    if planned.base is None:
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
    if planned.comparison is not None:
        out.print(f"Wrote {planned.comparison}")
    runs = (planned.base, *planned.scenarios)
    _exit_on_violations(runs)
    if planned.failed:
        sys.exit(EXIT_UNEXPECTED)
    base = planned.base.result
    if base.plan is None:
        sys.exit(EXIT_INFEASIBLE if base.status is Status.INFEASIBLE else EXIT_NO_PLAN)


def _tell_done(line: str, done: int, total: int) -> None:
    """One finished plan of many, as "name: status (k of n)"."""
    err.print(f"{line} ({done} of {total})", markup=False)


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
    from planner.robustness import FATES, run_study, study_warnings
    from planner.workbook.study_write import write_study

    problem = _load(workbook)
    plan = _load_baseline(problem, result)
    for warning in study_warnings(problem):
        err.print(f"warning: {warning}", style="yellow", markup=False)
    options = _solve_options(time_limit, workers, seed, deterministic)
    with _engine(engine, address) as runner:
        study = run_study(problem, plan, samples, seed, options, runner, _tell_done)
    target = out_dir or Path("outputs") / f"{workbook.stem}-robustness"
    written = write_study(study, target)
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
    out.print(f"Wrote {written}")
    _print_failed(study.failed)
    if study.failed:
        sys.exit(EXIT_UNEXPECTED)
