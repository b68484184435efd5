"""A long fuzz campaign: mutated workbooks through `planner validate` (and
solve), and mutated results through what reads them back.

The same mutations as tests/test_fuzz.py (tests/fuzz_workbooks.py and
tests/fuzz_results.py), many more of them, each timed and its peak memory
measured. Usage::

    python benchmarks/fuzz_campaign.py --cases 10000 --results 2000 --processes 2

(``--stop-after S`` stops after S seconds) prints a Markdown
summary for benchmarks/RESULTS.md: workbooks and results tried, outcomes by
level and exit code, the slowest commands and the largest peak memory, and every
case that ended in exit 70, a traceback, a hang, or went past the time or
memory bound (``--time-bound``, ``--memory-bound``; none expected).
A case is its kind and number: `mutated_workbook(base, case, folder)` or
`mutated_result(case, folder)` makes it again.

Speed: each worker is a long-lived process that imports planner once (forked
from this one) and runs cases in-process through click's CliRunner, the way
tests/test_fuzz.py does; starting a Python and importing planner and
ortools for every case cost far more than most cases themselves. One case in
``--real-every`` (and its solve, when it is chosen) goes through the real
`python -m planner` program in a subprocess, so the real entry point, its
exit codes and its stderr stay covered.

Time: a case still running after ``--case-limit`` seconds is a hang: its
worker (and any program it started) is killed, the case recorded, and a fresh
worker forked. The limit is watched from this process, because a case stuck
in C code (the zip or XML parser, ortools) never sees a Python alarm.

Memory: a worker resets its peak resident size (``/proc/self/clear_refs``)
before each case and reads it (``VmHWM``) after, so the figure is the
worker's own peak during that case, planner's and ortools' imports included;
a subprocess case reports its program's ``ru_maxrss`` from ``wait4``. The
reset starts from the worker's resident size, which keeps what earlier cases
made it grow to, so a figure is an upper bound on that case's own cost; a
case that costs more than any before it still shows its own peak. Forking a
child per case would isolate memory exactly, but costs a fork and the
copy-on-write of the imported modules for every case.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz_results import LEVELS as RESULT_LEVELS  # noqa: E402
from tests.fuzz_results import run_result_case  # noqa: E402
from tests.fuzz_workbooks import LEVELS, Ran, in_process, run_case  # noqa: E402

HANG = "hang"
WORKBOOK, RESULT = "workbook", "result"
Task = tuple[str, int]  # what is fuzzed, and the case number


@dataclass
class Done:
    """One finished case: its time, peak memory and how each command ended."""

    task: Task
    elapsed: float
    peak_mb: float
    rows: list[tuple[str, str, int | str, bool, str]]
    real: bool
    slowest: tuple[float, float, str]  # the slowest command: wall s, CPU s, name


def _peak_reset() -> None:
    """Reset this process's peak memory, so the next reading is one case's own."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Timed:
    """Runs each command through ``invoke`` and keeps the slowest one, in
    wall and in CPU seconds: the time bound is a user's wait for one command,
    and a case may run four (check, compare, brief and a re-plan, each a
    Python start when real). The CPU seconds (this process's and those of the
    programs it waited for) tell a slow command from a loaded machine."""

    def __init__(self, invoke: Callable[[list[str]], Ran]) -> None:
        self.invoke = invoke
        self.slowest = (0.0, 0.0, "")

    def __call__(self, command: list[str]) -> Ran:
        started, cpu = time.perf_counter(), _cpu_seconds()
        ran = self.invoke(command)
        took = (time.perf_counter() - started, _cpu_seconds() - cpu, command[0])
        self.slowest = max(self.slowest, took)
        return ran


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime


class RealProgram:
    """Runs each command as `python -m planner`, the real entry point."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.peak_mb = 0.0
        self.hung = False

    def __call__(self, command: list[str]) -> Ran:
        with tempfile.TemporaryFile() as output:
            program = subprocess.Popen(
                [sys.executable, "-m", "planner", *command],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            timer = threading.Timer(self.limit, self._kill, (program,))
            timer.start()
            _, status, usage = os.wait4(program.pid, 0)
            timer.cancel()
            program.returncode = os.waitstatus_to_exitcode(status)
            self.peak_mb = max(self.peak_mb, usage.ru_maxrss / 1024)
            output.seek(0)
            text = output.read().decode(errors="replace")
        return program.returncode, "Traceback" in text, text

    def _kill(self, program: subprocess.Popen) -> None:
        self.hung = True
        program.kill()


def _run(base: bytes, task: Task, options: argparse.Namespace) -> Done:
    kind, case = task
    real = options.real_every > 0 and case % options.real_every == 0
    invoke = RealProgram(options.case_limit) if real else in_process
    timed = Timed(invoke)
    _peak_reset()
    started = time.perf_counter()
    if kind == RESULT:
        outcomes = run_result_case(case, options.baseline_every, timed)
    else:
        outcomes = run_case(base, case, options.solve_every, timed)
    elapsed = time.perf_counter() - started
    peak = invoke.peak_mb if isinstance(invoke, RealProgram) else _peak_mb()
    rows = [
        (o.level, o.command, o.exit_code, o.failed, o.output[-300:]) for o in outcomes
    ]
    if isinstance(invoke, RealProgram) and invoke.hung:
        level, command, *_ = rows[-1]
        rows[-1] = (level, command, HANG, True, f"killed after {elapsed:.0f} s")
    return Done(task, elapsed, peak, rows, real, timed.slowest)


def _serve(base: bytes, options: argparse.Namespace, tasks: Connection) -> None:
    """A worker: run each task received, send back how it went."""
    os.setpgrp()  # a hang kills this worker and its programs, not the campaign
    while (task := tasks.recv()) is not None:
        tasks.send(_run(base, task, options))


@dataclass
class Worker:
    process: multiprocessing.process.BaseProcess
    tasks: Connection
    case: Task | None = None
    started: float = 0.0


def _fork(context, base: bytes, options: argparse.Namespace) -> Worker:
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(base, options, theirs))
    process.start()
    theirs.close()
    return Worker(process, ours)


def _stop(worker: Worker) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.join()
    worker.tasks.close()


def _campaign(options: argparse.Namespace, cases: list[Task], on_done) -> None:
    """Run ``cases`` on long-lived workers, a hang killed after the limit."""
    context = multiprocessing.get_context("fork")  # planner imported once, here
    base = options.base.read_bytes()
    pending = iter(cases)
    workers = [_fork(context, base, options) for _ in range(options.processes)]
    started = time.perf_counter()
    try:
        while True:
            stopping = (
                options.stop_after
                and time.perf_counter() - started > options.stop_after
            )
            for worker in workers:
                if worker.case is None and not stopping:
                    worker.case = next(pending, None)
                    worker.started = time.perf_counter()
                    if worker.case is not None:
                        worker.tasks.send(worker.case)
            busy = [worker for worker in workers if worker.case is not None]
            if not busy:
                return
            ready = wait([worker.tasks for worker in busy], timeout=1.0)
            for index, worker in enumerate(workers):
                if worker.case is None:
                    continue
                if worker.tasks in ready:
                    on_done(worker.tasks.recv())
                    worker.case = None
                elif time.perf_counter() - worker.started > options.case_limit:
                    on_done(_hang(worker))
                    _stop(worker)
                    workers[index] = _fork(context, base, options)
    finally:
        for worker in workers:
            if worker.case is None:
                with contextlib.suppress(OSError):
                    worker.tasks.send(None)
            _stop(worker)


def _hang(worker: Worker) -> Done:
    case = worker.case
    assert case is not None
    elapsed = time.perf_counter() - worker.started
    kind, number = case
    levels = RESULT_LEVELS if kind == RESULT else LEVELS
    row = (
        levels[number % len(levels)],
        "check, compare, brief or solve" if kind == RESULT else "validate or solve",
        HANG,
        True,
        f"still running after {elapsed:.0f} s",
    )
    return Done(case, elapsed, 0.0, [row], False, (elapsed, 0.0, row[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000, help="Workbooks.")
    parser.add_argument("--first", type=int, default=100_000)
    parser.add_argument("--results", type=int, default=0, help="Results read back.")
    parser.add_argument(
        "--baseline-every",
        type=int,
        default=10,
        help="One result in N is also re-planned against (solve --baseline).",
    )
    parser.add_argument("--time-bound", type=float, default=30.0)
    parser.add_argument("--memory-bound", type=float, default=1536.0, help="MB.")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--solve-every", type=int, default=10)
    parser.add_argument(
        "--real-every",
        type=int,
        default=50,
        help="One case in N runs through the real `planner` program (0: none).",
    )
    parser.add_argument(
        "--case-limit",
        type=float,
        default=120.0,
        help="Seconds a case may run before it is killed and recorded as a hang.",
    )
    parser.add_argument("--base", type=Path, default=ROOT / "instances" / "sample.xlsx")
    parser.add_argument(
        "--stop-after",
        type=float,
        default=None,
        help="Stop after this many seconds; the report covers the cases done.",
    )
    options = parser.parse_args()
    started = time.perf_counter()
    outcomes: collections.Counter[tuple[str, str, int | str]] = collections.Counter()
    failures: list[tuple[str, str, str, int | str, str]] = []
    timings: list[tuple[float, float, str, str, float]] = []
    real_cases = []

    def on_done(done: Done) -> None:
        name = f"{done.task[0]} {done.task[1]}"
        seconds, cpu, command = done.slowest
        timings.append((seconds, done.peak_mb, name, command, cpu))
        if done.real:
            real_cases.append(name)
        for level, command, code, failed, output in done.rows:
            outcomes[(level, command, code)] += 1
            if failed:
                failures.append((name, level, command, code, output))
                print(f"{name} failed: {output}", file=sys.stderr)
        beyond = []
        if seconds > options.time_bound:
            beyond.append(f"{command} {seconds:.1f} s ({cpu:.1f} s CPU)")
        if done.peak_mb > options.memory_bound:
            beyond.append(f"{done.peak_mb:,.0f} MB")
        if beyond:
            level, command, code, _, _ = done.rows[-1]
            failures.append((name, level, command, code, "beyond " + ", ".join(beyond)))
            print(f"{name} beyond the bounds: {beyond}", file=sys.stderr)
        if len(timings) % 500 == 0:
            print(
                f"... {len(timings)} cases, {len(failures)} failed, "
                f"{time.perf_counter() - started:,.0f} s",
                file=sys.stderr,
            )

    tasks = [(WORKBOOK, n) for n in range(options.first, options.first + options.cases)]
    tasks += [
        (RESULT, n) for n in range(options.first, options.first + options.results)
    ]
    _campaign(options, tasks, on_done)
    _report(options, outcomes, failures, timings, len(real_cases),
            time.perf_counter() - started)  # fmt: skip


def _report(options, outcomes, failures, timings, real: int, wall: float) -> None:
    workbooks = sum(timing[2].startswith(WORKBOOK) for timing in timings)
    results = len(timings) - workbooks
    print(
        f"Fuzz campaign: {workbooks:,} workbooks (cases from {options.first}, base "
        f"{options.base.name}; one valid workbook in {options.solve_every} also "
        f"solved) and {results:,} results read back (cases from {options.first}, "
        "base tests/hostile/sample; check, compare, brief, and one in "
        f"{options.baseline_every} re-planned against), "
        f"{options.processes} worker process(es), {real:,} cases through the real "
        f"`planner` program, a hang after {options.case_limit:.0f} s; "
        f"{wall:,.0f} s in all.\n"
    )
    print("| level | command | exit code | runs |")
    print("|---|---|---|---|")
    for (level, command, code), count in sorted(
        outcomes.items(), key=lambda item: tuple(map(str, item[0]))
    ):
        print(f"| {level} | {command} | {code} | {count:,} |")
    slowest = sorted(timings, reverse=True)[:5]
    largest = sorted(timings, key=lambda timing: timing[1], reverse=True)[:5]
    print()
    print(
        "Slowest commands: "
        + ", ".join(
            f"{case} {command} ({s:.1f} s, {cpu:.1f} s CPU)"
            for s, _, case, command, cpu in slowest
        )
    )
    print(
        "Largest peak memory: "
        + ", ".join(f"{case} ({peak:.0f} MB)" for _, peak, case, *_ in largest)
    )
    print(
        f"Exit 70, traceback, hang, or beyond {options.time_bound:.0f} s or "
        f"{options.memory_bound:,.0f} MB: {len(failures)}"
    )
    for case, level, command, code, output in failures[:20]:
        print(f"- case {case} ({level}, {command}): exit {code}: {output.strip()}")


if __name__ == "__main__":
    main()
