"""The shapes campaign (issue 20): many generated programmes, every plan judged.

Every shape of `planner.workbook.generate.PROFILES` (the spread and dense profiles and
the shapes that turn their knobs) at sizes s to xl, several seeds each, each
solved by the real ``planner solve`` command with a time limit suited to its
size, and every plan judged by ``planner check``. One command makes the whole
table (repository root)::

    python benchmarks/campaign.py                  # 108 programmes, about 90 min idle
    python benchmarks/campaign.py --beside 1       # the same beside a CPU-heavy job
    python benchmarks/campaign.py --shapes dense,days --sizes s,m
    python benchmarks/campaign.py --seeds s=6,m=2 --limits s=5,m=10
    python benchmarks/campaign.py --report         # the tables of the rows so far

Each programme's row is appended to ``--rows`` (JSON lines) as soon as it is
done, and a programme already there is not run again, so a long campaign can
be stopped and taken up again. Prints, per shape, the share of programmes
with a checker-clean plan within the limit (the whole command within T + 5 s,
the contract of ``--time-limit``), the objective against the planted plan's
(the plan the generator built the programme around: reachable), and the
worst wall time against the limit; then one row per programme.

``--beside N`` keeps N processes spinning on the same cores for the whole
campaign: the planner's lead must not depend on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from race import beside, generate, judge, planner_command, timed
from stress_stop import solve_command

from planner.workbook.generate import PROFILES

# Seconds of search for each size, and seeds run per size by default: 12
# shapes x (3 + 3 + 2 + 1) = 108 programmes.
LIMITS = {"s": 10.0, "m": 20.0, "l": 60.0, "xl": 120.0}
SEEDS = {"s": 3, "m": 3, "l": 2, "xl": 1}
GRACE_S = 5.0  # the whole command may take the limit and this much more
COLUMNS = (
    "shape",
    "size",
    "seed",
    "limit_s",
    "exit",
    "checker",
    "held",
    "objective",
    "planted",  # gain over the planted plan's objective, as a share of it
    "gap",
    "first_plan_s",
    "wall_s",
    "peak_mib",
)


@dataclass(frozen=True)
class Programme:
    shape: str
    size: str
    seed: int

    @property
    def key(self) -> str:
        return f"{self.shape}:{self.size}:{self.seed}"


def programmes(
    shapes: list[str], sizes: list[str], seeds: dict[str, int]
) -> list[Programme]:
    """Smallest first, so a stopped campaign has covered every shape."""
    return [
        Programme(shape, size, seed)
        for size in sizes
        for seed in range(1, seeds[size] + 1)
        for shape in shapes
    ]


def run_one(
    programme: Programme, limit: float, workers: int, folder: Path
) -> dict[str, object]:
    """Generate, solve with the whole command, judge: one row."""
    place = folder / programme.key.replace(":", "-")
    place.mkdir(parents=True, exist_ok=True)
    instance = f"{programme.shape}:{programme.size}"
    workbook = generate(instance, programme.seed, place)
    planted = judge(workbook, workbook.with_suffix(".planted.json"))
    out = place / "out"
    command = solve_command(
        planner_command(), workbook, out, limit, "--quiet", "--workers", str(workers)
    )
    wall, peak, code = timed(command)
    row: dict[str, object] = {
        "shape": programme.shape,
        "size": programme.size,
        "seed": programme.seed,
        "limit_s": limit,
        "exit": code,
        "wall_s": round(wall, 1),
        "peak_mib": round(peak),
    }
    schedule = out / "schedule.json"
    if not schedule.exists():
        return row | {"checker": "no plan"}
    data = json.loads(schedule.read_text(encoding="utf-8"))
    row |= judge(workbook, schedule)
    objective, reachable = row.get("objective"), planted["objective"]
    if isinstance(objective, int) and isinstance(reachable, int):
        # The planted plan is drawn, not optimized: its objective may be
        # below zero, so the gain is against its size.
        row["planted"] = round((objective - reachable) / max(1, abs(reachable)), 4)
    statistics = data.get("statistics") or {}
    first = statistics.get("first_plan_s")
    gap = data.get("gap")
    return row | {
        "gap": None if gap is None else round(gap, 5),
        "first_plan_s": None if first is None else round(first, 1),
        "plan_from": statistics.get("plan_from"),
    }


def within(row: dict[str, object]) -> bool:
    """A checker-clean plan, the whole command within the limit and grace."""
    wall, limit = row.get("wall_s"), row.get("limit_s")
    assert isinstance(wall, float | int) and isinstance(limit, float | int)
    return row.get("checker") == "clean" and wall <= limit + GRACE_S


def campaign(
    todo: list[Programme],
    rows_file: Path,
    workers: int,
    limits: dict[str, float],
    folder: Path,
    on_row: Callable[[dict[str, object]], None] | None = None,
) -> list[dict[str, object]]:
    """Run every programme not yet in ``rows_file``; every row, old and new."""
    done = read_rows(rows_file)
    seen = {_key(row) for row in done}
    for programme in todo:
        if programme.key in seen:
            continue
        row = run_one(programme, limits[programme.size], workers, folder)
        with rows_file.open("a", encoding="utf-8") as rows:
            rows.write(json.dumps(row) + "\n")
        done.append(row)
        if on_row is not None:
            on_row(row)
    wanted = {p.key for p in todo}
    return [row for row in done if _key(row) in wanted]


def read_rows(rows_file: Path) -> list[dict[str, object]]:
    if not rows_file.exists():
        return []
    lines = rows_file.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _key(row: dict[str, object]) -> str:
    return f"{row['shape']}:{row['size']}:{row['seed']}"


def summary(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Per shape: programmes, share clean within the limit, how many are at
    least as good as the planted plan, the least gain over it and the worst
    wall time over the limit."""
    table = []
    for shape in dict.fromkeys(str(row["shape"]) for row in rows):
        mine = [row for row in rows if row["shape"] == shape]
        shares = [p for r in mine if isinstance(p := r.get("planted"), float)]
        over = [float(r["wall_s"]) - float(r["limit_s"]) for r in mine]  # type: ignore[arg-type]
        table.append(
            {
                "shape": shape,
                "programmes": len(mine),
                "clean within limit": f"{sum(map(within, mine))}/{len(mine)}",
                ">= planted": f"{sum(s >= 0.0 for s in shares)}/{len(mine)}",
                "least gain over planted": f"{min(shares):+.1%}" if shares else None,
                "worst wall - limit (s)": round(max(over), 1),
            }
        )
    return table


def markdown(rows: list[dict[str, object]], columns: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shapes", default=",".join(PROFILES))
    parser.add_argument("--sizes", default=",".join(LIMITS))
    parser.add_argument(
        "--seeds",
        type=per_size,
        default={},
        help="seeds per size, e.g. s=6,m=2 (default: 3, 3, 2, 1 for s to xl)",
    )
    parser.add_argument(
        "--limits",
        type=per_size,
        default={},
        help="--time-limit per size, e.g. s=5,xl=60 (default: 10, 20, 60, 120)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--beside", type=int, default=0, help="CPU-heavy processes")
    parser.add_argument("--rows", type=Path, default=Path("campaign-rows.jsonl"))
    parser.add_argument("--keep", type=Path, help="keep the programmes and plans here")
    parser.add_argument(
        "--report", action="store_true", help="print the tables of every row in --rows"
    )
    args = parser.parse_args()
    if args.report:
        print_tables(read_rows(args.rows))
        return
    sizes = args.sizes.split(",")
    seeds = {s: int(args.seeds.get(s, SEEDS[s])) for s in sizes}
    limits = LIMITS | args.limits
    todo = programmes(args.shapes.split(","), sizes, seeds)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"load: {load}; {len(todo)} programmes, {args.beside} beside", flush=True)
    began = time.perf_counter()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="campaign-"))
    with beside(args.beside):
        rows = campaign(
            todo,
            args.rows,
            args.workers,
            limits,
            folder,
            on_row=lambda row: print(json.dumps(row), flush=True),
        )
    minutes = (time.perf_counter() - began) / 60
    print(f"\n{len(rows)} programmes, {minutes:.0f} min\n")
    print_tables(rows)


def per_size(text: str) -> dict[str, float]:
    """``s=5,xl=60``: a figure for each size named."""
    pairs = (item.split("=") for item in text.split(",") if item)
    return {size: float(value) for size, value in pairs}


def print_tables(rows: list[dict[str, object]]) -> None:
    """The table per shape, then one row per programme."""
    table = summary(rows)
    print(markdown(table, tuple(table[0]) if table else ()))
    print()
    print(markdown(rows, COLUMNS))


if __name__ == "__main__":
    main()
