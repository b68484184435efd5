"""The `planner` command: parse options, call `planner.app`, print, exit.

Every command calls one function of the application layer and exits with
the code of the outcome's verdict (`planner.app.verdict.Verdict`, the one
table the web page reads too): 0 done (plan written, file valid, plan
clean); 1 the checked plan breaks a rule (every broken rule printed); 2
invalid input (also: an option out of range, a workbook without scenarios
given to whatif, a scenario whose rows have errors; serve refusing to start:
another address without users or without TLS and --insecure, an unusable
data folder or TLS file, a data folder another serve uses; users: an unknown
user, a bad name, role or password); 3 proven
infeasible (whatif: some plan proven infeasible, every other found); 4 no
plan found within the time limit (whatif: some plan not found in time); 5
the results could not be written (output folder or file problem); 6
interrupted (Ctrl-C or SIGTERM) once a plan existed: the best plans found
were checked and written; 130 (Ctrl-C) or 143 (SIGTERM) interrupted before
any plan existed, or a second signal that ended the run at once: nothing
half-written is left (see `planner.interrupt`); 70 whatif, sweep and
robustness: a plan whose task failed twice (a crashed worker, a lost
machine), named on stderr, every other plan still written; and an unexpected
error (one line, never a traceback); 8 serve: the port is already in use (one
line).

Answers go to stdout, diagnostics (findings, progress, warnings, why a
command failed) to stderr, so an answer can be piped or saved on its own.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from planner import __version__
from planner.app.verdict import Verdict
from planner.domain import (
    ENGINES,
    LOCAL,
    EngineChoice,
    Finding,
    Problem,
    Result,
    Severity,
    SolveOptions,
    Violation,
)
from planner.interrupt import Aborted, Interrupted, exit_code, signal_name, signals
from planner.report import (
    FIGURE_WORDS,
    KIND_EXERCISE,
    PLAN_WORDS,
    PLAN_WORDS_SHORT,
    TERM_WORDS,
    WORTH_WORDS,
    Explanation,
    could_improve_text,
    no_plan_text,
    not_examined_hint,
)

if TYPE_CHECKING:  # the application layer's commands bring the solver: each
    # command imports the one it calls
    from planner.app.examine import PlanReading
    from planner.app.progress import RunProgress
    from planner.serve.storage import Storage

EXIT_UNEXPECTED = 70  # an unexpected error: one line, never a traceback
CLI_USER = "command line"  # who the audit log names for `planner users`

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
        except Interrupted:
            # any command (validate, check, compare make no plan): say no more
            # than is true of all of them
            _end_on(signals.received, "Interrupted ({}); nothing written.")
        except Aborted:
            _end_on(
                signals.last,
                "Stopped at once ({} again); the results were not written.",
            )
        except Exception as error:
            if signals.received is not None:
                # an interrupt inside an import or a library, seen as its error
                _end_on(signals.received, "Interrupted ({}); nothing written.")
            err.print(
                f"planner stopped on an unexpected error ({type(error).__name__}: "
                f"{error}). Please report it with the workbook attached."
            )
            sys.exit(EXIT_UNEXPECTED)
        finally:
            signals.forget()


def _end_on(signum: int | None, words: str) -> NoReturn:
    """Say the run ended on ``signum`` (``words`` with its name in {}) and
    exit with its code. The signal is what the handler recorded, never an
    exception's arguments, which a library may have re-created as text."""
    stop = signum or signal.SIGINT
    err.print(words.format(signal_name(stop)))
    sys.exit(exit_code(stop))


@click.group(cls=PlannerCommand)
@click.version_option(__version__, prog_name="planner")
def main() -> None:
    """Plan a programme of multinational exercises from an Excel workbook."""


def _print_findings(findings: Iterable[Finding]) -> None:
    for finding in findings:
        style = "yellow" if finding.severity is Severity.WARNING else "red"
        err.print(str(finding), style=style, markup=False)


def _exit(verdict: Verdict) -> None:
    """End with the verdict's exit code (none for done); a stop before any
    plan with the code of the signal that stopped it."""
    if verdict is Verdict.DONE:
        return
    if verdict is Verdict.STOPPED:
        sys.exit(exit_code(signals.received or signal.SIGINT))
    sys.exit(verdict.exit_code)


def _stop_if_invalid(path: Path, findings: Sequence[Finding], valid: bool) -> None:
    """Print what reading a workbook found; exit 2 when it has errors."""
    _print_findings(findings)
    if not valid:
        errors = sum(f.severity is Severity.ERROR for f in findings)
        err.print(f"{path.name}: {errors} error(s); nothing was planned.")
        _exit(Verdict.INVALID)


def _stop_unless_read(path: Path, reading: PlanReading) -> None:
    """Print what reading a workbook and a plan found; exit 2 unless both
    were read."""
    _stop_if_invalid(path, reading.findings, reading.valid)
    _print_findings(reading.plan_findings)
    if reading.plan is None:
        _exit(Verdict.INVALID)


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


FIGURE_NAME_WIDTH = 17


def _print_figures(rows: Sequence[tuple[str, ...]]) -> None:
    """Key figures side by side (a header, then one row per figure), named
    as the brief and the page name them rather than as the solver does."""
    header, *body = rows
    table = Table(*header)
    # The figures' names wrap before the plans' values do.
    table.columns[0].max_width = FIGURE_NAME_WIDTH
    for label, *row in body:
        values = (PLAN_WORDS_SHORT.get(v, v) if label == "status" else v for v in row)
        table.add_row(FIGURE_WORDS.get(label, label), *values)
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
        _exit(Verdict.INVALID)


def _print_broken(broken: Sequence[tuple[str, Violation]]) -> None:
    """Name every rule a written plan breaks, by plan (the verdict then
    exits 1)."""
    for name, violation in broken:
        err.print(f"{name}: {violation.message}", style="red", markup=False)
    if broken:
        err.print(
            f"{len(broken)} rule(s) broken: the independent checker rejects "
            "the plan written; do not brief it."
        )


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
    from planner.app.validate import validate_workbook

    validation = validate_workbook(workbook, scenario)
    _stop_if_invalid(workbook, validation.findings, validation.valid)
    out.print(f"{workbook.name} is valid: {validation.summary}.")
    _exit(validation.verdict)


@main.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--example", is_flag=True, help="Fill in a small example programme.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def template(output: Path, example: bool, force: bool) -> None:
    """Write an input workbook to start from."""
    from planner.app.validate import write_template_file

    written = write_template_file(output, example=example, force=force)
    _print_written_workbook(written.exists, written.output_error)
    if written.files:
        out.print(f"Wrote {output}.")
    _exit(written.verdict)


def _print_written_workbook(exists: Path | None, output_error: str | None) -> None:
    """Why a workbook was not written: a file already there, or the folder."""
    if exists is not None:
        err.print(f"{exists} already exists; use --force to overwrite it.")
    if output_error is not None:
        err.print(output_error, markup=False)


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
    default="spread",
    show_default=True,
    help="spread: the horizon grows with the size (xl: five years); "
    "dense: one year of weeks at every size; or a shape that turns some knobs "
    "of one of them: goal-heavy, mandatory, blackouts, scarce-venues, "
    "wide-invitations, long, chains, days, decade, hostile.",
)
@click.option(
    "--set",
    "knobs",
    multiple=True,
    metavar="KNOB=VALUE",
    help="Turn one knob of the profile, e.g. --set hard_share=0.6 --set "
    "unit=day; repeat for more (a knob that does not exist is named with the "
    "list of knobs).",
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
    from planner.app.validate import generate_workbook

    turned = dict(knob.partition("=")[::2] for knob in knobs)
    made = generate_workbook(output, size, seed, profile, force, turned)
    _print_written_workbook(made.exists, made.output_error)
    if made.wrong is not None:
        err.print(made.wrong, markup=False)
    if made.files:
        out.print(
            f"Wrote {output} (size {size}, profile {profile}, seed {seed}) and its "
            f"planted plan {made.files[1].name} ({made.events} events)."
        )
    _exit(made.verdict)


class _SearchLine:
    """Elapsed time, best objective, bound and gap on one live line of a
    terminal while CP-SAT searches; gone once the search ends."""

    def __init__(self, enabled: bool) -> None:
        self._live = (
            Live(console=err, refresh_per_second=4, transient=True) if enabled else None
        )

    def show(self, progress: RunProgress) -> None:
        from planner.app.progress import SEARCHING

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
    """Where the search stands, in the page's words: the best plan's worth
    so far, the most any plan can be worth, and the gap between them."""
    best = "-" if progress.objective is None else f"{progress.objective:,.0f}"
    bound = "-" if progress.bound is None else f"{progress.bound:,.0f}"
    gap = "-" if progress.gap is None else f"{progress.gap:.2%}"
    return (
        f"searching… {progress.elapsed_s:6.1f}s   best plan so far {best}   "
        f"best possible {bound}   could still improve by {gap}"
    )


def _print_result(result: Result, currency: str) -> None:
    if result.plan is None:
        out.print(no_plan_text(result.status).capitalize())
        return
    found = PLAN_WORDS.get(result.status, str(result.status))
    out.print(_worth_table(f"Plan: {found}", result.terms, result.objective, currency))
    out.print(
        f"{len(result.plan.events)} exercises held; "
        f"{could_improve_text(result.status, result.gap)}; {result.runtime_s:.1f}s"
    )


def _worth_table(
    title: str, terms: Mapping[str, int], total: int | None, currency: str = ""
) -> Table:
    """The objective's terms and their sum, named as the brief and the page
    name them (the Run sheet keeps the solver's names)."""
    table = Table(title=title, show_header=True)
    table.add_column("part of the plan's worth")
    table.add_column(currency or "currency units", justify="right")
    for name, value in terms.items():
        table.add_row(TERM_WORDS.get(name, name), f"{value:,}")
    if total is not None:
        table.add_row(WORTH_WORDS, f"{total:,}", style="bold")
    return table


def _print_reasons(explanation: Explanation | None) -> None:
    """Why the plan leaves out what it does (the workbook has every reason)."""
    if explanation is None or not explanation.reasons:
        return
    for reason in explanation.reasons:
        what = "left out" if reason.kind == KIND_EXERCISE else "not met"
        kind = "Exercise" if reason.kind == KIND_EXERCISE else "Goal"
        out.print(f"{kind} {reason.item_id} {what}: {reason.text}", markup=False)
    count = len(explanation.reasons)
    out.print(
        f"{count:,} reason{'' if count == 1 else 's'} in "
        f"{explanation.seconds:.1f} s; {explanation.probed:,} of them found by "
        "planning again with the exercise or goal put in."
    )
    if explanation.not_examined:
        out.print(not_examined_hint(explanation.not_examined))


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
    from planner.app.budget import SolveRequest
    from planner.app.progress import WRITING
    from planner.app.solve import solve_workbook
    from planner.app.validate import describe_problem

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
        stop_at_once=True,
    )

    def read(problem: Problem, findings: Sequence[Finding]) -> None:
        _print_findings(findings)
        if not quiet:
            err.print(f"{workbook.name}: {describe_problem(problem)}.")

    with _search_line(err.is_terminal and not quiet) as line:

        def show(progress: RunProgress) -> None:
            signals.writing = progress.stage == WRITING
            line.show(progress)

        outcome = solve_workbook(workbook, target, request, show, signals.token(), read)
    signals.writing = False
    result, problem = outcome.result, outcome.problem
    verdict = outcome.verdict
    if result is None or problem is None:
        if verdict is Verdict.STOPPED:
            _print_stopped()
        else:  # stopped before the search: ``read`` was not told
            _stop_if_invalid(workbook, outcome.findings, problem is not None)
        if outcome.output_error is not None:
            err.print(outcome.output_error, markup=False)
        _exit(verdict)  # else the baseline could not be read (said above)
        return
    for failure in result.failures:
        err.print(f"warning: {failure}", style="yellow", markup=False)
    if outcome.output_error is not None:
        err.print(outcome.output_error, markup=False)
        _exit(verdict)
    if not quiet:
        _print_result(result, problem.settings.currency)
        _print_reasons(outcome.explanation)
        _print_written(outcome.files, target)
    for warning in (*outcome.pinned_left_out, *outcome.unprinted):
        err.print(f"warning: {warning}", style="yellow", markup=False)
    _print_broken([("plan", violation) for violation in outcome.violations])
    if verdict is Verdict.INTERRUPTED:
        _print_interrupted("the best plan found until then was written")
    frozen = result.frozen_violations
    if frozen:
        for message in frozen:
            err.print(message, markup=False)
        err.print(
            f"{len(frozen)} frozen event(s) break a rule: change the workbook or "
            "freeze from an earlier date."
        )
    elif verdict is Verdict.INFEASIBLE:
        _print_conflict(outcome.explanation, err)
    elif verdict is Verdict.NO_PLAN:
        err.print("No plan found within the time limit; try a longer --time-limit.")
    _exit(verdict)


def _began() -> float:
    """When this command began, as a `time.perf_counter` value: the process's
    start when run as ``planner`` (`run_command` hands it over, so Python's
    start and imports count against the time limit), else now (a command
    called in a process that has run for a while, as tests do)."""
    started = click.get_current_context().find_root().obj
    return started if isinstance(started, float) else time.perf_counter()


def _print_stopped() -> None:
    """A stop that came before any plan existed."""
    how = signal_name(signals.received) if signals.received else "cancelled"
    err.print(f"Interrupted ({how}) before any plan existed; nothing written.")


def _print_interrupted(what: str, checked: bool = True) -> None:
    """A stop that came once a plan existed: what was written (and, for
    written plans, that the checker found them clean)."""
    how = signal_name(signals.received) if signals.received else "interrupted"
    clean = "; the independent checker finds every hard rule holds" if checked else ""
    err.print(f"Interrupted ({how}): {what}{clean}.", markup=False)


def _print_written(written: Sequence[Path], folder: Path) -> None:
    """The result's files; the partner and venue calendars as a count."""
    names = [str(path) for path in written if path.parent == folder]
    calendars = len(written) - len(names)
    if calendars:
        names.append(
            f"{calendars} partner and venue calendars in {folder / 'calendars'}"
        )
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
    from planner.app.examine import conflict_of_workbook

    found = conflict_of_workbook(workbook, scenario, time_limit, cancel=signals.token())
    _stop_if_invalid(workbook, found.findings, found.valid)
    if found.cancelled:
        _print_stopped()
    elif found.conflict is None:
        out.print(f"{workbook.name}: a plan exists; run planner solve.")
    else:
        _print_conflict(found.conflict, out)
    _exit(found.verdict)


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
    from planner.app.examine import suggest_placements

    start = None if at_start is None else at_start.date()
    found = suggest_placements(
        workbook,
        result,
        exercise_id,
        top,
        at_venue,
        start,
        scenario,
        cancel=signals.token(),
    )
    reading = found.reading
    _stop_if_invalid(workbook, reading.findings, reading.valid)
    if found.unknown_exercise:
        err.print(f"Exercise {exercise_id} is not in {workbook.name}.")
        _exit(found.verdict)
    _stop_unless_read(workbook, reading)
    if found.cancelled:
        _print_stopped()
    for suggestion in found.suggestions:
        out.print(suggestion.text, markup=False)
    _exit(found.verdict)


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.argument("schedule", type=click.Path(path_type=Path))
def check(workbook: Path, schedule: Path) -> None:
    """Re-verify a SCHEDULE (xlsx, json or result folder) against WORKBOOK.

    Independent of the solver: every hard rule is checked again and every
    objective term recomputed.
    """
    from planner.app.examine import check_schedule

    checked = check_schedule(workbook, schedule)
    _stop_unless_read(workbook, checked.reading)
    for violation in checked.violations:
        err.print(violation.message, style="red", markup=False)
    title = "The plan's worth, recomputed"
    out.print(_worth_table(title, checked.terms, checked.objective))
    if checked.violations:
        err.print(f"{len(checked.violations)} rule(s) broken.")
    else:
        events = 0 if checked.reading.plan is None else len(checked.reading.plan.events)
        out.print(f"{events} events checked: every hard rule holds.")
    _exit(checked.verdict)


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
    from planner.app.compare import compare_files

    if len(results) < 2:
        err.print("compare needs at least two results.")
        _exit(Verdict.INVALID)
    compared = compare_files(results, out_path, workbook)
    if workbook is not None:
        _stop_if_invalid(workbook, compared.findings, compared.valid)
    if compared.report is None:
        err.print(str(compared.error))
        _exit(compared.verdict)
        return
    comparison = compared.report.comparison
    for warning in comparison.warnings:
        err.print(f"warning: {warning}", style="yellow", markup=False)
    _print_figures(compared.report.rows)
    for difference in comparison.differences:
        out.print(str(difference), markup=False)
    if compared.output_error is not None:
        err.print(compared.output_error, markup=False)
    else:
        out.print(f"Wrote {compared.file}")
    _exit(compared.verdict)


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
@click.option(
    "--partners",
    is_flag=True,
    help="Also one brief per partner nation under briefs/, prepared for it: "
    "its own events and the shared facts.",
)
def brief(
    result: Path,
    others: tuple[Path, ...],
    out_dir: Path | None,
    paper: str,
    partners: bool,
) -> None:
    """Write brief.pdf and brief.html for RESULT (a result folder or schedule.json).

    What the programme achieves, the plan by month, every event, goals, spend
    against budgets and exercises left out; with --partners, one brief per
    partner under briefs/; with --compare, the scenarios side by side and
    what changed.
    """
    from planner.app.compare import brief_files

    try:
        written = brief_files(result, others, out_dir, paper, partners)
    except Interrupted:  # a brief makes no plan: the words for a solve are wrong
        what = "brief and partner briefs were" if partners else "brief was"
        _end_on(signals.received, f"Interrupted ({{}}); the {what} not written.")
    for problem in (written.error, written.output_error):
        if problem is not None:
            err.print(problem, markup=False)
    for warning in written.warnings:
        err.print(f"warning: {warning}", style="yellow", markup=False)
    if written.files:
        main_files = [p for p in written.files if p.parent.name != "briefs"]
        others_count = len(written.files) - len(main_files)
        line = ", ".join(str(p) for p in main_files)
        if others_count:
            line += f", {others_count // 2} partner briefs (PDF and HTML) in briefs/"
        out.print(f"Wrote {line}")
    _exit(written.verdict)


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
    from planner.app.plans import BASE
    from planner.app.whatif import whatif_workbook

    target = out_dir or Path("outputs") / f"{workbook.stem}-whatif"
    options = SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed)
    done = whatif_workbook(
        workbook,
        target,
        options,
        list(scenarios) or None,
        None if freeze_before is None else freeze_before.date(),
        progress=lambda news: _tell_line(news.message),
        cancel=signals.token(),
        engine=EngineChoice(engine, address),
    )
    _stop_on_error(done.error)
    if done.output_error is not None:
        err.print(done.output_error, markup=False)
        _exit(done.verdict)
    for name, findings in done.findings.items():
        # A skipped scenario's findings were told when it was skipped.
        if findings and (name == BASE or name not in done.skipped):
            err.print(f"{name}:")
            _print_findings(findings)
    for name in done.skipped:
        err.print(f"{name}: not planned, its rows have errors (listed above).")
    for plan in done.plans[1:]:
        for message in plan.result.frozen_violations:
            err.print(f"{plan.name}: {message}", markup=False)
    for plan in done.plans:
        if plan.explanation is not None and plan.explanation.conflict is not None:
            err.print(f"{plan.name}:", markup=False)
            _print_conflict(plan.explanation, err)
    _print_failed(done.failed)
    if not done.plans:
        if done.cancelled:
            _print_stopped()
        _exit(done.verdict)
    if done.comparison is not None:
        _print_figures(done.comparison.rows)
    if done.comparison_file is not None:
        out.print(f"Wrote {done.comparison_file}")
    _print_broken([(plan.name, v) for plan in done.plans for v in plan.violations])
    verdict = done.verdict
    if verdict is Verdict.INTERRUPTED:
        planned = [plan.name for plan in done.plans if plan.result.plan is not None]
        missing = f"; not planned: {', '.join(done.stopped)}" if done.stopped else ""
        _print_interrupted(
            f"the best plans found until then were written ({', '.join(planned)})"
            + missing
        )
    unplanned = [plan for plan in done.plans if plan.result.plan is None]
    if unplanned and verdict in (Verdict.INFEASIBLE, Verdict.NO_PLAN):
        err.print(
            f"{len(unplanned)} of {len(done.plans)} plans not found "
            f"({', '.join(plan.name for plan in unplanned)}): each folder holds "
            "no-plan.xlsx saying what was tried."
        )
    _exit(verdict)


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
    help="Folder for the run history (SQLite), users and the result files.",
)
@click.option(
    "--certfile",
    type=click.Path(path_type=Path),
    help="TLS certificate (PEM), with --keyfile: the page is then https.",
)
@click.option("--keyfile", type=click.Path(path_type=Path), help="TLS private key.")
@click.option(
    "--insecure",
    is_flag=True,
    help="Serve another address without TLS (passwords and plans in clear).",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="A name browsers use for this server (repeat for several); localhost "
    "names and the --host address are always allowed.",
)
@click.option(
    "--token-file",
    type=click.Path(path_type=Path),
    help="File holding the shared token (localhost only) [or env: PLANNER_TOKEN].",
)
@click.option(
    "--max-solves",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Runs at once; the others wait in the queue.",
)
@click.option(
    "--max-upload-mb",
    type=click.IntRange(1, 1024),
    default=20,
    show_default=True,
    help="Upload size cap.",
)
@click.option(
    "--max-validations",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Uploads read at once (each in a process of its own); others wait.",
)
@click.option(
    "--validation-memory-mb",
    type=click.IntRange(64, 65536),
    default=512,
    show_default=True,
    help="Memory one upload may take to be read; past it the upload is refused.",
)
@click.option(
    "--keep-days",
    type=click.IntRange(1, None),
    default=90,
    show_default=True,
    help="Finished runs and their uploads are deleted after this many days.",
)
@click.option(
    "--keep-gb",
    type=click.FloatRange(0.01, None),
    default=10.0,
    show_default=True,
    help="The oldest finished runs are deleted while the history takes more.",
)
@_engine_options
def serve(
    host: str,
    port: int,
    data: Path,
    certfile: Path | None,
    keyfile: Path | None,
    insecure: bool,
    allowed_hosts: tuple[str, ...],
    token_file: Path | None,
    max_solves: int,
    max_upload_mb: int,
    max_validations: int,
    validation_memory_mb: int,
    keep_days: int,
    keep_gb: float,
    engine: str,
    address: str | None,
) -> None:
    """Start the planning cell's web page and JSON API (OpenAPI at /docs).

    Users sign in with accounts made by `planner users`; on localhost with
    no accounts, the one person at the keyboard needs none.
    """
    from planner.app.validate import engine_unavailable
    from planner.serve import launch

    # Ray missing or unreachable: one line and exit 2, before serving
    _stop_on_error(engine_unavailable(EngineChoice(engine, address)))
    setup = launch.Setup(
        host=host,
        port=port,
        data=data,
        certfile=certfile,
        keyfile=keyfile,
        insecure=insecure,
        allowed_hosts=allowed_hosts,
        token_file=token_file,
        max_solves=max_solves,
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        max_validations=max_validations,
        validation_memory_mb=validation_memory_mb,
        keep_days=keep_days,
        keep_bytes=int(keep_gb * 1024**3),
        engine=EngineChoice(engine, address),
    )
    try:
        server = launch.prepared(setup)
    except launch.PortInUse as error:
        err.print(str(error), markup=False)
        _exit(Verdict.PORT_IN_USE)
        return
    except launch.Refused as error:
        err.print(str(error), markup=False)
        _exit(Verdict.INVALID)
        return
    for warning in server.warnings:
        err.print(f"WARNING: {warning}", style="bold red", markup=False)
    out.print(f"planner serve: open {server.url} (Ctrl-C stops it)", markup=False)
    stopped = server.run()
    err.print(stopped, markup=False)


@main.group()
def users() -> None:
    """Accounts of `planner serve`: who may read, plan, or administer."""


DATA_OPTION = click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=Path("planner-data"),
    show_default=True,
    help="The data folder of planner serve.",
)


@contextmanager
def _accounts(data: Path) -> Iterator[Storage]:
    """The server's storage; a folder or account problem: one line, exit 2."""
    from planner.serve.accounts import AccountError
    from planner.serve.storage import Storage, StorageError

    try:
        yield Storage(data)
    except (AccountError, StorageError) as error:
        err.print(str(error), markup=False)
        _exit(Verdict.INVALID)


def _password(confirm: bool = True) -> str:
    """From the terminal (asked twice), or the first line of standard input."""
    if sys.stdin.isatty():
        return str(
            click.prompt("Password", hide_input=True, confirmation_prompt=confirm)
        )
    return sys.stdin.readline().rstrip("\r\n")


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["viewer", "planner", "admin"]),
    required=True,
    help="viewer reads runs; planner also uploads and runs; admin also deletes "
    "and manages users.",
)
@DATA_OPTION
def users_add(name: str, role: str, data: Path) -> None:
    """Add a user (the password from the terminal or standard input)."""
    from planner.serve.accounts import add_user

    with _accounts(data) as storage:
        add_user(storage, name, role, _password())
        storage.audit(CLI_USER, "add user", name, role)
    err.print(f"User {name} added ({role}).", markup=False)


@users.command("remove")
@click.argument("name")
@DATA_OPTION
def users_remove(name: str, data: Path) -> None:
    """Remove a user: their sessions and API token stop working."""
    from planner.serve.accounts import remove_user

    with _accounts(data) as storage:
        remove_user(storage, name)
        storage.audit(CLI_USER, "remove user", name)
    err.print(f"User {name} removed.", markup=False)


@users.command("list")
@DATA_OPTION
def users_list(data: Path) -> None:
    """Every user, their role, and whether they have an API token."""
    with _accounts(data) as storage:
        rows = [
            (u.name, u.role, u.created[:10], "yes" if u.has_token else "no")
            for u in storage.users()
        ]
    _print_rows([("user", "role", "added", "API token"), *rows])


@users.command("passwd")
@click.argument("name")
@DATA_OPTION
def users_passwd(name: str, data: Path) -> None:
    """Set a user's password (their open sessions end)."""
    from planner.serve.accounts import set_password

    with _accounts(data) as storage:
        set_password(storage, name, _password())
        storage.audit(CLI_USER, "set password", name)
    err.print(f"Password of {name} set.", markup=False)


@users.command("token")
@click.argument("name")
@DATA_OPTION
def users_token(name: str, data: Path) -> None:
    """Print a new personal API token for NAME (the one before stops working)."""
    from planner.serve.accounts import new_token

    with _accounts(data) as storage:
        token = new_token(storage, name)
        storage.audit(CLI_USER, "new API token", name)
    out.print(token, markup=False)


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
    from planner.app.sweep import SweepSpec, sweep_workbook

    spec = SweepSpec(drop_each_partner, budget_cuts, quarters)
    target = out_dir or Path("outputs") / f"{workbook.stem}-sweep"
    done = sweep_workbook(
        workbook,
        target,
        spec,
        _solve_options(time_limit, workers, seed, deterministic),
        EngineChoice(engine, address),
        _tell_done,
        None if freeze_before is None else freeze_before.date(),
        signals.token(),
    )
    _stop_on_error(done.error)
    _print_findings(done.findings)
    if done.output_error is not None:
        err.print(done.output_error, markup=False)
        _exit(done.verdict)
    if not done.planned:
        err.print(f"{workbook.name} has errors; nothing was planned.")
        _exit(done.verdict)
    _print_failed(done.failed)
    rows = [("rank", "variant", "status", "worth lost", "lost", "moved")]
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
    _print_broken(done.broken)
    if done.verdict is Verdict.INTERRUPTED:
        missing = f"; not planned: {', '.join(done.stopped)}" if done.stopped else ""
        ranked = (
            " and ranked in the comparison"
            if done.comparison_file is not None
            else " (no variant was planned, so no comparison)"
        )
        _print_interrupted(
            f"each plan found is written in its folder under {target}{ranked}{missing}"
        )
    elif done.verdict is Verdict.STOPPED:
        _print_stopped()
    _exit(done.verdict)


def _tell_done(news: RunProgress) -> None:
    """One finished plan of many, as "name: status (k of n)"; a line before
    the plans as it is."""
    if news.runs is None:
        err.print(news.message, markup=False)
        return
    done, total = news.runs
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
    from planner.app.progress import FINDING, WARNING
    from planner.app.robustness import robustness_workbook
    from planner.report import FATES

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
        signals.token(),
    )
    study = done.study
    if done.output_error is not None and study is None:
        err.print(done.output_error, markup=False)  # found before any sample
        _exit(done.verdict)
    if study is None:
        if done.error is not None and done.committed_read:
            _stop_on_error(done.error)  # the engine: its findings were told above
        _stop_if_invalid(workbook, done.findings, done.error is not None)
        _exit(done.verdict)  # the committed plan could not be read
        return
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
    if done.output_error is not None:
        err.print(done.output_error, markup=False)
    else:
        out.print(f"Wrote {', '.join(str(path) for path in done.files)}")
    _print_failed(study.failed)
    if done.verdict is Verdict.INTERRUPTED:
        _print_interrupted(
            f"robustness.xlsx counts the {planned} sample(s) re-planned before "
            "the stop",
            checked=False,
        )
    elif done.verdict is Verdict.STOPPED:
        _print_stopped()
    _exit(done.verdict)
