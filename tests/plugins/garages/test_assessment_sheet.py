"""The printable assessment sheet (定损单, docs/review-controls.md): a real PDF with Chinese fonts.
Staff download it by API and page at any time; the garage once the quote is approved (409
before, by API; a message on the page); another garage or a salvage vendor never (404).
Without WeasyPrint (or the Pango it needs) these tests fail: they never skip."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from .conftest import create, line, make_claim, part
from .test_pages import As


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


def _sheet(response) -> str:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    return _text(response.data)


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


def test_weasyprint_is_installed():
    """The sheet is made by WeasyPrint with the system's Pango: missing, this fails (no skip)."""
    import weasyprint

    assert weasyprint.HTML(string="<p>定损单</p>", base_url=None).write_pdf().startswith(b"%PDF")


def test_staff_download_the_sheet_by_api_with_chinese_text(people, api_as, approved):
    import sqlalchemy as sa

    from plugins.garages.models import Decision
    from portal.extensions import db
    from portal.timeutil import LOCAL_TZ

    claim, q = approved
    r = api_as(people.supervisor).get(f"/quotes/{q['id']}/sheet.pdf")
    text = _sheet(r)
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="assessment-sheet-{claim.claim_no}-{q["id"]}.pdf"' in disposition     # the ASCII fallback
    assert f"filename*=UTF-8''%E5%AE%9A%E6%8D%9F%E5%8D%95-{claim.claim_no}-{q['id']}.pdf" in disposition
    assert claim.claim_no in text and "前保险杠皮" in text and "钣金工时" in text
    assert "机动车辆保险定损单" in text and "永达修理厂" in text and "沪A12345" in text and claim.vin in text
    assert "¥700.00" in text                                                   # the approved unit price
    assert "¥940.00" in text and "¥1,040.00" in text and "¥100.00" in text     # approved, quoted, reduction
    assert people.assessor.name in text and "2026.1" in text                    # who decided, under which rules
    decision = db.session.scalars(sa.select(Decision).where(Decision.quote_id == q["id"],
                                                             Decision.to_status == "approved")).one()
    assert decision.at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") in text   # Beijing time
    assert any("Noto" in f or "CJK" in f for f in _fonts(r.data)), _fonts(r.data)


def test_any_insurer_role_may_download(people, factory, api_as, approved):
    _claim, q = approved
    for role in ("pricing", "legal", "admin"):
        assert api_as(factory.user(roles=(role,))).get(f"/quotes/{q['id']}/sheet.pdf").status_code == 200, role


def test_the_garage_once_approved_and_nobody_else(people, factory, api_as, garage_api, approved):
    _claim, q = approved
    text = _sheet(garage_api.get(f"/quotes/{q['id']}/sheet.pdf"))
    assert "前保险杠皮" in text and "¥940.00" in text
    assert people.assessor.name not in text and "保险公司核损岗" in text   # the insurer's people by role
    salvage_user = factory.user(factory.org("salvage_vendor", grade="A"), roles=("partner_user",))
    for outsider in (people.other_user, people.supplier_user, salvage_user):
        r = api_as(outsider).get(f"/quotes/{q['id']}/sheet.pdf")
        assert r.status_code == 404, (outsider.organization.kind, r.status_code)
    assert garage_api.get("/quotes/999999/sheet.pdf").status_code == 404
    pending = create(garage_api, make_claim(people.garage, color="yellow"), [part()], submit=True)
    r = garage_api.get(f"/quotes/{pending['id']}/sheet.pdf")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"
    staff = api_as(people.assessor).get(f"/quotes/{pending['id']}/sheet.pdf")     # staff: marked, not a decision
    assert "尚未核定" in _sheet(staff)


def test_the_garage_reads_reviewer_names_when_the_rules_say_so(app, people, garage_api, approved):
    _claim, q = approved
    app.config["GARAGES_RULES"] = {"show_reviewer_names_to_partners": True}
    try:
        assert people.assessor.name in _sheet(garage_api.get(f"/quotes/{q['id']}/sheet.pdf"))
    finally:
        app.config.pop("GARAGES_RULES")


def test_a_fast_tracked_quote_says_the_system_decided(people, garage_api, catalog):
    q = create(garage_api, make_claim(people.garage, color="blue"), [part(price="800")], submit=True)
    assert q["status"] == "approved" and q["fast_tracked"] is True
    text = _sheet(garage_api.get(f"/quotes/{q['id']}/sheet.pdf"))
    assert "系统自动" in text and "¥800.00" in text


def test_pages_link_and_serve_the_sheet(app, people, factory, garage_api, approved):
    claim, q = approved
    staff = As(app, people.assessor)
    html = staff.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert 'data-testid="sheet-link"' in html and "打印定损单" in html
    assert f"/garages/quotes/{q['id']}/sheet.pdf" in html
    text = _sheet(staff.get(f"/garages/quotes/{q['id']}/sheet.pdf"))
    assert claim.claim_no in text and "前保险杠皮" in text and "¥940.00" in text

    garage = As(app, people.garage_user)
    assert 'data-testid="sheet-link"' in garage.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert claim.claim_no in _sheet(garage.get(f"/garages/quotes/{q['id']}/sheet.pdf"))
    pending = create(garage_api, make_claim(people.garage, color="yellow"), [part()], submit=True)
    assert 'data-testid="sheet-link"' not in garage.get(f"/garages/quotes/{pending['id']}").get_data(as_text=True)
    r = garage.get(f"/garages/quotes/{pending['id']}/sheet.pdf")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/garages/quotes/{pending['id']}")
    assert "报价单核定后方可出具定损单" in garage.get(r.headers["Location"]).get_data(as_text=True)

    salvage_user = factory.user(factory.org("salvage_vendor", grade="A"), roles=("partner_user",))
    for outsider in (people.other_user, salvage_user):
        assert As(app, outsider).get(f"/garages/quotes/{q['id']}/sheet.pdf").status_code == 404


def test_the_api_documents_a_pdf_answer(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/quotes/{quote_id}/sheet.pdf"]["get"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
