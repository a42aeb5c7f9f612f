"""What a bidder needs on a lot (VIN, mileage, keys, documents, starts/drives, damage, staff's
photos), entered through the API and the form alike, and the confirmation steps of bid,
close and award (the typed bid survives going back)."""
from __future__ import annotations

import io

from .conftest import PNG, expire_bidding

FACTS = {"vin": "lsvau033512345679", "mileage_km": 86500, "keys_present": False, "driving_licence": True,
         "registration_certificate": None, "starts": False, "drives": False,
         "damage": "Engine bay burnt out; front airbags deployed."}


def test_facts_through_the_api_reach_the_vendor(client, web_login, api_as, desk, vendor, open_lot):
    lot = open_lot(**FACTS)
    assert lot["vin"] == "LSVAU033512345679" and lot["mileage_km"] == 86500 and lot["keys_present"] is False
    assert lot["registration_certificate"] is None
    v = vendor()
    seen = api_as(v).get(f"/salvage-lots/{lot['id']}").get_json()
    assert seen["damage"] == FACTS["damage"] and seen["starts"] is False and seen["reserve_price"] is None
    web_login(v)
    page = client.get(f"/salvage/lots/{lot['id']}").get_data(as_text=True)
    assert "LSVAU033512345679" in page and "86,500 km" in page and "Engine bay burnt out" in page
    assert "无钥匙" in page and "无法启动" in page and "无法行驶" in page and "不详" in page


def test_vin_defaults_to_the_claims_and_bad_facts_are_refused(api_as, desk, open_lot, make_claim):
    assert open_lot()["vin"] == "LSVAU033512345678"      # the claim's vehicle
    assert open_lot(source="parts")["vin"] is None        # parts: no vehicle
    claim = make_claim()
    base = {"claim_no": claim.claim_no, "description": "x", "estimated_value": "100", "reserve_price": "0",
            "bidding_closes_at": "2099-01-01T10:00:00+08:00"}
    for bad in ({"vin": "LSVAU0335123456I8"}, {"vin": "SHORT"}, {"mileage_km": -1}, {"mileage_km": 2_000_001},
                {"mileage_km": "12 km"}, {"keys_present": "maybe"}, {"damage": "x" * 2001}):
        r = api_as(desk).post("/salvage-lots", json={**base, **bad})
        assert r.status_code == 422, bad
        assert set(bad) <= set(r.get_json()["error"]["details"]), r.get_json()


def test_the_form_takes_the_facts_and_shows_errors(client, web_login, desk, make_claim):
    claim = make_claim()
    web_login(desk)
    page = client.get(f"/salvage/new?claim_no={claim.claim_no}").get_data(as_text=True)
    assert 'value="LSVAU033512345678"' in page and "钥匙" in page
    form = {"claim_no": claim.claim_no, "source": "total_loss", "description": "Burnt Passat",
            "estimated_value": "8000", "reserve_price": "5000", "bidding_closes_at": "2099-01-01T10:00",
            "vin": "LSVAU033512345678", "mileage_km": "120000", "keys_present": "yes", "driving_licence": "no",
            "registration_certificate": "", "starts": "no", "drives": "no", "damage": "Fire"}
    bad = client.post("/salvage/new", data={**form, "vin": "LSVAU0335123456O8", "keys_present": "perhaps"})
    assert bad.status_code == 422 and "VIN" in bad.get_data(as_text=True)
    ok = client.post("/salvage/new", data=form)
    assert ok.status_code == 302
    from plugins.salvage.models import SalvageLot
    from portal.extensions import db

    lot = db.session.get(SalvageLot, int(ok.headers["Location"].rsplit("/", 1)[1]))
    assert (lot.mileage_km, lot.keys_present, lot.driving_licence, lot.registration_certificate, lot.starts) == (
        120000, True, False, None, False)


def test_bidders_see_staffs_lot_photos_but_not_the_pickup_ones(client, web_login, api_as, desk, vendor, open_lot):
    lot = open_lot()
    web_login(desk)
    r = client.post(f"/salvage/lots/{lot['id']}/photo", data={"file": (io.BytesIO(PNG), "front.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    client.post("/logout")
    bidder, outsider = vendor(), vendor()
    photos = api_as(bidder).get(f"/salvage-lots/{lot['id']}").get_json()["photos"]
    assert [p["kind"] for p in photos] == ["lot"]
    web_login(bidder)
    assert client.get(f"/salvage/lots/{lot['id']}/photos/{photos[0]['id']}").status_code == 200
    client.post("/logout")
    # a barred vendor (grade D) may not see the open lot, nor its photo
    barred = vendor(grade="D")
    web_login(barred)
    assert client.get(f"/salvage/lots/{lot['id']}/photos/{photos[0]['id']}").status_code == 404
    client.post("/logout")
    # after the award, a loser who bid sees the lot photo, never the winner's pickup photo
    api_as(outsider).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "31000"})
    api_as(bidder).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    expire_bidding(lot["id"])
    api_as(desk).post(f"/salvage-lots/{lot['id']}/award", json={})
    web_login(bidder)
    client.post(f"/salvage/lots/{lot['id']}/photo", data={"file": (io.BytesIO(PNG), "pickup.png")},
                content_type="multipart/form-data")
    client.post("/logout")
    seen = api_as(bidder).get(f"/salvage-lots/{lot['id']}").get_json()["photos"]
    assert sorted(p["kind"] for p in seen) == ["lot", "pickup"]
    pickup_id = next(p["id"] for p in seen if p["kind"] == "pickup")
    assert [p["kind"] for p in api_as(outsider).get(f"/salvage-lots/{lot['id']}").get_json()["photos"]] == ["lot"]
    web_login(outsider)
    assert client.get(f"/salvage/lots/{lot['id']}/photos/{pickup_id}").status_code == 404


def test_a_bid_is_confirmed_before_it_lands_and_going_back_keeps_the_amount(client, web_login, vendor, open_lot):
    from plugins.salvage.models import SalvageBid
    from portal.extensions import db

    lot = open_lot()
    web_login(vendor())
    page = client.get(f"/salvage/lots/{lot['id']}").get_data(as_text=True)
    assert f"/salvage/lots/{lot['id']}/bid/confirm" in page
    assert client.post(f"/salvage/lots/{lot['id']}/bid/confirm", data={"amount": "-5"}).status_code == 422
    step = client.post(f"/salvage/lots/{lot['id']}/bid/confirm", data={"amount": "41,000.5"})
    text = step.get_data(as_text=True)
    assert step.status_code == 200 and 'data-testid="confirm-step"' in text and "¥41,000.50" in text
    assert 'name="amount" value="41000.50"' in text and db.session.query(SalvageBid).count() == 0
    back = client.get(f"/salvage/lots/{lot['id']}?amount=41000.50").get_data(as_text=True)
    assert 'value="41000.50"' in back
    assert client.post(f"/salvage/lots/{lot['id']}/bid", data={"amount": "41000.50"}).status_code == 302
    assert db.session.query(SalvageBid).count() == 1


def test_close_and_award_are_confirmed_with_whom_and_how_much(client, web_login, api_as, desk, vendor, open_lot):
    lot = open_lot()
    v = vendor()
    api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "45000"})
    web_login(desk)
    page = client.get(f"/salvage/lots/{lot['id']}").get_data(as_text=True)
    assert f"/salvage/lots/{lot['id']}/close/confirm" in page
    step = client.get(f"/salvage/lots/{lot['id']}/close/confirm").get_data(as_text=True)
    assert "提前" in step or "early" in step
    assert f'action="/salvage/lots/{lot["id"]}/close"' in step
    assert client.get(f"/salvage/lots/{lot['id']}/award/confirm").status_code == 302   # not closed yet
    assert client.post(f"/salvage/lots/{lot['id']}/close", data={"version": lot["version"]}).status_code == 302
    award = client.get(f"/salvage/lots/{lot['id']}/award/confirm").get_data(as_text=True)
    assert v.organization.name in award and "¥45,000.00" in award and "¥30,000.00" in award
    assert client.post(f"/salvage/lots/{lot['id']}/award", data={}).status_code == 302


def test_other_roles_do_not_reach_the_confirmation_steps(client, web_login, factory, vendor, open_lot):
    lot = open_lot()
    web_login(vendor())
    assert client.get(f"/salvage/lots/{lot['id']}/close/confirm").status_code == 403
    assert client.get(f"/salvage/lots/{lot['id']}/award/confirm").status_code == 403
    client.post("/logout")
    web_login(factory.user(factory.org("garage"), roles=("partner_admin",)))
    assert client.post(f"/salvage/lots/{lot['id']}/bid/confirm", data={"amount": "1"}).status_code in (403, 404)
