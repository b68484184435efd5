"""The bounds a workbook is read within, checked before openpyxl parses it.

Workbooks may come from anyone on the planning cell's network, so reading one
must cost a known amount of time and memory whatever it holds. Everything here
is judged from the zip's directory and one streaming pass over its XML (with
defusedxml, which refuses entity tricks), never from what the file claims
about itself (a sheet's ``<dimension>``): openpyxl builds every cell from A1 to
the last one any sheet uses, so the last used row and column are what cost.

The bounds are set far above the largest real programme (five years,
thousands of rows; ``planner generate --size xl`` unpacks to 2.7 MB, uses
6,336 rows and 20 columns at most, 57,543 cells in all), and below what would
take more than seconds and a few hundred MB: at the cell bound openpyxl takes
about 6 s and 290 MB. The column bound is Excel's own, so a planner's own wide
sheet (a Gantt chart of a day a column) is still read. README.md ("Input
bounds") lists them for users.

This pass is the streaming read; openpyxl then loads the workbook whole, not
in its read-only mode, which trusts the claimed dimension and cannot see
merged cells or hidden rows (findings `read` gives). Within the bounds the
whole load is what costs the few hundred MB above, no more.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter

from planner.bounds import MAX_FILE_BYTES, MAX_ROWS

MAX_PARTS = 1_000  # files inside the .xlsx (xl: 49)
MAX_PART_BYTES = 32 * 2**20  # one file inside, unpacked (xl: 1.2 MB)
MAX_UNPACKED_BYTES = 128 * 2**20  # all of them together (xl: 2.7 MB)
MAX_COLUMNS = 16_384  # last used column of a sheet: Excel's own limit (xl: 20)
MAX_CELLS = 1_000_000  # rows x columns used, over all sheets (xl: 57,543)

OPEN_DOCUMENT = b"application/vnd.oasis.opendocument.spreadsheet"
# A zip's first local header is 30 bytes, then the member's name and data.
_ODF_HEAD = 30 + len("mimetype") + len(OPEN_DOCUMENT) + 8
_WORKBOOK_PART = "xl/workbook.xml"
_WORKBOOK_RELATIONS = "xl/_rels/workbook.xml.rels"
# Elements whose ref range openpyxl fills with one object per cell.
_RANGES = frozenset({"mergeCell", "hyperlink"})


class OutOfBounds(Exception):
    """The workbook breaks a bound; ``sheet`` and ``cell`` say where, if known."""

    def __init__(self, message: str, sheet: str = "", cell: str = "") -> None:
        super().__init__(message)
        self.sheet = sheet
        self.cell = cell


@dataclass
class Scan:
    """What one streaming pass over a workbook's sheets found.

    ``uncalculated``: sheet name -> (row, column) -> formula, for formulas that
    carry no saved result (written by a program, never calculated in Excel):
    openpyxl cannot tell those from formulas that calculated to blank.
    """

    uncalculated: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    cells: int = 0
    # The one sheet whose cells count towards MAX_CELLS (its name in lower
    # case), when only that sheet is read; None: every sheet.
    counted: str | None = None

    def counts(self, title: str | None) -> bool:
        return self.counted is None or (title or "").lower() == self.counted


def scan_workbook(path: Path, counted: str | None = None) -> Scan:
    """Check every bound of the .xlsx at ``path``; raise `OutOfBounds` if one breaks.

    ``counted``: the only sheet to be read (a schedule's Schedule sheet), so
    only its cells count towards MAX_CELLS; the other bounds hold for every
    part, as openpyxl opens them all. A part that is not well-formed XML is
    left to openpyxl, which reports the file as damaged; the counting stops
    there, and so would openpyxl.
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise OutOfBounds(
            f"the file is {_megabytes(size)}; planner reads workbooks of at most "
            f"{_megabytes(MAX_FILE_BYTES)}"
        )
    with zipfile.ZipFile(path) as archive:
        _check_parts(archive)
        titles = _sheet_titles(archive)
        scan = Scan(counted=None if counted is None else counted.lower())
        for info in archive.infolist():
            with archive.open(info) as stream:
                _scan_part(stream, info.filename, titles.get(info.filename), scan)
    return scan


def is_open_document(path: Path) -> bool:
    """Whether the file at ``path`` is an OpenDocument spreadsheet (LibreOffice).

    OpenDocument requires its zip's first member to be "mimetype", stored
    unpacked, so the first bytes tell without reading the zip.
    """
    with path.open("rb") as stream:
        head = stream.read(_ODF_HEAD)
    return head[30:38] == b"mimetype" and OPEN_DOCUMENT in head[38:]


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def _check_parts(archive: zipfile.ZipFile) -> None:
    """The zip's directory: how many parts, and their unpacked sizes.

    zipfile never unpacks more than a part's declared size, so declared sizes
    bound what openpyxl can be made to unpack.
    """
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise OutOfBounds(
            f"the file holds {len(parts):,} parts; an Excel workbook holds at "
            f"most {MAX_PARTS:,} that planner reads"
        )
    total = 0
    for info in parts:
        if info.file_size > MAX_PART_BYTES:
            raise OutOfBounds(
                f"its part {info.filename} unpacks to "
                f"{_megabytes(info.file_size)}; planner reads parts of at most "
                f"{_megabytes(MAX_PART_BYTES)}"
            )
        total += info.file_size
    if total > MAX_UNPACKED_BYTES:
        raise OutOfBounds(
            f"the file unpacks to {_megabytes(total)}; planner reads workbooks "
            f"of at most {_megabytes(MAX_UNPACKED_BYTES)} unpacked"
        )


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Zip member -> sheet name, so a broken bound names the sheet; may be empty."""
    try:
        workbook = fromstring(archive.read(_WORKBOOK_PART), forbid_dtd=True)
        relations = fromstring(archive.read(_WORKBOOK_RELATIONS), forbid_dtd=True)
    except DefusedXmlException as error:
        raise _forbidden(_WORKBOOK_PART, error) from None
    except (KeyError, ParseError):
        return {}
    targets = {
        relation.get("Id"): relation.get("Target", "")
        for relation in relations
        if _local(relation.tag) == "Relationship"
    }
    titles = {}
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        relation = next(
            (value for key, value in sheet.attrib.items() if _local(key) == "id"), ""
        )
        target = targets.get(relation, "")
        part = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        titles[posixpath.normpath(part)] = sheet.get("name", "")
    return titles


def _local(tag: str) -> str:
    """An XML name without its namespace: "{...main}row" -> "row"."""
    return tag.rpartition("}")[2]


def _forbidden(part: str, error: Exception, sheet: str = "") -> OutOfBounds:
    return OutOfBounds(
        f"its part {part} declares XML entities or a document type, which "
        f"Excel never writes ({type(error).__name__}); refused as unsafe",
        sheet,
    )


@dataclass
class _Position:
    """openpyxl's counters: a row or cell without its own number follows the last."""

    row: int = 0
    column: int = 0


def _scan_part(stream: IO[bytes], part: str, title: str | None, scan: Scan) -> None:
    """One part: refuse entity tricks; in sheet data, bound rows, columns, cells.

    ``title`` is the sheet's name when the part is a sheet the workbook lists;
    the part's name stands in for it otherwise.
    """
    sheet = part if title is None else title
    position = _Position()
    last_row = last_column = 0
    try:
        for event, element in _events(stream):
            tag = _local(element.tag)
            if event == "start" and tag == "row":
                position.row = _row_number(element, position, sheet)
                position.column = 0
            elif event == "start" and tag == "c":
                row, column = _cell_position(element, position, sheet)
                last_row, last_column = max(last_row, row), max(last_column, column)
            elif event == "start" and tag in _RANGES and element.get("ref"):
                row, column = _range_end(element.get("ref", ""), sheet)
                last_row, last_column = max(last_row, row), max(last_column, column)
            elif event == "end" and tag == "c":
                _note_formula(element, sheet, position, scan)
                element.clear()
            elif event == "end" and tag == "row":
                element.clear()
    except DefusedXmlException as error:
        raise _forbidden(part, error, title or "") from None
    except ParseError:
        pass
    if scan.counts(title):
        _count_cells(sheet, last_row, last_column, scan)


def _events(stream: IO[bytes]) -> Iterator[tuple[str, Element]]:
    return iterparse(stream, events=("start", "end"), forbid_dtd=True)


def _row_number(element: Element, position: _Position, sheet: str) -> int:
    number = element.get("r")
    if number is None:
        return position.row + 1
    if not number.isdigit() or not 1 <= int(number) <= MAX_ROWS:
        shown = f"{int(number):,}" if number.isdigit() else repr(number[:20])
        raise OutOfBounds(
            f"row {shown} is used: planner reads at most {MAX_ROWS:,} rows a "
            "sheet; delete the rows below your data (select them, Delete) and save",
            sheet,
            "A" + (number[:20] if number.isdigit() else ""),
        )
    return int(number)


def _cell_position(
    element: Element, position: _Position, sheet: str
) -> tuple[int, int]:
    reference = element.get("r")
    if reference is None:
        position.column += 1
    else:
        position.row, position.column = _coordinate(reference, sheet)
    return _within(position.row, position.column, sheet)


def _range_end(reference: str, sheet: str) -> tuple[int, int]:
    """The last cell of a range such as "A1:C3", bounded like a used cell."""
    row, column = _coordinate(reference.rpartition(":")[2], sheet)
    return _within(row, column, sheet)


def _coordinate(reference: str, sheet: str) -> tuple[int, int]:
    try:
        return coordinate_to_tuple(reference)
    except (ValueError, TypeError, IndexError):
        raise OutOfBounds(
            f"a cell is numbered {reference[:20]!r}, which is not a cell of "
            "Excel: the file is damaged",
            sheet,
        ) from None


def _within(row: int, column: int, sheet: str) -> tuple[int, int]:
    if row > MAX_ROWS or row < 1:
        raise OutOfBounds(
            f"a cell in row {row:,}: planner reads at most {MAX_ROWS:,} rows a "
            "sheet; delete the rows below your data (select them, Delete) and save",
            sheet,
            _address(row, column),
        )
    if column > MAX_COLUMNS or column < 1:
        raise OutOfBounds(
            f"a cell in column {_letter(column)}: planner reads at most "
            f"{MAX_COLUMNS:,} columns a sheet (up to {_letter(MAX_COLUMNS)}); "
            "delete the columns right of your data and save",
            sheet,
            _address(row, column),
        )
    return row, column


def _letter(column: int) -> str:
    try:
        return get_column_letter(column)
    except ValueError:
        return f"number {column:,}"


def _address(row: int, column: int) -> str:
    letter = _letter(column)
    return f"{letter}{row}" if letter[0].isalpha() and row >= 1 else ""


def _count_cells(sheet: str, rows: int, columns: int, scan: Scan) -> None:
    """openpyxl builds every cell of A1 to the last used one: bound their sum."""
    scan.cells += rows * columns
    if scan.cells > MAX_CELLS:
        raise OutOfBounds(
            f"cells A1 to {_address(rows, columns)} make the workbook "
            f"{scan.cells:,} cells in all; planner reads at most {MAX_CELLS:,}: "
            "delete unused rows and columns and save",
            sheet,
        )


def _note_formula(
    element: Element, sheet: str, position: _Position, scan: Scan
) -> None:
    """Remember a formula cell with no saved result (never calculated)."""
    formula = value = None
    for child in element:
        name = _local(child.tag)
        if name == "f":
            formula = child
        elif name == "v":
            value = child
    if formula is None or (value is not None and value.text):
        return
    if element.get("t") == "str":
        return
    found = scan.uncalculated.setdefault(sheet, {})
    found[(position.row, position.column)] = formula.text or ""
