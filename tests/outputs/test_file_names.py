"""File names made from partner and venue ids (`planner.outputs.files.file_stems`).

A partner id of 68 Cyrillic letters once validated, then `solve` failed at
the last step (its calendar's name, percent-encoded, was over 255 bytes):
exit 5 and the whole plan lost. And the README said letters stay as they are,
while ``ŁÓD`` became ``partner-%C5%81%C3%93D.ics``.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from planner import cli
from planner.outputs.brief import BRIEFS_DIR
from planner.outputs.calendars import CALENDARS_DIR
from planner.outputs.files import MAX_STEM_BYTES, file_stems
from tests.test_cli import SAMPLE, solve_checked

# 68 letters, 136 bytes: percent-encoded, 408 characters.
UKRAINE = "Україна" * 8 + "Київ" * 3


def digest(identifier: str) -> str:
    return hashlib.sha256(identifier.encode()).hexdigest()[:8]


def test_letters_of_every_alphabet_stay_as_they_are() -> None:
    ids = ["ŁÓD", "Україна", "ไทย", "日本", "NOR", "A.B_C-D~E"]
    assert file_stems(ids) == {i: i for i in ids}


def test_other_characters_are_percent_encoded() -> None:
    ids = ["X/Y", "X Y", "X:Y", "=EVIL", "..", "A\u200fB"]
    assert file_stems(ids) == {
        "X/Y": "X%2FY",
        "X Y": "X%20Y",
        "X:Y": "X%3AY",
        "=EVIL": "%3DEVIL",
        "..": "%2E.",  # a leading dot would hide the file
        "A\u200fB": "A%E2%80%8FB",  # a right-to-left mark, invisible
    }


def test_ids_one_file_system_would_take_for_one_get_digests() -> None:
    composed, decomposed = "\u00d3", "O\u0301"  # Ó typed two ways
    ids = ["NOR", "nor", composed, decomposed]
    assert file_stems(ids) == {i: f"{i}-{digest(i)}" for i in ids}


def test_a_long_id_is_cut_and_followed_by_its_digest() -> None:
    longest = "a" * MAX_STEM_BYTES
    stems = file_stems([longest, longest + "b", UKRAINE])
    assert stems[longest] == longest
    # 100 bytes: 91 kept, "-", 8 of the digest.
    assert stems[longest + "b"] == "a" * 91 + "-" + digest(longest + "b")
    # Two bytes a letter: 45 letters (90 bytes) fit in the 91.
    assert stems[UKRAINE] == UKRAINE[:45] + "-" + digest(UKRAINE)
    assert max(len(s.encode()) for s in stems.values()) == MAX_STEM_BYTES


def test_a_percent_code_is_never_cut_in_two() -> None:
    slashes = "/" * 40  # 120 bytes encoded, 3 a character
    assert file_stems([slashes])[slashes] == "%2F" * 30 + "-" + digest(slashes)


@pytest.mark.slow
def test_a_partner_with_a_long_id_gets_its_calendar_and_brief(tmp_path: Path) -> None:
    workbook = tmp_path / "long-id.xlsx"
    shutil.copy(SAMPLE, workbook)
    book = load_workbook(workbook)
    book["Partners"].append([UKRAINE, "Ukraine", "UA", "Nordic", 900000, None, 1, 0, 1])
    exercises = book["Exercises"]
    invited = next(c for c in exercises[1] if c.value == "invited_partners").column
    for row in range(2, exercises.max_row + 1):
        cell = exercises.cell(row, invited)
        if cell.value:
            cell.value = f"{cell.value}; {UKRAINE}"
    book.save(workbook)
    out = tmp_path / "out"
    solve_checked(workbook, out)
    stem = f"partner-{UKRAINE[:45]}-{digest(UKRAINE)}"
    assert (out / CALENDARS_DIR / f"{stem}.ics").read_text(encoding="utf-8").count(
        "BEGIN:VEVENT"
    ) > 0
    briefed = CliRunner().invoke(cli.main, ["brief", str(out), "--partners"])
    assert briefed.exit_code == 0, briefed.output
    assert (out / BRIEFS_DIR / f"{stem}.pdf").stat().st_size > 0
    assert "Ukraine" in (out / BRIEFS_DIR / f"{stem}.html").read_text(encoding="utf-8")
