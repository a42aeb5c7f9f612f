"""XLSX exports (security review M2, M3, L9): control characters never fail an export, text is
never a formula and carries no visible apostrophe, rows are read one by one (a generator)."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl


def test_control_characters_and_formulas_in_an_export(app):
    from portal.exports import xlsx_response

    rows = [("供应商\x00名称\x1b", Decimal("12.50")), ("=1+2", 3), ("-2+3", None), ("@SUM(A1)", 1)]
    with app.test_request_context():
        r = xlsx_response("导出.xlsx", [("名称", "text"), ("金额", "money")], iter(rows))
        data = b"".join(r.response)
    assert int(r.headers["Content-Length"]) == len(data)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert got == [["供应商\ufffd名称\ufffd", 12.5], ["=1+2", 3], ["-2+3", None], ["@SUM(A1)", 1]]
    assert all(c.data_type in ("s", "n") for row in ws.iter_rows() for c in row if c.value is not None)
    assert ws["B2"].number_format == "#,##0.00" and ws.freeze_panes == "A2"


def test_rows_are_read_once_and_lazily(app):
    from portal.exports import build_workbook

    seen = []

    def rows():
        for i in range(1000):
            seen.append(i)
            yield (f"row {i}", i)

    data = build_workbook([("名称", "text"), ("数", "number")], rows())
    assert len(seen) == 1000
    assert sum(1 for _ in openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.iter_rows()) == 1001
