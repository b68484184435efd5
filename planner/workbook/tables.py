"""A sheet as the reader first sees it: its header and its non-blank rows.

`planner.workbook.sheet_tables` makes these from the file; the Scenarios sheet's
edits (`planner.workbook.scenarios`) are applied to them before any row
becomes part of the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Row:
    """One data row of a sheet, as Excel numbers it."""

    number: int
    values: tuple[object, ...]  # by column, from column A; BAD: unreadable

    def get(self, index: int) -> object:
        """The value in column ``index`` (0 for A); None past the last one."""
        return self.values[index] if index < len(self.values) else None


@dataclass(frozen=True)
class Table:
    """A sheet's header (row 1) and its non-blank rows below it.

    A cell that could not be read (a formula never calculated, an Excel error
    such as #REF!) holds ``BAD``; `read_sheets` has already said why.
    """

    sheet: str  # the name as written in the workbook
    header: Mapping[str, int]  # column name, trimmed, lower case -> index
    rows: tuple[Row, ...]

    def letter(self, name: str) -> str:
        return get_column_letter(self.header[name] + 1)

    def value(self, row: Row, name: str) -> object:
        """The value in ``row`` under column ``name``; None without that column."""
        index = self.header.get(name)
        return None if index is None else row.get(index)
