"""A supervisor's week with the major cases (大案) in a real browser at 1280 px: the register
shows the demo's major cases with their bands and responsible people; the overdue filter
from the dashboard; the responsible person records arrival on site and the investigation
report (a missing report text keeps what was typed); the weekly summary. axe-core finds
nothing critical or serious on these pages."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.conftest import axe_check, login, screenshot

pytestmark = pytest.mark.e2e


def _overdue_one(live_server) -> tuple[int, str]:
    """Time passes for one demo case: entered 30 hours ago (arrival on site is late)."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.major_cases.models import MajorCase

    with live_server.app.app_context():
        case = db.session.scalars(sa.select(MajorCase).where(MajorCase.band == 1).order_by(MajorCase.id)).first()
        shift = timedelta(hours=30)
        case.opened_at -= shift
        case.on_site_due -= shift
        case.report_due -= shift
        case.status_due -= shift
        responsible = case.responsible.email
        db.session.commit()
        case_id = case.id
        db.session.remove()
    return case_id, responsible


def test_register_overdue_milestones_and_weekly_summary(page, live_server):
    case_id, responsible = _overdue_one(live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "director@demo.example")
    page.goto(live_server.url + "/")
    widget = page.locator("a[href='/major-cases?overdue=1']").first
    assert widget.is_visible()
    widget.click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-testid=major-register] tbody tr")
    assert rows.count() >= 1 and "逾期" in rows.first.inner_text()
    page.goto(live_server.url + "/major-cases")
    text = page.locator("[data-testid=major-register]").inner_text()
    assert "50,000–120,000" in text and "120,000 以上" in text
    screenshot(page, "major-cases-register-zh")
    axe_check(page, "major-cases register")

    # the responsible person works the case
    page.context.clear_cookies()
    login(page, live_server, responsible)
    page.goto(f"{live_server.url}/major-cases/{case_id}")
    assert "逾期" in page.locator("[data-testid=milestones]").inner_text()
    page.select_option("#kind", "on_site")
    page.fill("#at", "2026-01-01T09:00")        # before the accident: refused, the typed time stays
    page.fill("#text", "现场与驾驶人核对事故经过")
    page.click("[data-testid=milestone-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.input_value("#text") == "现场与驾驶人核对事故经过"
    assert page.locator("#at-err").is_visible() and page.input_value("#at") == "2026-01-01T09:00"
    page.fill("#at", "")
    page.click("[data-testid=milestone-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已登记" in page.locator("main").inner_text()
    page.select_option("#kind", "investigation_report")
    page.fill("#text", "调查结论：碰撞痕迹与报案经过一致，无扩大损失。")
    page.click("[data-testid=milestone-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    milestones = page.locator("[data-testid=milestones]").inner_text()
    assert "逾期" not in milestones.split("每周进展")[0]
    assert "调查结论" in page.locator("[data-testid=major-lines]").inner_text()
    axe_check(page, "major case")
    screenshot(page, "major-case-detail-zh")

    page.goto(live_server.url + "/major-cases/weekly")
    assert "大案周报" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=total-cases]").inner_text().strip() != "0"
    axe_check(page, "weekly summary")
    screenshot(page, "major-cases-weekly-zh")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.startswith("major-cases-")
