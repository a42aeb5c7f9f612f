"""Price feedback: from assessors (API and the review-screen form) to the pricing queue."""
from __future__ import annotations

import sqlalchemy as sa


def test_feedback_api_queue_and_answer(api_as, factory, pricing):
    assessor_user = factory.user(factory.insurer(), roles=("assessor",))
    assessor = api_as(assessor_user)
    r = assessor.post("/price-feedback", json={"part_no": "l18d807221", "quality": "genuine", "region": "上海",
                                               "quote_id": 12, "comment": "4S price is lower",
                                               "suggested_price": "1100.00"})
    assert r.status_code == 201
    fb = r.get_json()
    assert fb["part_no"] == "L18D807221" and fb["status"] == "open" and fb["suggested_price"] == "1100.00"
    assert fb["reference_price"] is None and "+08:00" in fb["created_at"]
    assert assessor.post("/price-feedback", json={"part_no": "A", "quality": "genuine", "region": "上海"}
                         ).status_code == 422
    assert assessor.post("/price-feedback", json={"part_no": "A", "quality": "genuine", "region": "上海",
                                                  "comment": "x", "suggested_price": "1.234"}).status_code == 422
    supplier = factory.user(factory.org("parts_supplier"), roles=("partner_admin",))
    assert api_as(supplier).post("/price-feedback", json={"part_no": "A", "quality": "genuine", "region": "R",
                                                          "comment": "x"}).status_code == 403
    assert api_as(pricing).post("/price-feedback", json={"part_no": "A", "quality": "genuine", "region": "R",
                                                         "comment": "x"}).status_code == 403
    queue = api_as(pricing).get("/price-feedback?status=open").get_json()
    assert queue["total"] == 1 and queue["items"][0]["id"] == fb["id"]
    assert assessor.post(f"/price-feedback/{fb['id']}/answer", json={"answer": "no"}).status_code == 403
    r = api_as(pricing).post(f"/price-feedback/{fb['id']}/answer", json={"answer": "Localized price set."})
    assert r.status_code == 200 and r.get_json()["status"] == "answered"
    again = api_as(pricing).post(f"/price-feedback/{fb['id']}/answer", json={"answer": "again"})
    assert again.status_code == 409
    assert assessor.get("/price-feedback").get_json()["items"][0]["answer"] == "Localized price set."


def test_feedback_answer_notifies_the_assessor(api_as, factory, pricing):
    from portal.extensions import db
    from portal.notifications.models import Notification

    assessor_user = factory.user(factory.insurer(), roles=("assessor",))
    fb = api_as(assessor_user).post("/price-feedback", json={"part_no": "A", "quality": "genuine", "region": "R",
                                                             "comment": "x"}).get_json()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == pricing.id)) == 1
    api_as(pricing).post(f"/price-feedback/{fb['id']}/answer", json={"answer": "ok"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == assessor_user.id)) == 1


def test_feedback_form_prefilled_from_review_screen(app, client, web_login, factory, pricing):
    from flask import url_for

    assessor = factory.user(factory.insurer(), roles=("assessor",))
    web_login(assessor)
    with app.test_request_context():
        url = url_for("parts_suppliers.new_feedback", part_no="L18D807221", quality="equivalent", region="上海",
                      quote_id=42)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="L18D807221"' in html and 'value="42"' in html and 'selected value="equivalent"' in html
    bad = client.post(url, data={"part_no": "L18D807221", "quality": "equivalent", "region": "上海",
                                 "suggested_price": "abc", "comment": ""})
    assert bad.status_code == 422
    ok = client.post(url, data={"part_no": "L18D807221", "quality": "equivalent", "region": "上海",
                                "quote_id": "42", "comment": "too high"})
    assert ok.status_code == 303
    from plugins.parts_suppliers.models import PriceFeedback
    from portal.extensions import db

    row = db.session.scalar(sa.select(PriceFeedback))
    assert (row.part_no, row.quality, row.quote_id, row.comment) == ("L18D807221", "equivalent", 42, "too high")
    client.post("/logout")
    web_login(pricing)
    queue = client.get("/parts/feedback")
    assert queue.status_code == 200 and b'data-testid="count-open"' in queue.data and b"L18D807221" in queue.data
    r = client.post(f"/parts/feedback/{row.id}/answer", data={"answer": "checked", "version": str(row.version)})
    assert r.status_code == 303
    db.session.refresh(row)
    assert row.status == "answered"
    assert client.get("/parts/feedback?export=xlsx").status_code == 200
