"""Hostile workbooks: every bound breaks into one addressed finding, before parsing.

Each workbook here once crashed `planner` or cost minutes and gigabytes (issue
9); now reading stops at the bound with the sheet and cell, or the file, that
broke it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from planner.domain import Severity
from planner.workbook import limits
from planner.workbook.read import read_problem
from tests.workbook.conftest import (
    Sheets,
    minimal_programme,
    set_cell,
    write_workbook,
)

Edit = Callable[[bytes], bytes]


def _part(sheet: str) -> str:
    """The zip member of ``sheet`` in a workbook of `minimal_programme`."""
    return f"xl/worksheets/sheet{list(minimal_programme()).index(sheet) + 1}.xml"


def _rezipped(path: Path, edits: dict[str, Edit], extra: dict[str, bytes]) -> Path:
    """``path`` with some parts changed by ``edits`` and ``extra`` parts added."""
    out = path.with_name("hostile.xlsx")
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            edit = edits.get(item.filename)
            target.writestr(item, edit(data) if edit else data)
        for name, data in extra.items():
            target.writestr(name, data)
    return out


def _hostile(
    tmp_path: Path,
    edits: dict[str, Edit] | None = None,
    extra: dict[str, bytes] | None = None,
    sheets: Sheets | None = None,
) -> Path:
    base = write_workbook(tmp_path / "p.xlsx", sheets or minimal_programme())
    return _rezipped(base, edits or {}, extra or {})


def _in_sheet_data(xml: bytes) -> Edit:
    """An edit adding ``xml`` (rows) at the end of a sheet's data."""
    return lambda data: data.replace(b"</sheetData>", xml + b"</sheetData>")


def _only(path: Path) -> str:
    problem, findings = read_problem(path)
    assert problem is None
    assert len(findings) == 1, findings
    return str(findings[0])


def test_a_part_unpacking_beyond_the_bound_is_refused_unread(tmp_path: Path) -> None:
    """A zip bomb: 33 MB of blanks that pack into a few kilobytes."""
    padding = b" " * (33 * 2**20)
    path = _hostile(
        tmp_path,
        {
            _part("Goals"): lambda data: data.replace(
                b"<sheetData", padding + b"<sheetData"
            )
        },
    )
    assert path.stat().st_size < 2**20
    assert _only(path) == (
        "hostile.xlsx: its part xl/worksheets/sheet8.xml unpacks to 33.0 MB; "
        "planner reads parts of at most 32.0 MB"
    )


def test_all_parts_together_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 10_000)
    path = _hostile(tmp_path)
    assert _only(path).startswith("hostile.xlsx: the file unpacks to 0.0 MB")


def test_a_file_beyond_the_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    assert "planner reads workbooks of at most 0.0 MB" in _only(_hostile(tmp_path))


def test_a_stray_cell_in_the_last_row_is_addressed(tmp_path: Path) -> None:
    """One cell at A1048576 once cost 31 s and 2 GB; XFD1048576 8 GB."""
    for cell in ("A1048576", "XFD1048576"):
        row = (
            f'<row r="1048576"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'
        )
        path = _hostile(tmp_path, {_part("Exercises"): _in_sheet_data(row.encode())})
        assert _only(path) == (
            "Exercises!A1048576: row 1,048,576 is used: planner reads at most "
            "100,000 rows a sheet; delete the rows below your data (select them, "
            "Delete) and save"
        )


def test_a_cell_beyond_the_last_row_is_addressed(tmp_path: Path) -> None:
    """A cell numbered past Excel's last row, in a row without a number."""
    row = b'<row><c r="B1048577" t="inlineStr"><is><t>x</t></is></c></row>'
    path = _hostile(tmp_path, {_part("Partners"): _in_sheet_data(row)})
    assert _only(path) == (
        "Partners!B1048577: a cell in row 1,048,577: planner reads at most "
        "100,000 rows a sheet; delete the rows below your data (select them, "
        "Delete) and save"
    )


def test_a_sheet_wider_than_excel_is_addressed(tmp_path: Path) -> None:
    row = b'<row r="2"><c r="XFE2" t="inlineStr"><is><t>x</t></is></c></row>'
    path = _hostile(tmp_path, {_part("Goals"): _in_sheet_data(row)})
    assert _only(path) == (
        "Goals!XFE2: a cell in column XFE: planner reads at most 16,384 columns "
        "a sheet (up to XFD); delete the columns right of your data and save"
    )


def test_cells_without_numbers_count_like_openpyxl(tmp_path: Path) -> None:
    """Rows and cells without an r attribute follow the previous ones."""
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 16_385
    row = b"<row>" + cells + b"</row>"
    path = _hostile(tmp_path, {_part("Goals"): _in_sheet_data(row)})
    assert _only(path).startswith("Goals!XFE5: a cell in column XFE")


@pytest.mark.slow
def test_a_wide_sheet_within_the_bounds_is_read(tmp_path: Path) -> None:
    """A planner's own Gantt sheet, one column a day for ten years, is ignored."""
    row = b'<row r="40"><c r="EOX40" t="inlineStr"><is><t>x</t></is></c></row>'
    sheets = minimal_programme()
    sheets["Gantt"] = [["exercise"]]
    gantt = f"xl/worksheets/sheet{len(sheets)}.xml"
    path = _hostile(tmp_path, {gantt: _in_sheet_data(row)}, sheets=sheets)
    problem, findings = read_problem(path)
    assert problem is not None
    assert [str(f) for f in findings] == [
        "Gantt: warning: not a sheet planner reads; ignored"
    ]


def test_a_merged_range_is_bounded_like_its_cells(tmp_path: Path) -> None:
    """openpyxl makes one object per merged cell: A1:XFD1048576 is 17 billion."""
    merge = b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    path = _hostile(
        tmp_path,
        {
            _part("Goals"): lambda data: data.replace(
                b"</sheetData>", b"</sheetData>" + merge
            )
        },
    )
    assert _only(path).startswith("Goals!XFD1048576: a cell in row 1,048,576")


def test_the_cells_of_all_sheets_are_bounded(tmp_path: Path) -> None:
    """Within each bound alone, but 100,000 rows x 20 columns is 2 million cells."""
    row = b'<row r="100000"><c r="T100000" t="inlineStr"><is><t>x</t></is></c></row>'
    path = _hostile(tmp_path, {_part("Exercises"): _in_sheet_data(row)})
    message = _only(path)
    assert message.startswith("Exercises: cells A1 to T100000 make the workbook ")
    assert message.endswith(
        "cells in all; planner reads at most 1,000,000: delete unused rows and "
        "columns and save"
    )


def _rows(first: int, last: int) -> bytes:
    return b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>X%d</t></is></c></row>'
        % (number, number, number)
        for number in range(first, last + 1)
    )


@pytest.mark.slow
def test_a_million_rows_are_refused_unread(tmp_path: Path) -> None:
    """1,000,000 Exercises rows ran past 120 s and 5.5 GB."""
    path = _hostile(tmp_path, {_part("Exercises"): _in_sheet_data(_rows(4, 10**6))})
    assert _only(path).startswith(
        "hostile.xlsx: its part xl/worksheets/sheet4.xml unpacks to 74.1 MB"
    )


@pytest.mark.slow
def test_rows_beyond_the_bound_are_refused_at_the_first(tmp_path: Path) -> None:
    path = _hostile(tmp_path, {_part("Exercises"): _in_sheet_data(_rows(4, 100_001))})
    assert _only(path) == (
        "Exercises!A100001: row 100,001 is used: planner reads at most 100,000 "
        "rows a sheet; delete the rows below your data (select them, Delete) and "
        "save"
    )


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
)


def _without_declaration(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


@pytest.mark.parametrize(
    ("declaration", "entity"),
    [(BILLION_LAUGHS, b"&lol3;"), (EXTERNAL_ENTITY, b"&xxe;")],
    ids=["entity-expansion", "external-entity"],
)
def test_entity_tricks_are_refused(
    tmp_path: Path, declaration: bytes, entity: bytes
) -> None:
    def poison(data: bytes) -> bytes:
        body = _without_declaration(data)
        cell = (
            b'<row r="9"><c r="A9" t="inlineStr"><is><t>'
            + entity
            + b"</t></is></c></row>"
        )
        return declaration + body.replace(b"</sheetData>", cell + b"</sheetData>")

    path = _hostile(tmp_path, {_part("Partners"): poison})
    assert _only(path).startswith(
        "Partners: its part xl/worksheets/sheet2.xml declares XML entities or a "
        "document type, which Excel never writes"
    )


def test_entity_tricks_outside_the_sheets_are_refused(tmp_path: Path) -> None:
    path = _hostile(
        tmp_path,
        {
            "docProps/core.xml": lambda data: (
                EXTERNAL_ENTITY + _without_declaration(data)
            )
        },
    )
    assert "docProps/core.xml declares XML entities" in _only(path)


def test_defusedxml_is_installed_for_openpyxl() -> None:
    """openpyxl uses defusedxml when it is installed; the project requires it."""
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_an_open_document_spreadsheet_is_named(tmp_path: Path) -> None:
    path = tmp_path / "programme.ods"
    with zipfile.ZipFile(path, "w") as archive:  # stored, first: as ODF asks
        archive.writestr("mimetype", limits.OPEN_DOCUMENT)
        archive.writestr("content.xml", b"<office:document-content/>")
    assert _only(path) == (
        "programme.ods: an OpenDocument spreadsheet (.ods, from LibreOffice): "
        "planner reads .xlsx only; in LibreOffice Calc choose File > Save As, "
        'file type "Excel 2007-365 (.xlsx)"'
    )


def _findings(tmp_path: Path, sheets: Sheets) -> list[str]:
    problem, findings = read_problem(write_workbook(tmp_path / "p.xlsx", sheets))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert (problem is None) == bool(errors)
    return [str(finding) for finding in findings]


def _value(cell: str, value: bytes) -> Edit:
    """An edit writing ``value`` into ``cell`` as Excel stores a number.

    openpyxl cannot write a number of 400 digits; a hand-made file can.
    """
    pattern = re.compile(rb'(<c r="%s"[^>]*>)<v>[^<]*</v>' % cell.encode())
    return lambda data: pattern.sub(rb"\g<1><v>" + value + b"</v>", data)


def test_a_number_of_more_than_308_digits_is_too_large(tmp_path: Path) -> None:
    """float(10**400) overflows: it was an OverflowError, exit 70."""
    path = _hostile(tmp_path, {_part("Exercises"): _value("D2", b"1" + b"0" * 400)})
    assert [str(finding) for finding in read_problem(path)[1]] == [
        "Exercises!D2: duration a number of 401 digits is too large "
        "(at most 1,000,000,000,000)"
    ]


def test_a_huge_time_limit_is_too_large(tmp_path: Path) -> None:
    sheets = minimal_programme()
    sheets["Settings"].append(["time_limit_s", 5])
    path = _hostile(
        tmp_path, {_part("Settings"): _value("B7", b"9" * 400)}, sheets=sheets
    )
    assert [str(finding) for finding in read_problem(path)[1]] == [
        "Settings!B7: time_limit_s a number of 400 digits is too large "
        "(at most 1,000,000,000,000)"
    ]


def test_unreadable_venues_beside_a_fixed_venue(tmp_path: Path) -> None:
    """venues #N/A with fixed_venue set was a TypeError, exit 70."""
    sheets = set_cell(minimal_programme(), "Exercises", "I2", "#N/A")
    set_cell(sheets, "Exercises", "T2", "HAAKONSVERN")
    assert _findings(tmp_path, sheets) == [
        "Exercises!I2: the cell shows the error #N/A: correct it or type the value"
    ]


@pytest.mark.parametrize(
    ("cell", "column"),
    [("Settings!B3", "planning_end"), ("Unavailability!C2", "end")],
)
def test_dates_at_the_calendars_end_are_refused(
    tmp_path: Path, cell: str, column: str
) -> None:
    """A horizon ending 9999-12-31 overflowed after solving: nothing was written."""
    sheet, address = cell.split("!")
    sheets = set_cell(minimal_programme(), sheet, address, dt.date(9999, 12, 31))
    assert (
        f"{cell}: {column} 9999-12-31 is outside the dates planner plans "
        in (_findings(tmp_path, sheets)[0])
    )


@pytest.mark.parametrize(
    ("unit", "slots", "message"),
    [
        (
            "day",
            19_000,
            "Settings!B3: the horizon from 2027-01-04 to 2079-01-10 is 19,000 days; "
            "planner plans at most 3,653 days (ten years)",
        ),
        (
            "week",
            1_000,
            "Settings!B3: the horizon from 2027-01-04 to 2046-03-04 is 7,000 days; "
            "planner plans at most 3,653 days (ten years)",
        ),
        (
            "week",
            20_000,
            "Settings!B3: planning_end 2410-04-25 is outside the dates planner "
            "plans (1900-01-01 to 2199-12-31)",
        ),
    ],
)
def test_horizons_beyond_ten_years_are_refused(
    tmp_path: Path, unit: str, slots: int, message: str
) -> None:
    """19,000 days or 20,000 weeks crashed the writer (Invalid column index)."""
    days = slots * (7 if unit == "week" else 1)
    sheets = set_cell(
        minimal_programme(),
        "Settings",
        "B3",
        dt.date(2027, 1, 4) + dt.timedelta(days - 1),
    )
    set_cell(sheets, "Settings", "B4", unit)
    assert _findings(tmp_path, sheets)[0] == message


@pytest.mark.slow
def test_the_largest_programme_passes_every_bound_tenfold(tmp_path: Path) -> None:
    """Generated xl (five years, 1,500 exercises) uses a tenth of each bound at most."""
    from planner.workbook.generate import generate
    from planner.workbook.template import write_workbook as write_tables

    tables, _ = generate("xl", 1)
    path = tmp_path / "xl.xlsx"
    write_tables(tables, path)
    with zipfile.ZipFile(path) as archive:
        sizes = [info.file_size for info in archive.infolist()]
    assert max(sizes) * 10 < limits.MAX_PART_BYTES
    assert sum(sizes) * 10 < limits.MAX_UNPACKED_BYTES
    assert limits.scan_workbook(path).cells * 10 < limits.MAX_CELLS
    problem, findings = read_problem(path)
    assert problem is not None, [str(f) for f in findings]
    days = (problem.settings.planning_end - problem.settings.planning_start).days
    assert days * 2 < limits.MAX_HORIZON_DAYS
