"""A long fuzz campaign: mutated workbooks through `planner validate` (and solve).

The same mutations as tests/test_fuzz.py (tests/fuzz_workbooks.py), many more
of them, each timed and its peak memory measured. Usage::

    python benchmarks/fuzz_campaign.py --cases 10000 --processes 2

(``--stop-after S`` stops after S seconds) prints a Markdown
summary for benchmarks/RESULTS.md: workbooks tried, outcomes by level and
exit code, the slowest cases and the largest peak memory, and every case that
ended in exit 70 or a traceback (none expected).
A case is its number: `mutated_workbook(base, case, folder)` makes it again.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import multiprocessing
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz_workbooks import run_case  # noqa: E402

_BASE: bytes = b""


def _peak_reset() -> None:
    """Reset this process's peak memory, so the next reading is one case's own."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start(base: bytes) -> None:
    global _BASE
    _BASE = base


def _one(arguments: tuple[int, int]) -> tuple[int, float, float, list[tuple]]:
    case, solve_every = arguments
    _peak_reset()
    started = time.perf_counter()
    outcomes = run_case(_BASE, case, solve_every)
    elapsed = time.perf_counter() - started
    rows = [
        (o.level, o.command, o.exit_code, o.failed, o.output[-300:]) for o in outcomes
    ]
    return case, elapsed, _peak_mb(), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--first", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--solve-every", type=int, default=10)
    parser.add_argument("--base", type=Path, default=ROOT / "instances" / "sample.xlsx")
    parser.add_argument(
        "--stop-after",
        type=float,
        default=None,
        help="Stop after this many seconds; the report covers the cases done.",
    )
    options = parser.parse_args()
    started = time.perf_counter()

    cases = range(options.first, options.first + options.cases)

    outcomes: collections.Counter[tuple[str, str, int]] = collections.Counter()
    failures = []
    timings = []
    with multiprocessing.Pool(
        options.processes,
        initializer=_start,
        initargs=(options.base.read_bytes(),),
        maxtasksperchild=500,
    ) as pool:
        for done, (case, elapsed, peak, rows) in enumerate(
            pool.imap_unordered(
                _one, ((case, options.solve_every) for case in cases), chunksize=4
            ),
            start=1,
        ):
            timings.append((elapsed, peak, case))
            for level, command, code, failed, output in rows:
                outcomes[(level, command, code)] += 1
                if failed:
                    failures.append((case, level, command, code, output))
                    print(f"case {case} failed: {output}", file=sys.stderr)
            if done % 500 == 0:
                print(f"... {done} cases, {len(failures)} failed", file=sys.stderr)
            if (
                options.stop_after
                and time.perf_counter() - started > options.stop_after
            ):
                pool.terminate()  # the pool queues every case at once: stop here
                break
    wall = time.perf_counter() - started
    _report(options, outcomes, failures, timings, wall)


def _report(options, outcomes, failures, timings, wall: float) -> None:
    tried = [case for _, _, case in timings]
    print(
        f"Fuzz campaign: {len(tried):,} workbooks (cases {min(tried)} to "
        f"{max(tried)}, base {options.base.name}), "
        f"{options.processes} process(es), one valid workbook in "
        f"{options.solve_every} also solved; {wall:,.0f} s in all.\n"
    )
    print("| level | command | exit code | runs |")
    print("|---|---|---|---|")
    for (level, command, code), count in sorted(outcomes.items()):
        print(f"| {level} | {command} | {code} | {count:,} |")
    slowest = sorted(timings, reverse=True)[:3]
    largest = sorted(timings, key=lambda timing: timing[1], reverse=True)[:3]
    print()
    print(
        "Slowest cases: "
        + ", ".join(f"{case} ({elapsed:.1f} s)" for elapsed, _, case in slowest)
    )
    print(
        "Largest peak memory: "
        + ", ".join(f"{case} ({peak:.0f} MB)" for _, peak, case in largest)
    )
    print(f"Exit 70 or traceback: {len(failures)}")
    for case, level, command, code, output in failures[:20]:
        print(f"- case {case} ({level}, {command}): exit {code}: {output.strip()}")


if __name__ == "__main__":
    main()
