"""The parts-prices API: upload, validation, diff, approval, isolation."""
from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa

from .helpers import HEADER_ZH, csv_bytes, good_rows, upload, xlsx_bytes


def _counts():
    from plugins.parts_suppliers.models import PriceList, PriceListItem
    from portal.extensions import db

    return (db.session.scalar(sa.select(sa.func.count()).select_from(PriceList)),
            db.session.scalar(sa.select(sa.func.count()).select_from(PriceListItem)))


def test_gb18030_file_with_chinese_headers_becomes_pending(api_as, supplier):
    org, user = supplier
    data = csv_bytes([("L18D807221", "前保险杠皮", "原厂", "大众", "朗逸", "1280.00", 1, 3),
                      ("L18D807221", "前保险杠皮", "同质", "大众", "朗逸", "780.5", "", ""),
                      ("L18D845011", "前挡风玻璃", "再制造", "大众", "朗逸", "650", 2, 5)],
                     header=HEADER_ZH, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    r = upload(api_as(user), data)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "pending" and body["version"] == 1 and body["rows"] == 3
    assert body["diff"] == {"added": 3, "removed": 0, "up": 0, "down": 0}
    from plugins.parts_suppliers.models import PriceListItem
    from portal.extensions import db

    items = db.session.scalars(sa.select(PriceListItem).order_by(PriceListItem.source_row)).all()
    assert [(i.part_no, i.quality, str(i.unit_price), i.name) for i in items] == [
        ("L18D807221", "genuine", "1280.00", "前保险杠皮"), ("L18D807221", "equivalent", "780.50", "前保险杠皮"),
        ("L18D845011", "recycled", "650.00", "前挡风玻璃")]
    assert items[0].min_order == 1 and items[1].min_order is None and not any(i.is_current for i in items)


def test_utf8_bom_file_with_chinese_headers(api_as, supplier):
    _, user = supplier
    data = "\ufeff".encode() + csv_bytes([("A1", "车门", "原厂", "丰田", "卡罗拉", "10.00", "", "")], header=HEADER_ZH)
    r = upload(api_as(user), data)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["rows"] == 1


def test_xlsx_upload(api_as, supplier):
    _, user = supplier
    data = xlsx_bytes([("X1", "Door", "genuine", "VW", "Lavida", 123.5, 1, 2),
                       ("X2", "Hood", "equivalent", "VW", "Lavida", "88", None, None)])
    r = upload(api_as(user), data, "prices.xlsx")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["rows"] == 2


def test_xlsx_bad_rows_report_sheet_rows(api_as, supplier):
    _, user = supplier
    data = xlsx_bytes([("X1", "Door", "genuine", "VW", "Lavida", 123.5, 1, 2),
                       (None, "Hood", "genuine", "VW", "Lavida", 10, None, None),
                       ("X3", "Hood", "genuine", "VW", "Lavida", 12.345, None, None)])
    r = upload(api_as(user), data, "prices.xlsx")
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.get_json()["error"]["details"]["rows"]] == [(3, "part_no"),
                                                                                          (4, "unit_price")]


def test_every_kind_of_bad_row_is_reported_and_nothing_stored(api_as, supplier):
    _, user = supplier
    rows = [("OK1", "good", "genuine", "", "", "10.00", "", ""),        # row 2
            ("", "no number", "genuine", "", "", "10.00", "", ""),      # row 3
            ("B2", "zero", "genuine", "", "", "0", "", ""),             # row 4
            ("B3", "negative", "genuine", "", "", "-5", "", ""),        # row 5
            ("B4", "three places", "genuine", "", "", "1.005", "", ""),  # row 6
            ("B5", "text", "genuine", "", "", "abc", "", ""),           # row 7
            ("B6", "grade", "platinum", "", "", "10", "", ""),          # row 8
            ("OK1", "again", "genuine", "", "", "11", "", ""),          # row 9: duplicate of row 2
            ("OK1", "other grade", "equivalent", "", "", "8", "", "")]   # row 10: fine
    r = upload(api_as(user), csv_bytes(rows))
    assert r.status_code == 422
    err = r.get_json()["error"]
    assert err["code"] == "invalid"
    got = [(e["row"], e["column"]) for e in err["details"]["rows"]]
    assert got == [(3, "part_no"), (4, "unit_price"), (5, "unit_price"), (6, "unit_price"), (7, "unit_price"),
                   (8, "quality"), (9, "part_no")]
    assert "first at row 2" in err["details"]["rows"][-1]["message"]
    assert _counts() == (0, 0)


def test_bad_encoding_is_a_row_error(api_as, supplier):
    _, user = supplier
    data = csv_bytes(good_rows(2)) + b"P9,\xff\xfe\xff,genuine,,,1.00,,\n"
    r = upload(api_as(user), data)
    assert r.status_code == 422
    rows = r.get_json()["error"]["details"]["rows"]
    assert rows[0]["row"] == 4 and "encoding" in rows[0]["message"].lower()
    assert _counts() == (0, 0)


@pytest.mark.parametrize("payload,fragment", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV"),
    (b"PK\x03\x04garbage-not-a-zip", "not a CSV"),
])
def test_not_a_price_file_is_a_clear_422(api_as, supplier, payload, fragment):
    _, user = supplier
    r = upload(api_as(user), payload, "prices.csv")
    assert r.status_code == 422
    assert fragment.lower() in r.get_json()["error"]["message"].lower()
    assert _counts() == (0, 0)


def test_zip_bomb_is_refused_before_parsing(api_as, supplier):
    _, user = supplier
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    r = upload(api_as(user), buf.getvalue(), "bomb.xlsx")
    assert r.status_code == 422 and "zip bomb" in r.get_json()["error"]["message"]


def test_missing_required_column(api_as, supplier):
    _, user = supplier
    r = upload(api_as(user), b"part_no,name\nA,B\n")
    assert r.status_code == 422
    assert {(e["row"], e["column"]) for e in r.get_json()["error"]["details"]["rows"]} == {
        (1, "quality"), (1, "unit_price")}


def test_over_the_upload_limit_is_413(app, api_as, supplier):
    _, user = supplier
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        r = upload(api_as(user), csv_bytes(good_rows(200)))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"


def test_only_suppliers_upload(api_as, factory, pricing):
    r = upload(api_as(pricing), csv_bytes(good_rows(1)))
    assert r.status_code == 403
    garage_user = factory.user(factory.org("garage"))
    assert upload(api_as(garage_user), csv_bytes(good_rows(1))).status_code == 403


def test_diff_approval_and_versions_kept(api_as, supplier, pricing):
    org, user = supplier
    api = api_as(user)
    v1 = [("A", "a", "genuine", "", "", "100.00", "", ""), ("B", "b", "genuine", "", "", "200.00", "", ""),
          ("C", "c", "genuine", "", "", "300.00", "", ""), ("D", "d", "genuine", "", "", "50.00", "", "")]
    first = upload(api, csv_bytes(v1)).get_json()
    staff = api_as(pricing)
    r = staff.post(f"/price-lists/{first['id']}/approve")
    assert r.status_code == 200 and r.get_json()["status"] == "current"
    v2 = [("A", "a", "genuine", "", "", "150.00", "", ""),   # up 50
          ("B", "b", "genuine", "", "", "190.00", "", ""),   # down 10
          ("C", "c", "genuine", "", "", "400.00", "", ""),   # up 100 (biggest)
          ("E", "e", "genuine", "", "", "10.00", "", ""),    # added
          ("A", "a", "equivalent", "", "", "80.00", "", "")]  # added (other grade); D removed
    second = upload(api, csv_bytes(v2)).get_json()
    assert second["version"] == 2 and second["diff"] == {"added": 2, "removed": 1, "up": 2, "down": 1}
    detail = api.get(f"/price-lists/{second['id']}").get_json()
    assert detail["diff_against_version"] == 1
    assert [c["part_no"] for c in detail["changes"]["up"]] == ["C", "A"]
    assert detail["changes"]["up"][0]["change"] == "100.00"
    # a ratio is a decimal string, like money: 400 over 300 is +33.33 %
    assert detail["changes"]["up"][0]["change_ratio"] == "0.3333"
    assert detail["changes"]["down"][0]["change_ratio"] == "-0.0500"
    assert detail["changes"]["removed"][0]["change_ratio"] is None
    assert [c["part_no"] for c in detail["changes"]["removed"]] == ["D"]
    pending = staff.get("/price-lists?status=pending").get_json()
    assert [p["id"] for p in pending["items"]] == [second["id"]] and pending["total"] == 1
    assert staff.post(f"/price-lists/{second['id']}/approve").get_json()["status"] == "current"
    lists = {p["version"]: p["status"] for p in api.get("/price-lists").get_json()["items"]}
    assert lists == {1: "superseded", 2: "current"}
    again = staff.post(f"/price-lists/{second['id']}/approve")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.entity == "price_list",
                                                                   AuditEntry.entity_id == str(second["id"]))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["upload", "approve"]
    from plugins.parts_suppliers.models import PriceListItem

    current = db.session.scalars(sa.select(PriceListItem.part_no).where(PriceListItem.is_current.is_(True))
                                 .order_by(PriceListItem.part_no, PriceListItem.quality)).all()
    assert current == ["A", "A", "B", "C", "E"]


def test_only_pricing_approves_and_reject(api_as, supplier, pricing, factory):
    _, user = supplier
    pl = upload(api_as(user), csv_bytes(good_rows(2))).get_json()
    assessor = factory.user(factory.insurer(), roles=("assessor",))
    assert api_as(assessor).post(f"/price-lists/{pl['id']}/approve").status_code == 403
    assert api_as(user).post(f"/price-lists/{pl['id']}/approve").status_code == 403
    r = api_as(pricing).post(f"/price-lists/{pl['id']}/reject", json={"note": "prices look wrong"})
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    stale = api_as(pricing).post(f"/price-lists/{pl['id']}/approve", json={"lock_version": 1})
    assert stale.status_code == 409


def test_a_newer_upload_supersedes_the_pending_one(api_as, supplier):
    _, user = supplier
    api = api_as(user)
    a = upload(api, csv_bytes(good_rows(2))).get_json()
    b = upload(api, csv_bytes(good_rows(3))).get_json()
    statuses = {p["id"]: p["status"] for p in api.get("/price-lists").get_json()["items"]}
    assert statuses == {a["id"]: "superseded", b["id"]: "pending"}


def test_supplier_isolation(api_as, supplier, factory, pricing):
    _, user = supplier
    other_org = factory.org("parts_supplier", name="Other")
    other = factory.user(other_org, roles=("partner_admin",))
    mine = upload(api_as(user), csv_bytes(good_rows(2))).get_json()
    theirs = upload(api_as(other), csv_bytes(good_rows(3))).get_json()
    assert [p["id"] for p in api_as(user).get("/price-lists").get_json()["items"]] == [mine["id"]]
    assert api_as(user).get(f"/price-lists/{theirs['id']}").status_code == 404
    assert api_as(user).get(f"/price-lists/{theirs['id']}/items").status_code == 404
    assert api_as(pricing).get("/price-lists").get_json()["total"] == 2
    garage_user = factory.user(factory.org("garage"))
    assert api_as(garage_user).get("/price-lists").status_code == 403


def test_formula_like_cells_are_stored_as_text_and_exported_safely(api_as, supplier, pricing, client, web_login):
    _, user = supplier
    pl = upload(api_as(user), csv_bytes([("=HYPERLINK(1)", "=cmd|' /C calc'!A0", "genuine", "", "", "5", "", "")])
                ).get_json()
    assert pl["rows"] == 1
    web_login(pricing)
    r = client.get(f"/parts/price-lists/{pl['id']}?tab=items&export=xlsx")
    assert r.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.data)).active
    # kept as written (no apostrophe) and typed as text: never a formula (review L9)
    assert ws["A2"].value == "=HYPERLINK(1)" and ws["B2"].value == "=cmd|' /C calc'!A0"
    assert ws["A2"].data_type == "s" and ws["B2"].data_type == "s"


def _forged(rows, dimension="A1:XFD1048576", far_cell=True) -> bytes:
    """An XLSX whose sheet claims the whole grid (``<dimension>``), with one cell in the last row."""
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["part_no", "name", "quality", "make", "model", "unit_price", "min_order", "lead_time_days"])
    for r in rows:
        ws.append(list(r))
    if far_cell:
        ws.cell(row=1048576, column=1, value="far away")
    raw = io.BytesIO()
    wb.save(raw)
    src, out = zipfile.ZipFile(io.BytesIO(raw.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), data)
            dst.writestr(item, data)
    return out.getvalue()


def test_a_forged_dimension_is_ignored_and_the_data_read_as_it_is(api_as, supplier):
    """Security review M1: a sheet claiming 1,048,576 × 16,384 cells with one far cell: the rows
    after a long blank run are padding; the list holds its real rows."""
    _, user = supplier
    r = upload(api_as(user), _forged(good_rows(3)), filename="forged.xlsx")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["rows"] == 3


def test_row_and_column_caps_refuse_a_workbook(app, api_as, supplier):
    _, user = supplier
    app.config["PRICE_IMPORT_MAX_ROWS"] = 5
    try:
        r = upload(api_as(user), _forged(good_rows(10), dimension="A1:H11", far_cell=False), filename="big.xlsx")
        assert r.status_code == 422 and "rows" in str(r.get_json()["error"]), r.get_json()
    finally:
        app.config.pop("PRICE_IMPORT_MAX_ROWS")
    r = upload(api_as(user), _forged(good_rows(4), dimension="A1:H5", far_cell=False), filename="ok.xlsx")
    assert r.status_code == 201 and r.get_json()["rows"] == 4
