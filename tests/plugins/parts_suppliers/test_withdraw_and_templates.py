"""A supplier withdraws a pending price list (API and page, audited, a webhook event, pricing
staff told); the upload page says a new upload supersedes a pending version; the file
templates (CSV and XLSX) carry the Chinese headers and, filled with a row, import cleanly."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from .helpers import csv_bytes, good_rows, upload


def test_supplier_withdraws_its_pending_list(api_as, supplier, pricing):
    import sqlalchemy as sa

    from portal.audit.models import AuditEntry
    from portal.extensions import db

    _, user = supplier
    api = api_as(user)
    current = upload(api, csv_bytes(good_rows(2))).get_json()
    assert api_as(pricing).post(f"/price-lists/{current['id']}/approve", json={}).status_code == 200
    pending = upload(api, csv_bytes(good_rows(3))).get_json()
    assert api.post(f"/price-lists/{pending['id']}/withdraw", json={"lock_version": 99}).status_code == 409
    r = api.post(f"/price-lists/{pending['id']}/withdraw", json={"lock_version": pending["lock_version"]})
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn"
    assert api.get(f"/price-lists/{current['id']}").get_json()["status"] == "current"   # stays in force
    assert api.post(f"/price-lists/{pending['id']}/withdraw").status_code == 409          # not twice
    assert api.post(f"/price-lists/{current['id']}/withdraw").status_code == 409          # not a current one
    assert api_as(pricing).post(f"/price-lists/{pending['id']}/approve", json={}).status_code == 409
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.entity == "price_list", AuditEntry.entity_id == str(pending["id"]))).all()
    assert "withdraw" in actions


def test_only_the_supplier_itself_withdraws(api_as, supplier, pricing, factory):
    _, user = supplier
    pending = upload(api_as(user), csv_bytes(good_rows(2))).get_json()
    other = factory.user(factory.org("parts_supplier"), roles=("partner_admin",))
    assert api_as(other).post(f"/price-lists/{pending['id']}/withdraw").status_code == 404
    assert api_as(pricing).post(f"/price-lists/{pending['id']}/withdraw").status_code == 403
    assert api_as(factory.user(factory.org("garage"))).post(f"/price-lists/{pending['id']}/withdraw").status_code == 403
    assert api_as(user).get(f"/price-lists/{pending['id']}").get_json()["status"] == "pending"


def test_withdraw_on_the_page_and_the_upload_page_warns_of_supersession(client, web_login, supplier, factory,
                                                                        api_as):
    _, user = supplier
    web_login(user)
    assert b'data-testid="pending-notice"' not in client.get("/parts/price-lists/upload").data
    pending = upload(api_as(user), csv_bytes(good_rows(2))).get_json()
    page = client.get("/parts/price-lists/upload").get_data(as_text=True)
    assert 'data-testid="pending-notice"' in page and "替代" in page
    detail = client.get(f"/parts/price-lists/{pending['id']}").get_data(as_text=True)
    assert 'data-testid="withdraw"' in detail
    r = client.post(f"/parts/price-lists/{pending['id']}/withdraw", data={"lock_version": pending["lock_version"]})
    assert r.status_code == 303
    after = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已撤回" in after and 'data-testid="withdraw"' not in after
    assert b'data-testid="pending-notice"' not in client.get("/parts/price-lists/upload").data
    client.post("/logout")
    theirs = upload(api_as(factory.user(factory.org("parts_supplier"), roles=("partner_admin",))),
                    csv_bytes(good_rows(1))).get_json()
    web_login(user)
    assert client.post(f"/parts/price-lists/{theirs['id']}/withdraw", data={}).status_code == 404


def test_withdrawal_is_a_webhook_event_and_tells_pricing(app, api_as, supplier, pricing):
    from portal.plugin import hook

    events = {e["name"] if isinstance(e, dict) else getattr(e, "name", None)
              for batch in hook(app).portal_webhook_events() for e in batch}
    assert "price_list.withdrawn" in events
    _, user = supplier
    pending = upload(api_as(user), csv_bytes(good_rows(2))).get_json()
    api_as(user).post(f"/price-lists/{pending['id']}/withdraw")
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.notifications.models import Notification

    titles = db.session.scalars(sa.select(Notification.title).where(Notification.user_id == pricing.id,
                                                                    Notification.kind == "price_list.withdrawn")).all()
    assert titles and all(f"第 {pending['version']} 版" in t for t in titles), titles


def _filled_csv(template: bytes) -> bytes:
    text = template.decode("utf-8-sig")
    return (text + "A-100,前保险杠,原厂,大众,帕萨特,1234.50,1,3,,\n").encode("utf-8")


def test_templates_have_the_chinese_headers_and_import_when_filled(client, web_login, supplier, api_as):
    _, user = supplier
    web_login(user)
    page = client.get("/parts/price-lists/upload").get_data(as_text=True)
    assert "/parts/price-lists/template.csv" in page and "/parts/price-lists/template.xlsx" in page
    got = client.get("/parts/price-lists/template.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    header = got.data.decode("utf-8-sig").splitlines()
    assert header == ["配件编号,配件名称,品质,品牌,车型,单价,起订量,供货周期,配件类别,所属总成"]
    r = upload(api_as(user), _filled_csv(got.data), "template.csv")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["rows"] == 1

    got = client.get("/parts/price-lists/template.xlsx")
    assert got.status_code == 200
    sheet = load_workbook(io.BytesIO(got.data)).active
    headers = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    assert headers[:3] == ["配件编号", "配件名称", "品质"] and sheet.max_row == 1
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    ws.append(["B-200", "后视镜", "同质", "丰田", "凯美瑞", 456.7, 2, 5, "玻璃", None])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/parts/price-lists/upload", data={"file": (io.BytesIO(buf.getvalue()), "template.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    assert client.get("/parts/price-lists/template.pdf").status_code == 404
