"""Three roles in a real browser: a supervisor (主管) approves a quote escalated above an
assessor's authority from the overdue view; a specialist repairer (专修厂) quotes the line a
garage routed to it; a garage's partner admin adds a user (field errors first), disables it,
and sees only its own organization's users."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.e2e.conftest import login, logout, screenshot
from tests.images import photo_bytes

pytestmark = pytest.mark.e2e


def _claim(claim_no: str, plate: str, vin: str, assign: list[tuple[str, str]], days_ago: int = 2) -> str:
    """An open, yellow claim made by the claims service and assigned to demo partners
    ``[(partner e-mail, purpose)]``; the caller holds an app context."""
    import sqlalchemy as sa

    from portal.auth.models import User
    from portal.claims import services as claims
    from portal.claims.vin import with_check_digit
    from portal.extensions import db
    from portal.timeutil import utcnow

    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example"))
    accident = utcnow().replace(hour=2, minute=30) - timedelta(days=days_ago)   # 10:30 in Shanghai: not at night
    claim = claims.create_claim({
        "claim_no": claim_no, "policy_no": f"P-{claim_no}", "policy_start": accident.date() - timedelta(days=100),
        "policy_end": accident.date() + timedelta(days=265), "insured_name": "钱七", "plate": plate,
        "vin": with_check_digit(vin), "model": "Volkswagen Lavida", "actual_value": Decimal("150000"),
        "policy_cover": Decimal("200000"), "accident_at": accident, "reported_at": accident + timedelta(minutes=30),
        "region": "上海"}, actor=admin)
    for email, purpose in assign:
        org_id = db.session.scalar(sa.select(User.organization_id).where(User.email == email))
        claims.assign_claim(claim, org_id, purpose, actor=admin)
    return claim_no


def _garage_quote(claim_no: str, lines: list[dict]):
    import sqlalchemy as sa

    from plugins.garages import services
    from portal.auth.models import User
    from portal.extensions import db

    from plugins.garages.demo import damage_photo

    garage = db.session.scalar(sa.select(User).where(User.email == "garage1@demo.example"))
    quote = services.create_quote(claim_no, garage, lines)
    services.add_photo(quote, garage, damage_photo(quote.id), "damage")   # a submission needs its damage photo
    return services.submit_quote(quote, garage)


def test_supervisor_approves_quote_escalated_above_assessor_limit(page, live_server, monkeypatch):
    from plugins.garages.services import quotes
    from portal.extensions import db
    from portal.timeutil import utcnow

    # A ¥32,200 quote (above assessor's ¥20,000, below the ¥50,000 four-eyes threshold),
    # submitted three weeks ago: its review deadline has passed.
    with live_server.app.app_context():
        claim_no = _claim("E2E-ROLES-ESC", "沪C12388", "LFV3B28R0K3051826", [("garage1@demo.example", "repair")],
                          days_ago=25)
        monkeypatch.setattr(quotes, "utcnow", lambda: utcnow() - timedelta(days=21))
        quote = _garage_quote(claim_no, [
            {"kind": "part", "part_no": "5G0941005", "name": "左前大灯总成", "quality": "genuine", "quantity": "2",
             "unit_price": "15800"},
            {"kind": "labor", "name": "拆装大灯", "quantity": "2", "unit_price": "120"},
            {"kind": "paint", "name": "翼子板喷漆", "quantity": "3", "unit_price": "120"}])
        monkeypatch.undo()
        db.session.commit()
        quote_id, status = quote.id, quote.status
        db.session.remove()
    assert status == "submitted"
    quote_url = f"{live_server.url}/garages/quotes/{quote_id}"

    # 1. The assessor (authority ¥20,000) approves: the portal escalates it to a supervisor.
    login(page, live_server, "assessor@demo.example")
    page.goto(live_server.url + "/garages/queue?scope=team")   # the team's tab: assigned to another
    page.click(f"main a[href$='/garages/quotes/{quote_id}']")
    page.wait_for_load_state("networkidle")
    assert "¥20,000.00" in page.locator("main [data-testid=authority]").inner_text()       # the limit, shown by the buttons
    page.click("main button[value=approve]")
    page.wait_for_load_state("networkidle")
    assert "核损结论已记录：已上报主管。" in page.locator("main .alert-success").inner_text()
    assert page.locator("main h1 .status-badge").inner_text() == "已上报主管"
    assert "当前处理岗: 核损主管" in page.locator("main").inner_text()
    decided = page.locator("main").inner_text()   # why, in words: the claim's total above the limit
    assert "超出审批权限，已上报" in decided and "超出权限 ¥20,000.00" in decided and "AUTHORITY_LIMIT" not in decided
    assert page.locator("main button[value=approve]").count() == 0           # not the assessor's desk any more
    screenshot(page, "roles-assessor-escalated-zh")
    page.goto(live_server.url + "/garages/queue")
    assert page.locator(f"main a[href$='/garages/quotes/{quote_id}']").count() == 0
    logout(page, live_server)

    # 2. The supervisor (¥200,000) finds it among the overdue quotes on its desk and approves it.
    login(page, live_server, "supervisor@demo.example")
    page.goto(live_server.url + "/garages/queue")
    page.click("main a[href*='due=overdue']")
    page.wait_for_load_state("networkidle")
    assert "due=overdue" in page.url
    row = page.locator("main tbody tr", has=page.locator(f"a[href$='/garages/quotes/{quote_id}']"))
    assert row.count() == 1
    assert "table-danger" in row.get_attribute("class")
    assert "已上报" in row.inner_text() and "已超时" in row.inner_text() and claim_no in row.inner_text()
    assert "¥32,200.00" in row.inner_text()
    screenshot(page, "roles-supervisor-overdue-queue-zh")
    row.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url == quote_url
    assert "¥200,000.00" in page.locator("main [data-testid=authority]").inner_text()
    page.fill("#comment", "超核损员权限，主管核准")
    page.click("main button[value=approve]")
    page.wait_for_load_state("networkidle")
    assert "核损结论已记录：已核定。" in page.locator("main .alert-success").inner_text()
    assert page.locator("main h1 .status-badge").inner_text() == "已核定"
    assert "已超时" not in page.locator("main h1").inner_text()
    assert "32,200.00" in page.locator("main tfoot").inner_text()
    decisions = page.locator("main ul.list-unstyled.small li")
    assert decisions.count() == 3                                             # submit, escalate, approve
    assert "核损主管 陈静" in decisions.nth(2).inner_text() and "超核损员权限" in decisions.nth(2).inner_text()
    screenshot(page, "roles-supervisor-approved-zh")
    page.goto(live_server.url + "/garages/queue?due=overdue")
    assert page.locator(f"main a[href$='/garages/quotes/{quote_id}']").count() == 0


def test_specialist_repairer_quotes_the_routed_line(page, live_server, tmp_path):
    from portal.extensions import db

    # garage1 quotes a windscreen replacement; the check routes that line to the specialist (外加工).
    with live_server.app.app_context():
        claim_no = _claim("E2E-ROLES-SPEC", "沪D45677", "LSVCJ2B45NM207731",
                          [("garage1@demo.example", "repair"), ("specialist@demo.example", "specialist_repair")])
        garage_quote = _garage_quote(claim_no, [
            {"kind": "part", "part_no": "5G0845011", "name": "前挡风玻璃", "quality": "equivalent", "quantity": "1",
             "unit_price": "1650"}])
        db.session.commit()
        routed = [ln.routed_to_specialist for ln in garage_quote.lines]
        db.session.remove()
    assert routed == [True]

    login(page, live_server, "specialist@demo.example")
    page.goto(live_server.url + "/my/claims")
    row = page.locator("main tbody tr", has_text=claim_no)
    assert row.count() == 1
    assert "外修专修" in row.inner_text()
    screenshot(page, "roles-specialist-claims-zh")

    page.goto(live_server.url + "/garages/quotes")
    assert "本厂定损报价单" in page.locator("main h1").inner_text()
    page.click(f"main a[href$='/garages/claims/{claim_no}/quotes/new']")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#quote-lines-body tr.quote-line")
    assert rows.count() == 2                                # the routed line, pre-filled, and one empty row
    first = rows.nth(0)
    assert first.locator("select.line-kind").input_value() == "repair"
    assert first.locator("input.line-name").input_value() == "前挡风玻璃"
    assert first.locator("input.line-part_no").input_value() == "5G0845011"
    first.locator("input.line-quantity").fill("3")
    first.locator("input.line-unit_price").fill("110")
    first.locator("input[name$='-comment']").fill("树脂修补，免换玻璃")
    rows.nth(1).locator("select.line-kind").select_option("material")
    rows.nth(1).locator("input.line-name").fill("玻璃修复树脂")
    rows.nth(1).locator("input.line-quantity").fill("1")
    rows.nth(1).locator("input.line-unit_price").fill("90")
    assert page.locator("[data-testid=editor-total]").inner_text() == "¥420.00"
    screenshot(page, "roles-specialist-editor-zh")
    page.click("main button[value=save]")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/garages/quotes/\d+/edit$", page.url), page.url
    assert "草稿已保存" in page.locator("main .alert-success").inner_text()
    quote_url = page.url.removesuffix("/edit")
    photo = tmp_path / "glass.jpg"   # a submission needs its damage photo
    photo.write_bytes(photo_bytes(7001))
    page.set_input_files("#photo-file", str(photo))
    page.click("form[data-photo-upload] button[type=submit]")
    page.locator("[data-testid=photo-card]").wait_for()
    page.click("main button[value=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url == quote_url
    assert "报价已提交核损。" in page.locator("main").inner_text()
    assert page.locator("[data-testid=desk]").inner_text().strip() == "核损员"

    page.goto(live_server.url + "/garages/quotes")
    mine = page.locator("main table tbody tr")
    assert mine.count() == 1                                 # its own quote only, not garage1's on the same claim
    assert claim_no in mine.inner_text() and "待核损" in mine.inner_text() and "¥420.00" in mine.inner_text()
    assert "等待保险公司核损" in mine.inner_text()
    screenshot(page, "roles-specialist-submitted-zh")


def test_partner_admin_adds_and_disables_a_user_of_its_own_organization(page, live_server):
    email = "e2e-estimator@demo.example"
    login(page, live_server, "garage1@demo.example")
    page.goto(live_server.url + "/users")
    assert "用户管理" in page.locator("main h1").inner_text()
    users = page.locator("main table tbody tr")
    before = users.count()
    assert before == 2                                       # garage1 and its estimator: no one else's users
    listed = page.locator("main table").inner_text()
    assert "estimator@demo.example" in listed and "garage2@demo.example" not in listed
    assert "admin@demo.example" not in listed and "specialist@demo.example" not in listed
    for i in range(before):
        assert users.nth(i).locator("td").nth(2).inner_text() == "上海浦东永达汽车维修有限公司"
    options = page.locator("#organization_id option")
    assert options.count() == 1 and options.inner_text() == "上海浦东永达汽车维修有限公司"

    # A too-short password: the error stands next to the password field; nothing is added.
    form = page.locator("main form:has(#password)")
    page.fill("#email", email)
    page.fill("#name", "永达 估价员 E2E")
    page.fill("#password", "short7")
    page.select_option("#roles", "partner_user")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "is-invalid" in page.locator("#password").get_attribute("class")
    error = page.locator("#password-err")
    assert error.is_visible()
    assert error.inner_text() == "至少 8 个字符。"    # the service's message, in the page's language
    assert page.locator("div.mb-3:has(> #password) > #password-err").count() == 1     # in the password field's group
    assert page.locator("#email").input_value() == email     # what was typed is kept
    assert users.count() == before
    screenshot(page, "roles-partner-admin-password-error-zh")

    page.fill("#password", "Yongda-Estimator-2026")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "已添加用户。" in page.locator("main .alert-success").inner_text()
    assert users.count() == before + 1
    row = page.locator("main table tbody tr", has_text=email)
    assert row.count() == 1
    assert "机构用户" in row.inner_text() and "上海浦东永达汽车维修有限公司" in row.inner_text()

    # Disable the new user: the row greys out and offers 启用; the user can no longer log in.
    assert row.locator("button").inner_text().strip() == "停用"
    row.locator("button").click()
    page.wait_for_load_state("networkidle")
    row = page.locator("main table tbody tr", has_text=email)
    assert "text-body-secondary" in row.get_attribute("class")
    assert row.locator("button").inner_text().strip() == "启用"
    assert users.count() == before + 1
    screenshot(page, "roles-partner-admin-users-zh")
    logout(page, live_server)
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "Yongda-Estimator-2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" in page.url
    assert "邮箱或密码不正确。" in page.locator("main").inner_text()
