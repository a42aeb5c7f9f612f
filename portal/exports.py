"""XLSX exports of any list: a real workbook, money as numbers, no formula injection.

``xlsx_response(filename, columns, rows)`` where ``columns`` is ``[(header, kind)]`` with
kind ``text``, ``money``, ``number``, ``date``, ``datetime`` or ``percent``.
"""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .timeutil import to_local

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value) -> str:
    """Text that a spreadsheet will never run as a formula (CSV/XLSX injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _cell(value, kind: str):
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
    return safe_text(value)


def build_workbook(columns: list[tuple[str, str]], rows, title: str = "Sheet1") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = safe_text(title)[:31] or "Sheet1"
    ws.append([safe_text(h) for h, _ in columns])
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE7F3")
    formats = {"money": "#,##0.00", "percent": "0.0%", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
    for row in rows:
        ws.append([_cell(v, kind) for v, (_, kind) in zip(row, columns)])
    for idx, (header, kind) in enumerate(columns, start=1):
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = max(10, min(40, len(str(header)) * 2 + 4))
        if kind in formats:
            for cell in ws[letter][1:]:
                cell.number_format = formats[kind]
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename: str, columns: list[tuple[str, str]], rows, title: str = "Sheet1") -> Response:
    data = build_workbook(columns, rows, title)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    return Response(data, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
    })
