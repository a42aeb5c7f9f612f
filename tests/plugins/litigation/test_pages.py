"""Pages of litigation: lawsuits by stage, detail with hearings and costs, complaints, figures."""
from __future__ import annotations

import io


def test_law_firm_records_a_hearing_and_its_result(client, factory, firm, new_suit, web_login):
    suit = new_suit(counsel_organization_id=firm.id)
    other = new_suit()
    web_login(factory.user(firm))
    assert client.get(f"/litigation/lawsuits/{other['id']}").status_code == 404
    r = client.post(f"/litigation/lawsuits/{suit['id']}/hearings", data={"scheduled_at": "bad"})
    assert r.status_code == 422
    r = client.post(f"/litigation/lawsuits/{suit['id']}/hearings",
                    data={"scheduled_at": "2025-02-03T09:30", "court_room": "第七法庭"})
    assert r.status_code == 302
    page = client.get(f"/litigation/lawsuits/{suit['id']}").get_data(as_text=True)
    assert "第七法庭" in page and "2025-02-03 09:30" in page
    from plugins.litigation.models import Hearing
    from portal.extensions import db

    hid = db.session.query(Hearing.id).scalar()
    assert client.post(f"/litigation/lawsuits/{suit['id']}/hearings/{hid}/result",
                       data={"result": "调解未果"}).status_code == 302
    assert "调解未果" in client.get(f"/litigation/lawsuits/{suit['id']}").get_data(as_text=True)
    listed = client.get("/litigation/lawsuits").get_data(as_text=True)
    assert f"#{suit['id']}" in listed and f"#{other['id']}<" not in listed


def test_staff_pages_render_and_export(client, legal, new_suit, web_login, make_claim):
    from openpyxl import load_workbook

    new_suit(amount_in_dispute="600000")
    web_login(legal)
    r = client.post("/litigation/lawsuits/new", data={"court": "", "cause": "x", "role": "plaintiff",
                                                      "amount_in_dispute": "1", "stage": "filed",
                                                      "counsel": f"u{legal.id}"})
    assert r.status_code == 422
    r = client.post("/litigation/lawsuits/new", data={"court": "上海市第一中级人民法院", "cause": "追偿", "role": "plaintiff",
                                                      "amount_in_dispute": "100", "stage": "filed",
                                                      "counsel": f"u{legal.id}", "claim_no": make_claim().claim_no})
    assert r.status_code == 302
    page = client.get("/litigation/lawsuits?stage=filed").get_data(as_text=True)
    assert "上海市第一中级人民法院" in page and "诉讼案件" in page and "已立案" in page
    ws = load_workbook(io.BytesIO(client.get("/litigation/lawsuits.xlsx").data)).active
    assert [c.value for c in ws[1]][:4] == ["案件编号", "赔案号", "追偿案件", "法院"]
    assert client.get("/litigation/figures").status_code == 200
    r = client.post("/litigation/complaints", data={"kind": "dispute", "complainant": "王女士", "description": "",
                                                    "against_organization_id": ""})
    assert r.status_code == 422
    r = client.post("/litigation/complaints", data={"kind": "dispute", "complainant": "王女士",
                                                    "description": "对定损金额有异议", "against_organization_id": ""})
    assert r.status_code == 302
    url = r.headers["Location"]
    assert client.post(url, data={"action": "assign", "assignee_user_id": str(legal.id)}).status_code == 302
    assert client.post(url, data={"action": "answer", "text": "已重新核定"}).status_code == 302
    assert "已重新核定" in client.get(url).get_data(as_text=True)
    assert "王女士" in client.get("/litigation/complaints").get_data(as_text=True)
    assert client.get("/litigation/complaints.xlsx").status_code == 200
    assert client.get("/").status_code == 200
