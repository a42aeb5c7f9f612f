"""Helpers for the parts-suppliers tests: price files and uploads."""
from __future__ import annotations

import io

HEADER_EN = "part_no,name,quality,make,model,unit_price,min_order,lead_time_days\n"
HEADER_ZH = "配件编号,配件名称,品质,品牌,车型,单价,起订量,供货周期\n"


def csv_bytes(rows, header=HEADER_EN, encoding="utf-8") -> bytes:
    text = header + "".join(",".join(str(v) for v in r) + "\n" for r in rows)
    return text.encode(encoding)


def xlsx_bytes(rows, header=None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header or ["part_no", "name", "quality", "make", "model", "unit_price", "min_order", "lead_time_days"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(api, data: bytes, filename="prices.csv"):
    return api.client.post("/api/v1/price-lists", headers=api.headers,
                           data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def good_rows(n=3, price=100):
    return [(f"P{i:04d}", f"Part {i}", "genuine", "大众", "朗逸", f"{price + i}.00", 1, 2) for i in range(1, n + 1)]
