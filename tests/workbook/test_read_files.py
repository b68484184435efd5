"""Files that are not a clean workbook: one clear line each, never a traceback."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.domain import Severity
from planner.workbook.read import read_problem, read_sheets
from tests.workbook.conftest import Sheets, minimal_programme, write_workbook

SAVE_AS = "open it in Excel and save it as Excel Workbook (.xlsx)"


def _only(path: Path) -> str:
    """The one finding reading ``path`` gives; the problem must be None."""
    problem, findings = read_problem(path)
    assert problem is None
    assert len(findings) == 1
    return str(findings[0])


def _messages(path: Path) -> list[str]:
    return [str(finding) for finding in read_problem(path)[1]]


def test_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "missing.xlsx"
    assert _only(path) == f"missing.xlsx: file not found: {path}"


def test_folder(tmp_path: Path) -> None:
    assert _only(tmp_path) == f"{tmp_path.name}: {tmp_path} is a folder, not a workbook"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert _only(path) == "empty.xlsx: the file is empty"


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "partners.csv"
    path.write_text("partner_id,name\nNOR,Norway\n")
    assert _only(path) == (
        "partners.csv: a CSV file holds one sheet only; planner needs a workbook "
        f"with one sheet per kind of fact: {SAVE_AS}"
    )


def test_text_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    assert _only(path) == (
        f"notes.xlsx: not an Excel workbook (.xlsx); if Excel opens it, {SAVE_AS}"
    )


# An OLE compound file starts with these 8 bytes: old .xls files do, and so do
# .xlsx files Excel has encrypted with a password (holding "EncryptedPackage").
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_old_xls(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(OLE + b"\0" * 504 + "Workbook".encode("utf-16-le"))
    assert _only(path) == (
        f"old.xls: this is an old-style Excel 97-2003 (.xls) workbook: {SAVE_AS}"
    )


def test_password_protected(tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    streams = "EncryptionInfo".encode("utf-16-le") + b"\0" * 40
    path.write_bytes(
        OLE + b"\0" * 504 + streams + "EncryptedPackage".encode("utf-16-le")
    )
    assert _only(path) == (
        "secret.xlsx: the workbook is password-protected: remove the password "
        "in Excel (File > Info > Protect Workbook) and save it again"
    )


def test_corrupt_zip(tmp_path: Path) -> None:
    whole = write_workbook(tmp_path / "whole.xlsx", minimal_programme())
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole.read_bytes()[:2000])
    assert _only(path) == (
        "cut.xlsx: cannot be opened: the file is damaged or not an Excel "
        f"workbook; if Excel opens it, {SAVE_AS}"
    )


def test_zip_that_is_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert _only(path).startswith("archive.xlsx: cannot be opened")


def test_workbook_misnamed_xls_is_read(tmp_path: Path) -> None:
    """What is inside counts, not the name: an .xlsx renamed .xls still reads."""
    path = tmp_path / "renamed.xls"
    write_workbook(path, minimal_programme())
    problem, findings = read_problem(path)
    assert findings == []
    assert problem is not None


def test_empty_sheet(tmp_path: Path) -> None:
    programme = minimal_programme()
    programme["Goals"] = []
    path = write_workbook(tmp_path / "p.xlsx", programme)
    assert _messages(path) == ["Goals: empty sheet: row 1 must hold the column names"]


def test_blank_header_row(tmp_path: Path) -> None:
    programme = minimal_programme()
    programme["Goals"][0] = [None]
    path = write_workbook(tmp_path / "p.xlsx", programme)
    assert _messages(path) == [
        "Goals!A1: row 1 is blank: it must hold the column names"
    ]


def _with_formula(tmp_path: Path, cached: str | None) -> Path:
    """The programme with Exercises!F2 (value) as a formula, =4*2.

    openpyxl saves a formula without a result, as a program would; Excel
    saves the result beside it, which ``cached`` stands for here.
    """
    programme: Sheets = minimal_programme()
    programme["Exercises"][1][5] = "=4*2"
    path = write_workbook(tmp_path / "p.xlsx", programme)
    if cached is None:
        return path
    calculated = tmp_path / "calculated.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(calculated, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if b"<f>4*2</f>" in data:
                data = re.sub(
                    rb"<f>4\*2</f><v\s*/>", f"<f>4*2</f><v>{cached}</v>".encode(), data
                )
            target.writestr(item, data)
    return calculated


def test_formula_never_calculated(tmp_path: Path) -> None:
    assert _only(_with_formula(tmp_path, None)) == (
        "Exercises!F2: formula =4*2 has no saved result: the workbook was never "
        "calculated; open it in Excel and save it"
    )


def test_formula_result_is_read(tmp_path: Path) -> None:
    problem, findings = read_problem(_with_formula(tmp_path, "8"))
    assert findings == []
    assert problem is not None
    assert problem.exercise["DYNMON"].value == 8


def test_excel_error_value(tmp_path: Path) -> None:
    programme = minimal_programme()
    programme["Exercises"][1][5] = "#DIV/0!"
    path = write_workbook(tmp_path / "p.xlsx", programme)
    assert _only(path) == (
        "Exercises!F2: the cell shows the error #DIV/0!: correct it or type the value"
    )


def _edited(tmp_path: Path, edit) -> Path:
    """The programme written, changed with openpyxl by ``edit``, saved again."""
    path = write_workbook(tmp_path / "p.xlsx", minimal_programme())
    workbook = load_workbook(path)
    edit(workbook)
    workbook.save(path)
    return path


def test_merged_cells_in_data(tmp_path: Path) -> None:
    path = _edited(tmp_path, lambda book: book["Partners"].merge_cells("B3:B4"))
    assert _messages(path) == [
        "Partners!B3:B4: merged cells B3:B4: unmerge them and give every row its "
        "own values"
    ]


def test_merged_cells_beside_the_table_are_ignored(tmp_path: Path) -> None:
    path = _edited(tmp_path, lambda book: book["Partners"].merge_cells("L3:M4"))
    assert _messages(path) == []


def test_hidden_rows_and_columns_are_read_with_a_warning(tmp_path: Path) -> None:
    def hide(book) -> None:
        sheet = book["Partners"]
        sheet.row_dimensions[3].hidden = True
        sheet.row_dimensions[4].hidden = True
        sheet.column_dimensions["B"].hidden = True

    path = _edited(tmp_path, hide)
    problem, findings = read_problem(path)
    assert [str(finding) for finding in findings] == [
        "Partners!B1: warning: column B (name) is hidden; it is read anyway",
        "Partners!A3: warning: rows 3 to 4 are hidden; they are read anyway",
    ]
    assert problem is not None
    assert [partner.name for partner in problem.partners][1:] == ["Poland", "Estonia"]


def test_hidden_sheet_is_read_with_a_warning(tmp_path: Path) -> None:
    path = _edited(
        tmp_path, lambda book: setattr(book["Assets"], "sheet_state", "hidden")
    )
    problem, findings = read_problem(path)
    assert [str(finding) for finding in findings] == [
        "Assets: warning: sheet is hidden; it is read anyway"
    ]
    assert findings[0].severity is Severity.WARNING
    assert problem is not None


def test_unread_sheets_raise_nothing(tmp_path: Path) -> None:
    """A sheet planner ignores may hold anything, merged cells included."""

    def add_notes(book) -> None:
        notes = book.create_sheet("Instructions")
        notes["A1"] = "Read me"
        notes.merge_cells("A1:D1")

    assert _messages(_edited(tmp_path, add_notes)) == []


def test_read_sheets_gives_each_sheet_with_excel_row_numbers(tmp_path: Path) -> None:
    programme = minimal_programme()
    programme["Partners"].insert(2, [])  # a blank row 3
    tables, findings = read_sheets(write_workbook(tmp_path / "p.xlsx", programme))
    assert findings == []
    partners = tables["Partners"]
    assert list(partners.header)[:2] == ["partner_id", "name"]
    assert [row.number for row in partners.rows] == [2, 4, 5]
    assert partners.value(partners.rows[1], "name") == "Poland"
    assert partners.value(partners.rows[1], "no such column") is None
    assert partners.rows[1].get(99) is None


@pytest.mark.parametrize("name", ["missing.xlsx", "plain.txt"])
def test_read_sheets_of_a_bad_file_is_empty(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("text")
    tables, findings = read_sheets(path)
    assert tables == {}
    assert [finding.severity for finding in findings] == [Severity.ERROR]
