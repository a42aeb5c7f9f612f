"""Re-inspection (复勘) is the insurer's: per replaced line what staff found, their own photos
(never the garage's), the over-payment, a recovery against the garage on confirmation (through
the portal_recover_from_partner hook, kept by the subrogation plugin), and the scorecard metric."""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from .conftest import create, line, make_claim, part
from .test_concurrency_photos import PNG, upload
from .test_pages import As


def approved_quote(people, garage_api, api_as, claim=None, lines=None):
    claim = claim or make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, lines or [part(price="800"), part(part_no="5G0821105", name="左前翼子板",
                                                                    price="1500"),
                                             line("labor", "拆装", "2", "100")], submit=True)
    r = api_as(people.supervisor2).post(f"/quotes/{q['id']}/decisions", json={"action": "approve",
                                                                               "version": q["version"]})
    assert r.status_code == 200, r.get_json()
    if r.get_json()["status"] == "awaiting_second_approval":   # a major case: four eyes
        r = api_as(people.assessor2).post(f"/quotes/{q['id']}/decisions", json={
            "action": "approve", "version": r.get_json()["version"]})
    assert r.get_json()["status"] == "approved", r.get_json()
    return r.get_json()


def draw(quote_id):
    from portal.extensions import db
    from plugins.garages.models import AuditSample, Quote

    db.session.add(AuditSample(quote_id=quote_id, sample_date=date.today(), reason="random", seed="t", share="0.1",
                               draw="0.01", rules_version="2026.1"))
    db.session.get(Quote, quote_id).sampled = True
    db.session.commit()


def test_sampling_share_is_ten_percent_by_default(app):
    from plugins.garages import rules as R

    with app.test_request_context():
        assert R.dec("sampling_share") == Decimal("0.10")


def test_reinspection_over_payment_and_recovery_through_the_api(people, garage_api, api_as, catalog, factory):
    from portal.extensions import db
    from plugins.subrogation.models import RecoveryCase

    q = approved_quote(people, garage_api, api_as)
    bumper, wing = q["lines"][0], q["lines"][1]
    staff = api_as(people.assessor)
    # not sampled and not major: nothing to re-inspect
    r = staff.post(f"/quotes/{q['id']}/reinspection", json={"lines": []})
    assert r.status_code == 409
    draw(q["id"])
    # every replaced line must be recorded; the labour line is not one
    r = staff.post(f"/quotes/{q['id']}/reinspection", json={"lines": [
        {"line_id": bumper["id"], "outcome": "replaced"}]})
    assert r.status_code == 422 and "左前翼子板" in str(r.get_json()["error"]["details"])
    r = staff.post(f"/quotes/{q['id']}/reinspection", json={"lines": [
        {"line_id": q["lines"][2]["id"], "outcome": "replaced"}]})
    assert r.status_code == 422
    # repaired instead: a fair amount up to the approved amount
    r = staff.post(f"/quotes/{q['id']}/reinspection", json={"lines": [
        {"line_id": bumper["id"], "outcome": "not_replaced"},
        {"line_id": wing["id"], "outcome": "repaired_instead", "fair_amount": "1500.01"}]})
    assert r.status_code == 422 and "lines.1.fair_amount" in r.get_json()["error"]["details"]
    r = staff.post(f"/quotes/{q['id']}/reinspection", json={"lines": [
        {"line_id": bumper["id"], "outcome": "not_replaced", "note": "旧件仍在车上"},
        {"line_id": wing["id"], "outcome": "repaired_instead", "fair_amount": "400.00"}], "note": "现场复勘"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["result"] == "overpaid" and body["over_payment"] == "1900.00"   # 800 + (1500 − 400)
    assert {ln["line_id"]: ln["over_payment"] for ln in body["lines"]} == {bumper["id"]: "800.00",
                                                                           wing["id"]: "1100.00"}
    # the garage never sees the re-inspection
    assert garage_api.get(f"/quotes/{q['id']}/reinspection").status_code == 403
    # an assessor may not confirm the recovery; a supervisor does, once
    assert staff.post(f"/quotes/{q['id']}/reinspection/recovery").status_code == 403
    sup = api_as(people.supervisor)
    r = sup.post(f"/quotes/{q['id']}/reinspection/recovery")
    assert r.status_code == 201, r.get_json()
    ref = r.get_json()["recovery_ref"]
    case = db.session.get(RecoveryCase, int(ref.split(":")[1]))
    assert case.counterparty_name == people.garage.name and case.amount_sought == Decimal("1900.00")
    assert case.claim_id == db.session.get(__import__("plugins.garages.models", fromlist=["Quote"]).Quote,
                                           q["id"]).claim_id
    assert sup.post(f"/quotes/{q['id']}/reinspection/recovery").status_code == 409
    assert staff.get(f"/quotes/{q['id']}/reinspection").get_json()["recovery_ref"] == ref
    # a recorded recovery makes the re-inspection final
    assert staff.post(f"/quotes/{q['id']}/reinspection", json={"lines": []}).status_code == 409


def test_all_replaced_is_confirmed_and_opens_no_recovery(people, garage_api, api_as, catalog):
    q = approved_quote(people, garage_api, api_as)
    draw(q["id"])
    staff = api_as(people.assessor)
    r = staff.post(f"/quotes/{q['id']}/reinspection", json={"lines": [
        {"line_id": q["lines"][0]["id"], "outcome": "replaced"},
        {"line_id": q["lines"][1]["id"], "outcome": "not_verified"}]})
    assert r.get_json()["result"] == "confirmed" and r.get_json()["over_payment"] == "0.00"
    assert api_as(people.supervisor).post(f"/quotes/{q['id']}/reinspection/recovery").status_code == 409


def test_reinspection_photos_are_the_insurers(app, people, garage_api, api_as, catalog):
    q = approved_quote(people, garage_api, api_as)
    staff = api_as(people.assessor)
    assert upload(staff, q["id"], PNG, kind="reinspection").status_code == 409   # not under re-inspection
    draw(q["id"])
    assert upload(garage_api, q["id"], PNG, kind="reinspection").status_code == 403   # never the garage's
    assert upload(staff, q["id"], PNG, kind="damage").status_code == 403              # staff add only theirs
    r = upload(staff, q["id"], PNG, kind="reinspection", line_id=q["lines"][0]["id"])
    assert r.status_code == 201, r.get_json()
    photo = r.get_json()
    assert staff.get(f"/quotes/{q['id']}/photos/{photo['id']}").status_code == 200
    assert garage_api.get(f"/quotes/{q['id']}/photos/{photo['id']}").status_code == 404
    # the garage's damage photo (its submission needed one) for both; the insurer's for staff only
    assert [p["kind"] for p in garage_api.get(f"/quotes/{q['id']}").get_json()["photos"]] == ["damage"]
    assert [p["kind"] for p in staff.get(f"/quotes/{q['id']}").get_json()["photos"]] == ["damage", "reinspection"]


def test_a_major_case_is_reinspected_on_staffs_word(people, garage_api, api_as, catalog):
    q = approved_quote(people, garage_api, api_as, lines=[part(price="800", qty="63")])   # 50,400 > 50,000
    r = api_as(people.assessor).post(f"/quotes/{q['id']}/reinspection", json={"lines": [
        {"line_id": q["lines"][0]["id"], "outcome": "replaced"}]})
    assert r.status_code == 200 and r.get_json()["reason"] == "major"


def test_failed_reinspections_count_in_the_garage_scorecard(people, garage_api, api_as, catalog):
    from portal.timeutil import LOCAL_TZ, Period
    from plugins.garages import metrics
    from datetime import datetime

    q = approved_quote(people, garage_api, api_as)
    draw(q["id"])
    api_as(people.assessor).post(f"/quotes/{q['id']}/reinspection", json={"lines": [
        {"line_id": q["lines"][0]["id"], "outcome": "not_replaced"},
        {"line_id": q["lines"][1]["id"], "outcome": "replaced"}]})
    today = datetime.now(LOCAL_TZ).date()
    got = metrics.reinspection_failures(Period.of_days(today - timedelta(days=1), today),
                                        [people.garage.id, people.other_garage.id])
    assert got == {people.garage.id: Decimal(1), people.other_garage.id: Decimal(0)}
    # the claim no longer fast-tracks: a re-inspection on it found a problem
    from plugins.garages.controls import standing

    assert "EARLIER_REINSPECTION_FAILED" in standing(
        __import__("portal.extensions", fromlist=["db"]).db.session.get(
            __import__("plugins.garages.models", fromlist=["Quote"]).Quote, q["id"]).claim_id).trouble


def test_the_reinspection_page_keeps_what_was_typed_and_takes_photos(app, people, garage_api, api_as, catalog):
    q = approved_quote(people, garage_api, api_as)
    draw(q["id"])
    a = As(app, people.assessor)
    page = a.get(f"/garages/reinspection/{q['id']}").get_data(as_text=True)
    assert "复勘" in page and "以修代换" in page and "左前翼子板" in page
    bumper, wing = q["lines"][0]["id"], q["lines"][1]["id"]
    r = a.post(f"/garages/reinspection/{q['id']}", data={
        f"outcome-{bumper}": "not_replaced", f"note-{bumper}": "旧件仍在车上",
        f"outcome-{wing}": "repaired_instead", f"fair_amount-{wing}": "9999"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "旧件仍在车上" in page and 'value="9999"' in page and "第 2 行" in page
    r = a.post(f"/garages/reinspection/{q['id']}/photos", data={"file": (io.BytesIO(PNG), "复勘.png")},
               content_type="multipart/form-data")
    assert r.status_code == 302
    r = a.post(f"/garages/reinspection/{q['id']}", data={
        f"outcome-{bumper}": "not_replaced", f"outcome-{wing}": "replaced"})
    assert r.status_code == 302
    page = a.get(f"/garages/reinspection/{q['id']}").get_data(as_text=True)
    assert "多付金额" in page and "¥800.00" in page and "复勘.png" in page
    assert As(app, people.garage_user).get(f"/garages/reinspection/{q['id']}").status_code == 404
