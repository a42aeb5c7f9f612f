"""XLSX exports of any list: a real workbook, money as numbers, no formula injection, and
memory that stays flat however many rows (security review M2, M3, L9).

``xlsx_response(filename, columns, rows)`` where ``columns`` is ``[(header, kind)]`` with
kind ``text``, ``money``, ``number``, ``date``, ``datetime`` or ``percent``; ``rows`` may be any
iterable (a generator keeps memory flat: rows are read one by one).

- The workbook is written by openpyxl in *write-only* mode into a temporary file (rows go to
  disk as they come) and sent from that file in chunks.
- Text is always a string cell (typed, not guessed): a value beginning with ``=`` can never run
  as a formula, and nothing is prefixed to it (no visible apostrophe).
- Characters a workbook cannot hold (control characters other than tab and line breaks) are
  replaced by U+FFFD instead of failing the whole export.
"""
from __future__ import annotations

import re
import tempfile
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response

from .timeutil import to_local

# openpyxl's own ILLEGAL_CHARACTERS_RE (openpyxl.cell.cell), kept here so that nothing imports
# openpyxl before a workbook is written (start-up cost, issue 26)
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"money": "#,##0.00", "percent": "0.0%", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
CHUNK = 64 * 1024


def clean_text(value) -> str:
    """The text a cell can hold: illegal control characters become U+FFFD."""
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def _value(value, kind: str):
    if value is None:
        return None
    if kind == "money":
        return float(Decimal(value).quantize(Decimal("0.01")))
    if kind in ("number", "percent"):
        return float(value) if isinstance(value, Decimal) else value
    if kind == "datetime" and isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    if kind == "date" and isinstance(value, (date, datetime)):
        return value
    return clean_text(value)


def _cell(ws, value, kind: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=_value(value, kind))
    if isinstance(cell.value, str):
        cell.data_type = "s"   # a string, whatever it begins with: never a formula
    if kind in FORMATS and cell.value is not None and not isinstance(cell.value, str):
        cell.number_format = FORMATS[kind]
    return cell


def write_workbook(target, columns: list[tuple[str, str]], rows, title: str = "Sheet1") -> None:
    """Write the workbook into ``target`` (a path or a binary file), reading ``rows`` once."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(clean_text(title)[:31].translate(str.maketrans("", "", "[]:*?/\\")) or "Sheet1")
    for idx, (header, _kind) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = max(10, min(40, len(str(header)) * 2 + 4))
    ws.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
    header_cells = []
    for header, _kind in columns:
        cell = _cell(ws, header, "text")
        cell.font, cell.fill = bold, fill
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([_cell(ws, v, kind) for v, (_, kind) in zip(row, columns)])
    wb.save(target)


def build_workbook(columns: list[tuple[str, str]], rows, title: str = "Sheet1") -> bytes:
    """The workbook as bytes (small exports and tests)."""
    with tempfile.TemporaryFile() as f:
        write_workbook(f, columns, rows, title)
        f.seek(0)
        return f.read()


def xlsx_response(filename: str, columns: list[tuple[str, str]], rows, title: str = "Sheet1") -> Response:
    f = tempfile.TemporaryFile()
    try:
        write_workbook(f, columns, rows, title)
        size = f.tell()
        f.seek(0)
    except BaseException:
        f.close()
        raise

    def chunks():
        with f:
            while block := f.read(CHUNK):
                yield block

    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    return Response(chunks(), mimetype=XLSX_MIMETYPE, direct_passthrough=True, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        "Content-Length": str(size),
        "X-Content-Type-Options": "nosniff",
    })
