"""The shapes campaign runs end to end (a smoke test: two small shapes).

Speed is not asserted here (the machine is shared); only that each programme
is generated, solved by the real command, judged by the checker against its
planted plan, and summed up per shape.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmark_scripts import load


@pytest.mark.slow
def test_a_small_campaign_judges_every_plan_and_sums_up_each_shape(
    tmp_path: Path,
) -> None:
    campaign = load("campaign")
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


def test_limits_and_seeds_are_given_per_size() -> None:
    campaign = load("campaign")
    assert campaign.per_size("s=5,xl=60") == {"s": 5.0, "xl": 60.0}
    assert campaign.per_size("") == {}
