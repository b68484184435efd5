"""Junk in any cell gives findings or a problem, never an exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from planner.domain import Severity
from planner.workbook.read import read_problem
from tests.workbook.conftest import minimal_programme, set_cell, write_workbook

PROGRAMME = minimal_programme()
# Every cell of the programme, headers included, and one column beyond.
CELLS = [
    (sheet, f"{get_column_letter(column)}{row}")
    for sheet, rows in PROGRAMME.items()
    for row in range(1, len(rows) + 1)
    for column in range(1, len(rows[0]) + 2)
]

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    # Excel's dates start in 1900; openpyxl writes earlier ones wrongly.
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.text(max_size=12).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.sampled_from(
        ["", " ", "yes", "x", "NOR; POL", "DYNMON", "2027-02-30", "=1/0", "#N/A", "-1"]
    ),
)


@pytest.mark.slow
@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CELLS), JUNK), min_size=1, max_size=3))
def test_junk_gives_findings_or_a_problem(
    changes: list[tuple[tuple[str, str], object]],
) -> None:
    programme = minimal_programme()
    for (sheet, cell), value in changes:
        set_cell(programme, sheet, cell, value)
    with TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / "junk.xlsx", programme)
        problem, findings = read_problem(path)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert (problem is None) == bool(errors)
    assert all(str(finding) for finding in findings)
