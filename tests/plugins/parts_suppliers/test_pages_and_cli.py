"""Pages for suppliers and pricing staff, the CLI import and the demo data."""
from __future__ import annotations

import io

import sqlalchemy as sa

from tests.querycount import count_queries

from .helpers import HEADER_ZH, csv_bytes, good_rows, upload


def test_supplier_uploads_on_the_page_and_sees_its_diff(client, web_login, supplier, pricing, api_as):
    _, user = supplier
    web_login(user)
    assert client.get("/parts/price-lists/upload").status_code == 200
    r = client.post("/parts/price-lists/upload", data={"file": (io.BytesIO(csv_bytes(good_rows(3))), "v1.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    page = client.get(r.headers["Location"])
    assert page.status_code == 200 and b'data-testid="diff-added">3<' in page.data
    bad = client.post("/parts/price-lists/upload",
                      data={"file": (io.BytesIO(csv_bytes([("", "x", "genuine", "", "", "1", "", "")])), "b.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and b'data-testid="row-errors"' in bad.data
    lists = client.get("/parts/price-lists")
    assert lists.status_code == 200 and b'data-testid="count-pending"' in lists.data
    assert client.get("/parts/price-lists?export=xlsx").status_code == 200
    assert client.get("/parts/my-prices").status_code == 200
    assert client.get("/parts/localized").status_code == 403


def test_pricing_approves_on_the_page(client, web_login, supplier, pricing, api_as):
    _, user = supplier
    pl = upload(api_as(user), csv_bytes(good_rows(4))).get_json()
    web_login(pricing)
    page = client.get(f"/parts/price-lists/{pl['id']}")
    assert b'data-testid="approve"' in page.data
    r = client.post(f"/parts/price-lists/{pl['id']}/approve", data={"lock_version": "1", "note": ""})
    assert r.status_code == 303
    assert api_as(pricing).get(f"/price-lists/{pl['id']}").get_json()["status"] == "current"
    for tab in ("up", "down", "added", "removed", "items"):
        assert client.get(f"/parts/price-lists/{pl['id']}?tab={tab}").status_code == 200
        assert client.get(f"/parts/price-lists/{pl['id']}?tab={tab}&export=xlsx").status_code == 200


def test_other_suppliers_list_page_is_404(client, web_login, supplier, factory, api_as):
    other = factory.user(factory.org("parts_supplier"), roles=("partner_admin",))
    pl = upload(api_as(other), csv_bytes(good_rows(1))).get_json()
    web_login(supplier[1])
    assert client.get(f"/parts/price-lists/{pl['id']}").status_code == 404


def test_pricing_pages_render_and_export(client, web_login, pricing, factory):
    garage = factory.org("garage", name="永达")
    web_login(pricing)
    for path in ("/parts/price-lists", "/parts/localized", "/parts/labor-rates", "/parts/standards",
                 "/parts/feedback", "/parts/figures"):
        assert client.get(path).status_code == 200, path
        r = client.get(path + "?export=xlsx")
        assert r.status_code == 200 and r.mimetype.endswith("sheet"), path
    r = client.post("/parts/labor-rates", data={"garage_id": str(garage.id), "rate": "1.001"})
    assert r.status_code == 422 and "最多两位小数".encode() in r.data   # the page speaks Chinese
    assert client.post("/parts/labor-rates", data={"garage_id": str(garage.id), "rate": "118"}).status_code == 303
    assert client.post("/parts/standards", data={"region": "上海", "labor_rate": "", "towing_fee": ""}
                       ).status_code == 422
    assert client.post("/parts/standards", data={"region": "上海", "towing_fee": "300"}).status_code == 303
    assert client.post("/parts/localized", data={"part_no": "A1", "quality": "genuine", "region": "上海",
                                                 "price": "0"}).status_code == 422
    assert client.post("/parts/localized", data={"part_no": "A1", "quality": "genuine", "region": "上海",
                                                 "price": "12.50"}).status_code == 303
    assert "A1".encode() in client.get("/parts/localized").data


def test_price_list_page_queries_are_bounded(client, web_login, pricing, factory, api_as):
    for n in range(5):
        user = factory.user(factory.org("parts_supplier"), roles=("partner_admin",))
        upload(api_as(user), csv_bytes(good_rows(3)))
    web_login(pricing)
    client.get("/parts/price-lists")
    with count_queries() as q:
        assert client.get("/parts/price-lists").status_code == 200
    ours = [st for st in q.statements if "parts_" in st]
    assert len(ours) <= 4, q  # nav badge, counts per status, total, the page (suppliers joined in)
    for n in range(5):
        user = factory.user(factory.org("parts_supplier"), roles=("partner_admin",))
        upload(api_as(user), csv_bytes(good_rows(3)))
    with count_queries() as q:
        assert client.get("/parts/price-lists").status_code == 200
    assert len([st for st in q.statements if "parts_" in st]) == len(ours), q  # no query per row


def test_cli_import_with_progress(app, supplier, tmp_path):
    from plugins.parts_suppliers.models import PriceList
    from portal.extensions import db

    org, _ = supplier
    good = tmp_path / "prices.csv"
    good.write_bytes(csv_bytes([("L18D807221", "前保险杠皮", "原厂", "大众", "朗逸", "1280.00", 1, 3)],
                               header=HEADER_ZH, encoding="gb18030"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-prices", "--supplier", str(org.id), str(good)])
    assert result.exit_code == 0, result.output
    assert "pending approval" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([("", "x", "genuine", "", "", "1", "", "")]))
    result = runner.invoke(args=["import-prices", "--supplier", str(org.id), str(bad)])
    assert result.exit_code != 0 and "row 2, part_no" in result.output
    db.session.expire_all()
    assert [p.status for p in db.session.scalars(sa.select(PriceList))] == ["pending"]


def test_demo_data_is_idempotent(app):
    from plugins.parts_suppliers.models import PriceList
    from portal.demo import load_demo
    from portal.extensions import db

    load_demo()
    db.session.commit()
    statuses = sorted(db.session.scalars(sa.select(PriceList.status)))
    assert statuses == ["current", "current", "pending"]
    pending = db.session.scalar(sa.select(PriceList).where(PriceList.status == "pending"))
    assert pending.diff_summary["up"] >= 1 and pending.diff_summary["down"] >= 1
    load_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PriceList)) == 3
    from portal.catalog import get_catalog

    info = get_catalog().part_info(["L18D857507"])
    assert info["L18D857507"].components == ("L18D857521", "L18D857537")


def test_dashboard_widgets_and_nav(client, web_login, supplier, pricing, api_as):
    _, user = supplier
    upload(api_as(user), csv_bytes(good_rows(2)))
    web_login(pricing)
    html = client.get("/").get_data(as_text=True)
    assert "/parts/price-lists?status=pending" in html and "/parts/figures" in html
    client.post("/logout")
    web_login(user)
    html = client.get("/").get_data(as_text=True)
    assert "/parts/price-lists/upload" in html and "/parts/my-prices" in html


def test_api_is_in_the_openapi_document_and_missing_file_is_422(client, api_as, supplier):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/price-lists", "/api/v1/price-lists/{list_id}/approve", "/api/v1/parts/{part_no}/reference",
                 "/api/v1/parts/{part_no}/localized-price", "/api/v1/organizations/{org_id}/labor-rate",
                 "/api/v1/regions/{region}/standards", "/api/v1/price-feedback"):
        assert path in paths, path
    r = api_as(supplier[1]).post("/price-lists", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.get_json()["error"]["details"]


def test_cli_progress_counts_every_byte_of_an_xlsx(app, supplier, tmp_path):
    from plugins.parts_suppliers.cli import run_import

    from .helpers import xlsx_bytes

    org, _ = supplier
    path = tmp_path / "prices.xlsx"
    path.write_bytes(xlsx_bytes([("X1", "Door", "原厂", "VW", "Lavida", 123.5, 1, 2)]))
    seen = []
    pl = run_import(org.id, str(path), progress=seen.append)
    assert pl.rows == 1 and pl.status == "pending"
    assert sum(seen) == path.stat().st_size
