"""Salvage pages: the desk's lots, the new-lot form, the vendor's auction, a web bid,
close/award buttons, the export, widgets and nav."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from .conftest import PNG


def test_new_lot_form_prefills_the_claim_and_shows_field_errors(client, web_login, desk, make_claim):
    claim = make_claim()
    web_login(desk)
    page = client.get(f"/salvage/new?claim_no={claim.claim_no}")
    assert page.status_code == 200 and f'value="{claim.claim_no}"'.encode() in page.data
    bad = client.post("/salvage/new", data={"claim_no": "NOPE", "source": "total_loss", "description": "x",
                                            "estimated_value": "1.234", "reserve_price": "10",
                                            "bidding_closes_at": "2099-01-01T10:00"})
    assert bad.status_code == 422 and b"invalid-feedback" in bad.data
    bad = client.post("/salvage/new", data={"claim_no": "NOPE", "source": "total_loss", "description": "x",
                                            "estimated_value": "100", "reserve_price": "10",
                                            "bidding_closes_at": "2099-01-01T10:00"})
    assert bad.status_code == 422 and "没有这个赔案号。".encode() in bad.data   # in the reader's language (D-10)
    ok = client.post("/salvage/new", data={"claim_no": claim.claim_no, "source": "total_loss",
                                           "description": "Flooded Passat", "estimated_value": "50,000.00",
                                           "reserve_price": "0", "bidding_closes_at": "2099-01-01T10:00"})
    assert ok.status_code == 302 and "/salvage/lots/" in ok.headers["Location"]


def test_vendor_bids_on_the_web_and_staff_close_and_award(app, client, web_login, desk, vendor, open_lot):
    lot = open_lot()
    v = vendor()
    web_login(v)
    market = client.get("/salvage/market")
    assert market.status_code == 200 and f"#{lot['id']}".encode() in market.data
    page = client.get(f"/salvage/lots/{lot['id']}")
    assert page.status_code == 200 and b"30,000" not in page.data  # the reserve is hidden from vendors
    bad = client.post(f"/salvage/lots/{lot['id']}/bid", data={"amount": "abc"})
    assert bad.status_code == 422
    r = client.post(f"/salvage/lots/{lot['id']}/bid", data={"amount": "41,000"})
    assert r.status_code == 302
    assert "¥41,000.00".encode() in client.get(f"/salvage/lots/{lot['id']}").data
    client.post("/logout")
    web_login(desk)
    lots = client.get("/salvage/")
    assert lots.status_code == 200 and b"Flooded" not in lots.data and f"#{lot['id']}".encode() in lots.data
    assert client.post(f"/salvage/lots/{lot['id']}/close", data={"version": lot["version"]}).status_code == 302
    detail = client.get(f"/salvage/lots/{lot['id']}")
    assert b'data-testid="bid-table"' in detail.data and "¥41,000.00".encode() in detail.data
    assert client.post(f"/salvage/lots/{lot['id']}/award", data={}).status_code == 302
    from plugins.salvage.models import SalvageLot
    from portal.extensions import db

    db.session.expire_all()
    assert db.session.get(SalvageLot, lot["id"]).winner_id == v.organization_id
    # a second award: the state moved on, a message instead of an error page
    again = client.post(f"/salvage/lots/{lot['id']}/award", data={}, follow_redirects=True)
    assert again.status_code == 200 and b"alert-warning" in again.data


def test_winner_pickup_disposal_and_proceeds_on_the_web(client, web_login, api_as, desk, vendor, open_lot):
    from portal.timeutil import local_now

    lot = open_lot(estimated_value="50000")
    v = vendor()
    api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "42000"})
    api_as(desk).post(f"/salvage-lots/{lot['id']}/close")
    api_as(desk).post(f"/salvage-lots/{lot['id']}/award")
    web_login(v)
    no_photo = client.post(f"/salvage/lots/{lot['id']}/pickup", data={})
    assert no_photo.status_code == 422 and "请先上传提货照片。".encode() in no_photo.data   # the service's words, in zh
    r = client.post(f"/salvage/lots/{lot['id']}/photo", data={"file": (io.BytesIO(PNG), "p.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    assert client.post(f"/salvage/lots/{lot['id']}/pickup", data={}).status_code == 302
    assert client.post(f"/salvage/lots/{lot['id']}/disposal", data={"kind": "sold"}).status_code == 302
    r = client.post(f"/salvage/lots/{lot['id']}/proceeds", data={
        "amount": "42000", "booked_on": local_now().date().isoformat(), "costs": "500"})
    assert r.status_code == 302
    page = client.get(f"/salvage/lots/{lot['id']}")
    assert "¥41,500.00".encode() in page.data


def test_export_and_queues(client, web_login, desk, open_lot):
    lot = open_lot()
    web_login(desk)
    r = client.get("/salvage/export.xlsx?status=open")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Lot" and rows[1][0] == lot["id"] and rows[1][5] == 50000
    assert client.get("/salvage/?queue=overdue_pickups").status_code == 200
    assert client.get("/salvage/?queue=unbooked_proceeds").status_code == 200


def test_nav_widgets_claim_section_and_costs(app, web_login, client, desk, vendor, open_lot, make_claim):
    from portal.claims.models import Claim
    from portal.extensions import db
    from portal.plugins import flatten, hook

    lot = open_lot()
    v = vendor()
    with app.test_request_context():
        nav = flatten(hook().portal_nav_items(user=desk))
        assert [n.endpoint for n in nav if n.endpoint.startswith("salvage.")] == ["salvage.lots"]
        assert [n.endpoint for n in flatten(hook().portal_nav_items(user=v)) if n.endpoint.startswith("salvage.")] == ["salvage.market"]
        urls = [w.url for w in flatten(hook().portal_dashboard_widgets(user=desk))]
        assert "/salvage/?queue=overdue_pickups" in urls
        claim = db.session.query(Claim).filter_by(claim_no=lot["claim_no"]).one()
        sections = flatten(hook().portal_claim_partner_work(claim=claim, user=desk))
        assert [s.rows[0]["lot"] for s in sections if s.rows] == [f"#{lot['id']}"]
        salvage_sections = [s for s in flatten(hook().portal_claim_partner_work(claim=claim, user=vendor(grade="D")))
                            if any(key == "lot" for key, _ in s.columns)]
        assert salvage_sections == []
        assert [c for c in flatten(hook().portal_claim_costs(claim=claim)) if c.code.startswith("salvage")] == []
    web_login(desk)
    assert client.get("/").status_code == 200


def test_claim_costs_carry_the_net_recovery_with_a_negative_sign(app, api_as, desk, vendor, open_lot):
    from decimal import Decimal

    from portal.claims.models import Claim
    from portal.extensions import db
    from portal.plugins import flatten, hook
    from portal.timeutil import local_now

    lot = open_lot()
    v = vendor()
    api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "42000"})
    api_as(desk).post(f"/salvage-lots/{lot['id']}/close")
    api_as(desk).post(f"/salvage-lots/{lot['id']}/award")
    api_as(v).post(f"/salvage-lots/{lot['id']}/photos", data={"file": (io.BytesIO(PNG), "p.png")},
                   content_type="multipart/form-data")
    api_as(v).post(f"/salvage-lots/{lot['id']}/pickup", json={})
    api_as(v).post(f"/salvage-lots/{lot['id']}/disposal", json={"kind": "sold"})
    api_as(desk).post(f"/salvage-lots/{lot['id']}/proceeds", json={
        "amount": "42000", "booked_on": local_now().date().isoformat(), "costs": "2000"})
    claim = db.session.query(Claim).filter_by(claim_no=lot["claim_no"]).one()
    [cost] = flatten(hook().portal_claim_costs(claim=claim))
    assert (cost.code, cost.amount, cost.sign) == ("salvage_proceeds", Decimal("40000.00"), -1)


def test_demo_data_is_idempotent_and_says_so_without_claims(app, make_claim):
    from plugins.salvage.demo import load
    from plugins.salvage.models import SalvageLot
    from portal.demo import load_demo
    from portal.extensions import db

    lines = load_demo()
    assert any("salvage lots: none" in line for line in lines) or db.session.query(SalvageLot).count() == 4
    import sqlalchemy as sa

    from portal.auth.models import User
    from portal.demo import DemoContext
    users = {u.email.split("@")[0]: u for u in db.session.scalars(sa.select(User))}
    claim = make_claim()
    demo = DemoContext(users={"supervisor": users["supervisor"], "salvage1": users["salvage1"],
                              "salvage2": users["salvage2"]}, claims={claim.claim_no: claim})
    load(demo)
    db.session.commit()
    load(demo)
    db.session.commit()
    statuses = sorted(db.session.scalars(sa.select(SalvageLot.status)))
    assert statuses == ["awarded", "closed", "open", "settled"]
