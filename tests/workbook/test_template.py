"""The input template: its layout, drop-downs and notes, and a round trip
through the reader as a planner would use it (write, fill in, read)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from planner.domain import GoalKind, Severity
from planner.workbook.schema import EXERCISES, SHEETS
from planner.workbook.template import (
    INSTRUCTIONS,
    header_note,
    write_template,
    write_workbook,
)


def _validations_at(sheet: Worksheet, cell: str) -> list[object]:
    return [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]


def _column_letter(sheet: Worksheet, name: str) -> str:
    return next(c.column_letter for c in sheet[1] if c.value == name)


def _fill(sheet: Worksheet, rows: list[dict[str, object]]) -> None:
    """Type rows under the headers, as a planner fills in the template."""
    columns = {cell.value: cell.column for cell in sheet[1]}
    for row_number, row in enumerate(rows, start=2):
        for name, value in row.items():
            sheet.cell(row=row_number, column=columns[name], value=value)


def _set_setting(sheet: Worksheet, key: str, value: object) -> None:
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == key:
            row[1].value = value
            return
    sheet.append([key, value])


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "programme.xlsx"
    write_template(path)
    return path


def test_instructions_come_first_then_every_schema_sheet(template: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    assert workbook.sheetnames == [INSTRUCTIONS, *(spec.name for spec in SHEETS)]


def test_every_sheet_has_the_schema_headers_bold_with_notes(template: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    for spec in SHEETS:
        sheet = workbook[spec.name]
        header = list(sheet[1])
        assert [c.value for c in header] == [c.name for c in spec.columns]
        assert all(c.font.bold for c in header)
        assert sheet.freeze_panes == "A2"
    durations = workbook["Exercises"][
        f"{_column_letter(workbook['Exercises'], 'duration')}1"
    ]
    assert durations.comment.text == header_note(EXERCISES.column("duration"))


def test_header_note_says_meaning_requirement_and_default() -> None:
    assert header_note(EXERCISES.column("duration")) == (
        "Length in slots (weeks or days).\nRequired.\nA whole number."
    )
    assert header_note(EXERCISES.column("mandatory")) == (
        "yes: it must be held.\nyes or no.\nBlank means no."
    )


def test_boolean_column_offers_yes_and_no(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["Exercises"]
    letter = _column_letter(sheet, "mandatory")
    (validation,) = _validations_at(sheet, f"{letter}2")
    assert validation.type == "list"
    assert validation.formula1 == '"yes,no"'


def test_choice_column_offers_its_choices(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["Goals"]
    (validation,) = _validations_at(sheet, f"{_column_letter(sheet, 'kind')}5")
    assert validation.formula1 == '"together,engagement,coverage"'
    assert validation.showErrorMessage


def test_reference_column_offers_the_ids_of_the_referred_sheet(
    template: Path,
) -> None:
    sheet = openpyxl.load_workbook(template)["Venues"]
    (validation,) = _validations_at(sheet, f"{_column_letter(sheet, 'host_partner')}2")
    assert "'Partners'!$A$2" in validation.formula1


def test_list_of_ids_column_suggests_but_never_refuses(template: Path) -> None:
    # "NOR; POL" is no single id of the drop-down, yet must be accepted.
    sheet = openpyxl.load_workbook(template)["Exercises"]
    letter = _column_letter(sheet, "invited_partners")
    (validation,) = _validations_at(sheet, f"{letter}2")
    assert "'Partners'!" in validation.formula1
    assert not validation.showErrorMessage


def test_date_columns_carry_a_date_format(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["Unavailability"]
    letter = _column_letter(sheet, "start")
    assert sheet.column_dimensions[letter].number_format == "yyyy-mm-dd"


def test_rows_are_written_as_excel_shows_them(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    write_workbook(
        {
            "Exercises": [
                {
                    "exercise_id": "EX1",
                    "duration": 2,
                    "mandatory": True,
                    "earliest_start": dt.date(2027, 2, 1),
                    "invited_partners": ("NOR", "POL"),
                    "fixed_cost": 1_000,
                }
            ]
        },
        path,
    )
    sheet = openpyxl.load_workbook(path)["Exercises"]
    row = {c.value: cell for c, cell in zip(sheet[1], sheet[2], strict=True)}
    assert row["mandatory"].value == "yes"
    assert row["invited_partners"].value == "NOR; POL"
    assert row["earliest_start"].value == dt.datetime(2027, 2, 1)
    assert row["earliest_start"].number_format == "yyyy-mm-dd"
    assert row["fixed_cost"].value == 1_000
    assert row["latest_end"].value is None


def test_text_starting_with_equals_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    rows = [{"resource_id": "NOR", "reason": "=to be confirmed"}]
    write_workbook({"Unavailability": rows}, path)
    sheet = openpyxl.load_workbook(path)["Unavailability"]
    assert sheet["D2"].value == "=to be confirmed"
    assert sheet["D2"].data_type == "s"


def test_unknown_sheet_or_column_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown sheet"):
        write_workbook({"Partner": []}, tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="budgte"):
        write_workbook({"Partners": [{"budgte": 1}]}, tmp_path / "x.xlsx")


def test_write_template_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "programme.xlsx"
    write_template(path, example=True)
    with pytest.raises(FileExistsError):
        write_template(path)
    assert openpyxl.load_workbook(path)["Exercises"].max_row > 1

    write_template(path, force=True)
    assert openpyxl.load_workbook(path)["Exercises"].max_row == 1


def test_empty_template_reads_with_only_missing_settings(template: Path) -> None:
    from planner.workbook.read import read_problem

    problem, findings = read_problem(template)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert problem is None
    assert errors
    # planning_start and planning_end (rows 6 and 7, below the programme's
    # title, organisation, marking and id; values blank) are the only
    # settings without a default.
    assert {f.sheet for f in errors} == {"Settings"}
    assert all(
        f.cell in ("B6", "B7")
        or "planning_start" in f.message
        or "planning_end" in f.message
        for f in errors
    )


def test_each_template_gives_its_programme_an_identity_of_its_own(
    tmp_path: Path,
) -> None:
    ids = []
    for name in ("a.xlsx", "b.xlsx"):
        write_template(tmp_path / name)
        settings = openpyxl.load_workbook(tmp_path / name)["Settings"]
        found = {row[0]: row[1] for row in settings.iter_rows(2, values_only=True)}
        assert [*found][:4] == [
            "title",
            "organisation",
            "classification",
            "programme_id",
        ]
        ids.append(found["programme_id"])
    assert all(str(i).startswith("programme-") for i in ids)
    assert ids[0] != ids[1]


def test_filled_template_reads_back_as_typed(template: Path) -> None:
    from planner.workbook.read import read_problem

    workbook = openpyxl.load_workbook(template)
    settings = workbook["Settings"]
    _set_setting(settings, "planning_start", dt.date(2027, 1, 4))
    _set_setting(settings, "planning_end", dt.date(2027, 3, 14))  # 10 weeks
    _set_setting(settings, "total_budget", 500_000)
    _fill(
        workbook["Partners"],
        [
            {"partner_id": "NOR", "name": "Norway", "budget": 100_000},
            {"partner_id": "POL", "name": "Poland", "min_gap": 1},
        ],
    )
    _fill(
        workbook["Venues"],
        [
            {
                "venue_id": "OSL",
                "host_partner": "NOR",
                "capabilities": "classroom, range",
                "capacity": 6,
                "cost_per_slot": 1_000,
            }
        ],
    )
    _fill(workbook["Assets"], [{"asset_id": "SHIP"}])
    _fill(
        workbook["Exercises"],
        [
            {
                "exercise_id": "EX1",
                "duration": 2,
                "mandatory": "yes",
                "value": 7,
                "earliest_start": dt.date(2027, 1, 13),  # a Wednesday: week 1
                "latest_end": dt.date(2027, 2, 28),  # day 55: week 7
                "venues": "OSL",
                "needs": "range",
                "required_partners": "NOR",
                "invited_partners": "POL; NOR",
                "areas": "land; arctic",
                "assets": "SHIP",
            },
            {"exercise_id": "EX2", "duration": 1},
        ],
    )
    _fill(
        workbook["Unavailability"],
        [
            {
                "resource_id": "NOR",
                "start": dt.date(2027, 2, 1),  # weeks 4 to 5
                "end": dt.date(2027, 2, 14),
                "reason": "election",
            },
            {
                "resource_id": "OSL",
                "start": dt.date(2027, 3, 8),  # week 9, runs past the horizon
                "end": dt.date(2027, 4, 30),
                "reason": "maintenance",
            },
        ],
    )
    _fill(
        workbook["TravelCosts"],
        [{"partner_id": "POL", "venue_id": "OSL", "cost": 2_000}],
    )
    _fill(
        workbook["Goals"],
        [
            {
                "goal_id": "G1",
                "kind": "together",
                "partners": "NOR; POL",
                "min_count": 1,
                "hard": "yes",
            }
        ],
    )
    _fill(workbook["Dependencies"], [{"before": "EX2", "after": "EX1", "min_gap": 1}])
    workbook.save(template)

    problem, findings = read_problem(template)

    assert [f for f in findings if f.severity is Severity.ERROR] == []
    assert problem is not None
    assert problem.n_slots == 10
    assert problem.settings.total_budget == 500_000
    assert problem.settings.time_unit == "week"
    nor, pol = problem.partners
    assert (nor.id, nor.budget, pol.budget, pol.min_gap) == ("NOR", 100_000, None, 1)
    assert [(p.first, p.last, p.reason) for p in nor.unavailable] == [
        (4, 5, "election")
    ]
    (osl,) = problem.venues
    assert osl.capabilities == frozenset({"classroom", "range"})
    assert (osl.host_partner, osl.capacity, osl.cost_per_slot) == ("NOR", 6, 1_000)
    assert [(p.first, p.last) for p in osl.unavailable] == [(9, 9)]
    ex1, ex2 = problem.exercises
    assert (ex1.earliest_start, ex1.latest_end, ex1.duration) == (1, 7, 2)
    assert ex1.mandatory and ex1.value == 7
    assert ex1.venues == ("OSL",)
    assert ex1.needs == frozenset({"range"})
    assert ex1.required_partners == ("NOR",)
    assert ex1.invited_partners == ("NOR", "POL")
    assert ex1.areas == frozenset({"land", "arctic"})
    assert ex1.assets == ("SHIP",)
    assert (ex2.earliest_start, ex2.latest_end) == (0, 9)
    assert (ex2.mandatory, ex2.value, ex2.min_partners) == (False, 1, 0)
    assert problem.assets[0].capacity == 1
    assert problem.travel == {("POL", "OSL"): 2_000}
    (goal,) = problem.goals
    assert (goal.kind, goal.partners, goal.hard) == (
        GoalKind.TOGETHER,
        ("NOR", "POL"),
        True,
    )
    (dependency,) = problem.dependencies
    assert (dependency.before, dependency.after, dependency.min_gap) == (
        "EX2",
        "EX1",
        1,
    )
