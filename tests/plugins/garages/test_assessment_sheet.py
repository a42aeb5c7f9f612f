"""The printable assessment sheet (定损单, SPEC §3a part 6): a real PDF with Chinese fonts.
Staff download it by API and page at any time; the garage once the quote is approved (409
before, by API; a message on the page); another garage or a salvage vendor never (404)."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from .conftest import create, line, make_claim, part


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names


@pytest.fixture
def approved(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(name="前保险杠皮", price="800.00"),
                                    line("labor", "钣金工时", "2", "120.00")], submit=True)
    staff = api_as(people.assessor)
    r = staff.post(f"/quotes/{q['id']}/decisions", json={
        "action": "approve", "version": q["version"],
        "lines": [{"id": q["lines"][0]["id"], "approved_unit_price": "700.00", "reason": "PRICE_HIGH"}]})
    assert r.status_code == 200 and r.get_json()["status"] == "approved", r.get_json()
    return claim, r.get_json()


def test_staff_download_the_sheet_by_api_with_chinese_text(people, api_as, approved):
    claim, q = approved
    r = api_as(people.supervisor).get(f"/quotes/{q['id']}/sheet.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert "filename*=UTF-8''%E5%AE%9A%E6%8D%9F%E5%8D%95-" in r.headers["Content-Disposition"]
    text = _text(r.data)
    assert claim.claim_no in text and "前保险杠皮" in text and "钣金工时" in text
    assert "机动车辆保险定损单" in text and "永达修理厂" in text
    assert "940.00" in text and "1,040.00" in text and "100.00" in text     # approved, quoted, reduction
    assert people.assessor.name in text
    assert any("Noto" in f or "CJK" in f for f in _fonts(r.data)), _fonts(r.data)


def test_the_garage_once_approved_and_nobody_else(people, api_as, garage_api, approved):
    _claim, q = approved
    assert garage_api.get(f"/quotes/{q['id']}/sheet.pdf").status_code == 200
    assert api_as(people.other_user).get(f"/quotes/{q['id']}/sheet.pdf").status_code == 404
    assert api_as(people.supplier_user).get(f"/quotes/{q['id']}/sheet.pdf").status_code == 404
    pending = create(garage_api, make_claim(people.garage, color="yellow"), [part()], submit=True)
    r = garage_api.get(f"/quotes/{pending['id']}/sheet.pdf")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"
    staff = api_as(people.assessor).get(f"/quotes/{pending['id']}/sheet.pdf")     # staff: a marked draft
    assert staff.status_code == 200 and "尚未核定" in _text(staff.data)


def test_pages_link_and_serve_the_sheet(people, client, web_login, garage_api, approved):
    claim, q = approved
    web_login(people.assessor)
    html = client.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert 'data-testid="sheet-link"' in html and "打印定损单" in html
    r = client.get(f"/garages/quotes/{q['id']}/sheet.pdf")
    assert r.status_code == 200 and claim.claim_no in _text(r.data)
    client.post("/logout")
    web_login(people.garage_user)
    assert 'data-testid="sheet-link"' in client.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert client.get(f"/garages/quotes/{q['id']}/sheet.pdf").status_code == 200
    pending = create(garage_api, make_claim(people.garage, color="yellow"), [part()], submit=True)
    assert 'data-testid="sheet-link"' not in client.get(f"/garages/quotes/{pending['id']}").get_data(as_text=True)
    r = client.get(f"/garages/quotes/{pending['id']}/sheet.pdf")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/garages/quotes/{pending['id']}")
