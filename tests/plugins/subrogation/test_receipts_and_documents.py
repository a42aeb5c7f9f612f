"""A receipt is reversed with a counter-entry (API and page): a reason, audited, the case's
totals recomputed; once only, never a reversal, never more than the receipt. Documents on a
case: by content, served only to who sees the case, hidden and audited. Another firm → 404."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def _receipt(api, case_id, amount):
    r = api.post(f"/recoveries/{case_id}/receipts", json={"amount": amount, "received_on": YESTERDAY,
                                                          "method": "bank_transfer", "reference": "BK-1"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_reversal_is_a_counter_entry_and_the_totals_follow(api_as, legal, open_case):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    case = open_case()
    api = api_as(legal)
    first = _receipt(api, case["id"], "3000.00")
    _receipt(api, case["id"], "1000.00")
    assert api.post(f"/recoveries/{case['id']}/receipts/{first['id']}/reverse", json={}).status_code == 422
    bad = api.post(f"/recoveries/{case['id']}/receipts/{first['id']}/reverse",
                   json={"reason": "bounced", "amount": "3000.01"})
    assert bad.status_code == 422 and "amount" in bad.get_json()["error"]["details"]
    r = api.post(f"/recoveries/{case['id']}/receipts/{first['id']}/reverse", json={"reason": "转账被退回"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["amount"] == "-3000.00" and body["reverses_id"] == first["id"] and body["reason"] == "转账被退回"
    assert body["recovered"] == "1000.00" and body["outstanding"] == "7000.00"
    detail = api.get(f"/recoveries/{case['id']}").get_json()
    assert detail["recovered"] == "1000.00" and len(detail["receipts"]) == 3
    # once only; a reversal is never reversed
    again = api.post(f"/recoveries/{case['id']}/receipts/{first['id']}/reverse", json={"reason": "twice"})
    assert again.status_code == 409
    counter = api.post(f"/recoveries/{case['id']}/receipts/{body['id']}/reverse", json={"reason": "undo"})
    assert counter.status_code == 409
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "recovery",
                                                           AuditEntry.entity_id == str(case["id"]),
                                                           AuditEntry.action == "receipt_reversed")).all()
    assert len(audit) == 1


def test_a_partial_reversal_and_a_receipt_of_another_case(api_as, legal, open_case):
    api = api_as(legal)
    case, other = open_case(), open_case()
    receipt = _receipt(api, case["id"], "2000.00")
    assert api.post(f"/recoveries/{other['id']}/receipts/{receipt['id']}/reverse",
                    json={"reason": "x"}).status_code == 404
    r = api.post(f"/recoveries/{case['id']}/receipts/{receipt['id']}/reverse", json={"reason": "部分退回",
                                                                                   "amount": "500"})
    assert r.status_code == 201 and r.get_json()["recovered"] == "1500.00"
    assert api.post(f"/recoveries/{case['id']}/receipts/{receipt['id']}/reverse",
                    json={"reason": "rest"}).status_code == 409


def test_another_firm_sees_nothing(api_as, factory, legal, firm, open_case):
    case = open_case(handler_organization_id=firm.id)
    receipt = _receipt(api_as(legal), case["id"], "1000.00")
    outsider = factory.user(factory.org("law_firm"), roles=("partner_admin",))
    r = api_as(outsider).post(f"/recoveries/{case['id']}/receipts/{receipt['id']}/reverse", json={"reason": "x"})
    assert r.status_code == 404


def test_reversing_on_the_case_page(client, web_login, api_as, legal, open_case):
    case = open_case()
    receipt = _receipt(api_as(legal), case["id"], "4000.00")
    web_login(legal)
    page = client.get(f"/subrogation/cases/{case['id']}").get_data(as_text=True)
    action = f"/subrogation/cases/{case['id']}/receipts/{receipt['id']}/reverse"
    assert action in page and "冲销 ¥4,000.00" in page
    empty = client.post(action, data={"reason": " "}, follow_redirects=True).get_data(as_text=True)
    assert "请填写冲销原因。" in empty
    done = client.post(action, data={"reason": "转账被退回"}, follow_redirects=True).get_data(as_text=True)
    assert "已冲销" in done and "冲销回款 #" in done and action not in done
    assert api_as(legal).get(f"/recoveries/{case['id']}").get_json()["recovered"] == "0.00"
    assert client.post(f"/subrogation/cases/{case['id']}/receipts/999999/reverse",
                       data={"reason": "x"}).status_code == 404


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _send(api, case_id, data, name):
    import io

    return api.client.post(f"/api/v1/recoveries/{case_id}/documents", headers=api.headers,
                           data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_documents_on_a_case_by_content_only_to_who_sees_it_hidden_and_audited(api_as, factory, legal, firm,
                                                                              open_case):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    case = open_case(handler_organization_id=firm.id)
    api = api_as(legal)
    assert _send(api, case["id"], b"MZ\x90\x00 not a pdf", "letter.pdf").status_code == 422   # by content
    assert _send(api, case["id"], b"", "empty.pdf").status_code == 422
    r = _send(api, case["id"], PDF, "催款函.pdf")
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()
    assert doc["content_type"] == "application/pdf" and doc["original_name"] == "催款函.pdf"
    lawyer = factory.user(firm, roles=("partner_admin",))
    got = api_as(lawyer).get(f"/recoveries/{case['id']}/documents/{doc['id']}")
    assert got.status_code == 200 and got.data == PDF and got.headers["X-Content-Type-Options"] == "nosniff"
    outsider = factory.user(factory.org("law_firm"), roles=("partner_admin",))
    assert api_as(outsider).get(f"/recoveries/{case['id']}/documents/{doc['id']}").status_code == 404
    assert api_as(outsider).delete(f"/recoveries/{case['id']}/documents/{doc['id']}").status_code == 404
    other = open_case()
    assert api.get(f"/recoveries/{other['id']}/documents/{doc['id']}").status_code == 404
    assert api_as(lawyer).delete(f"/recoveries/{case['id']}/documents/{doc['id']}").status_code == 204
    assert api.get(f"/recoveries/{case['id']}/documents").get_json() == []
    assert api.get(f"/recoveries/{case['id']}/documents/{doc['id']}").status_code == 404
    assert api.delete(f"/recoveries/{case['id']}/documents/{doc['id']}").status_code == 404
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.entity == "recovery", AuditEntry.entity_id == str(case["id"]))).all()
    assert "document_added" in actions and "document_hidden" in actions


def test_documents_on_the_case_page(client, web_login, legal, open_case):
    import io

    case = open_case()
    web_login(legal)
    page = client.get(f"/subrogation/cases/{case['id']}").get_data(as_text=True)
    assert "暂无材料。" in page
    bad = client.post(f"/subrogation/cases/{case['id']}/documents", data={"file": (io.BytesIO(b"x" * 20), "a.exe")},
                      content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "只接受 PDF、JPEG、PNG 或 WebP 文件。" in bad
    ok = client.post(f"/subrogation/cases/{case['id']}/documents", data={"file": (io.BytesIO(PDF), "和解协议.pdf")},
                     content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "和解协议.pdf" in ok and "材料已上传。" in ok
