"""Pages of subrogation: list with flags and counts, new case form errors, detail with
receipts, handler change, ledger with targets, XLSX export, law-firm isolation."""
from __future__ import annotations

import io
from datetime import timedelta

from portal.timeutil import local_now


def test_legal_staff_open_a_case_assign_a_firm_and_the_firm_books_a_receipt(app, client, factory, legal, firm,
                                                                           make_claim, web_login):
    claim = make_claim()
    web_login(legal)
    r = client.post("/subrogation/cases/new", data={"claim_no": claim.claim_no, "amount_paid": "5000",
                                                    "amount_sought": "9000", "counterparty_name": "李四",
                                                    "limitation_starts_on": "2025-01-01", "handler": f"u{legal.id}"})
    assert r.status_code == 422 and "不能超过已赔付金额。" in r.get_data(as_text=True)   # in the reader's language (D-10)
    r = client.post("/subrogation/cases/new", data={"claim_no": claim.claim_no, "amount_paid": "5000",
                                                    "amount_sought": "5000", "counterparty_name": "李四",
                                                    "limitation_starts_on": "2024-02-29", "handler": f"u{legal.id}"})
    assert r.status_code == 302
    url = r.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "2027-02-28" in page and "李四" in page
    case_id = int(url.rstrip("/").split("/")[-1])
    r = client.post(f"/subrogation/cases/{case_id}/handler", data={"handler": f"o{firm.id}"})
    assert r.status_code == 302
    client.post("/logout")
    lawyer = factory.user(firm)
    web_login(lawyer)
    assert client.get("/subrogation/cases").status_code == 200
    r = client.post(f"/subrogation/cases/{case_id}/receipts", data={"amount": "99999", "received_on": "2025-01-02",
                                                                    "method": "bank_transfer"})
    assert r.status_code == 422
    r = client.post(f"/subrogation/cases/{case_id}/receipts", data={"amount": "1200", "received_on": "2025-01-02",
                                                                    "method": "bank_transfer"})
    assert r.status_code == 302
    page = client.get(f"/subrogation/cases/{case_id}").get_data(as_text=True)
    assert "¥1,200.00" in page and "¥3,800.00" in page
    assert client.get("/subrogation/ledger").status_code == 404


def test_list_ledger_and_exports_render(client, legal, open_case, web_login, firm):
    from openpyxl import load_workbook

    from plugins.subrogation.services import add_years

    open_case(limitation_starts_on=(add_years(local_now().date(), -3) + timedelta(days=5)).isoformat(),
              counterparty={"name": "顺丰物流"})
    open_case(handler_organization_id=firm.id)
    web_login(legal)
    page = client.get("/subrogation/cases?flagged=1").get_data(as_text=True)
    assert "顺丰物流" in page and "⚑" in page
    assert client.get("/subrogation/cases?period=2025-Q9").status_code == 200
    r = client.post("/subrogation/ledger", data={"period": "2025-13", "amount": "100"})
    assert r.status_code == 422
    r = client.post("/subrogation/ledger", data={"period": f"{local_now():%Y-%m}", "amount": "10000"})
    assert r.status_code == 302
    page = client.get("/subrogation/ledger").get_data(as_text=True)
    assert "<svg" in page and "¥16,000.00" in page and "追偿台帐" in page   # Chinese by default
    wb = load_workbook(io.BytesIO(client.get("/subrogation/ledger.xlsx").data))
    assert "顺丰物流" in [c.value for row in wb.active.iter_rows() for c in row]
    assert client.get("/").status_code == 200


def test_other_partners_get_404(client, factory, open_case, web_login):
    case = open_case()
    web_login(factory.user(factory.org("garage")))
    assert client.get("/subrogation/cases").status_code == 404
    assert client.get(f"/subrogation/cases/{case['id']}").status_code == 404
