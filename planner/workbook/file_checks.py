"""Is the file a workbook planner can read at all: found, an .xlsx (not an
old .xls, an encrypted or OpenDocument file, a renamed something else), and
loadable. Each answer is a sentence saying what to do.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from openpyxl import Workbook, load_workbook

from planner.workbook.limits import (
    is_open_document,
)

SAVE_AS_XLSX = "open it in Excel and save it as Excel Workbook (.xlsx)"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# An encrypted .xlsx is an OLE file holding a stream of this name.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be an .xlsx workbook, judged before opening it."""
    if not path.exists():
        return f"file not found: {path}"
    if path.is_dir():
        return f"{path} is a folder, not a workbook"
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return (
            "a CSV file holds one sheet only; planner needs a workbook with "
            f"one sheet per kind of fact: {SAVE_AS_XLSX}"
        )
    try:
        with path.open("rb") as stream:
            head = stream.read(len(_OLE_MAGIC))
    except OSError as error:
        return f"cannot be read ({error.strerror}); is it open in another program?"
    if not head:
        return "the file is empty"
    if head == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in path.read_bytes():
            return (
                "the workbook is password-protected: remove the password in "
                "Excel (File > Info > Protect Workbook) and save it again"
            )
        return f"this is an old-style Excel 97-2003 (.xls) workbook: {SAVE_AS_XLSX}"
    if not head.startswith(_ZIP_MAGIC):
        return f"not an Excel workbook (.xlsx); if Excel opens it, {SAVE_AS_XLSX}"
    if is_open_document(path):
        return (
            "an OpenDocument spreadsheet (.ods, from LibreOffice): planner reads "
            ".xlsx only; in LibreOffice Calc choose File > Save As, file type "
            '"Excel 2007-365 (.xlsx)"'
        )
    return None


def load_file(path: Path) -> Workbook | None:
    """The workbook with each formula's saved result, or None if unreadable.

    openpyxl raises many kinds of error on a damaged file (zip, XML, key and
    attribute errors from half-written parts); all of them mean the same to
    a planner, so all are caught here and nowhere else. The file is handed
    over open, so openpyxl does not judge it by its name's extension.
    """
    try:
        with warnings.catch_warnings(), path.open("rb") as stream:
            warnings.simplefilter("ignore")
            return load_workbook(stream, data_only=True)
    except Exception:  # any failure here means a damaged file
        return None
