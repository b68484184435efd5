"""The shapes campaign runs end to end (a smoke test: two small shapes).

Speed is not asserted here (the machine is shared); only that each programme
is generated, solved by the real command, judged by the checker against its
planted plan, and summed up per shape.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _campaign_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "campaign", ROOT / "benchmarks" / "campaign.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["campaign"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_a_small_campaign_judges_every_plan_and_sums_up_each_shape(
    tmp_path: Path,
) -> None:
    campaign = _campaign_module()
    todo = campaign.programmes(["goal-heavy", "days"], ["s"], {"s": 1})
    rows_file = tmp_path / "rows.jsonl"
    rows = campaign.campaign(todo, rows_file, 1, {"s": 3.0}, tmp_path)
    assert [(r["shape"], r["size"], r["seed"]) for r in rows] == [
        ("goal-heavy", "s", 1),
        ("days", "s", 1),
    ]
    for row in rows:
        assert row["checker"] == "clean", row
        assert row["exit"] == 0
        assert isinstance(row["planted"], float) and row["planted"] >= 0.0
    # A campaign taken up again runs nothing it has already done.
    assert campaign.campaign(todo, rows_file, 1, {"s": 3.0}, tmp_path) == rows
    table = campaign.summary(rows)
    assert [line["shape"] for line in table] == ["goal-heavy", "days"]
    assert all(line[">= planted"] == "1/1" for line in table)
