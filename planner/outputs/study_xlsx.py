"""Writing robustness.xlsx: how often each committed exercise survives.

Three sheets: Exercises (per committed exercise, how many planned samples
kept it unchanged, moved it, changed its partners or lost it, and the share
kept unchanged, most fragile first), Goals (per goal, how many planned
samples still meet it) and Samples (what each sample drew and what became of
it). Everything comes from `planner.app.robustness`; this module lays it out.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from planner.outputs.cells import first_sheet
from planner.outputs.files import make_folder, replace_atomically
from planner.outputs.tables import write_table
from planner.report import FATES, UNCHANGED, StudyResult

ROBUSTNESS_NAME = "robustness.xlsx"
SHARE_FORMAT = "0%"


def write_study(study: StudyResult, path: Path) -> Path:
    """Write the study at ``path`` (not an .xlsx: a folder, robustness.xlsx in it).

    Written under a temporary name and renamed into place, so a study stopped
    halfway leaves the previous file intact. Returns the path written.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path / ROBUSTNESS_NAME
    make_folder(path.parent)
    workbook = study_workbook(study)
    replace_atomically([(path, workbook.save)])
    return path


def study_workbook(study: StudyResult) -> Workbook:
    workbook = Workbook()
    exercises = first_sheet(workbook)
    exercises.title = "Exercises"
    planned = study.planned
    write_table(
        exercises,
        ["exercise_id", "name", "mandatory", *FATES, "share unchanged"],
        [
            (
                t.exercise_id,
                t.name,
                "yes" if t.mandatory else "no",
                *(t.counts.get(fate, 0) for fate in FATES),
                t.share(UNCHANGED, planned),
            )
            for t in study.fragile_first
        ],
        {"share unchanged": SHARE_FORMAT},
    )
    write_table(
        workbook.create_sheet("Goals"),
        ["goal_id", "kind", "hard", "met in the plan", "met in samples", "share met"],
        [
            (
                g.goal_id,
                g.kind,
                "yes" if g.hard else "no",
                "yes" if g.met_in_plan else "no",
                g.met,
                g.met / planned if planned else 0.0,
            )
            for g in study.goals
        ],
        {"share met": SHARE_FORMAT},
    )
    write_table(
        workbook.create_sheet("Samples"),
        ["sample", "drawn", "status", "objective", *FATES, "error"],
        [
            (
                s.draw.name,
                str(s.draw),
                s.status,
                s.objective,
                *(sum(f == fate for f in s.fates.values()) for fate in FATES),
                s.error or "",
            )
            for s in study.samples
        ],
    )
    return workbook
