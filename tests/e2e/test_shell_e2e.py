"""The web shell in a real browser: login, language switch, admin pages, logout."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_login_dashboard_language_and_logout(page, live_server):
    page.goto(live_server.url + "/")
    assert "/login" in page.url
    assert page.locator("h1").inner_text() == "登录"
    screenshot(page, "shell-login-zh")
    page.fill("input[name=email]", "admin@demo.example")
    page.fill("input[name=password]", "wrong-password")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-danger").is_visible()
    login(page, live_server, "admin@demo.example")
    assert page.locator("nav").get_by_text("仪表板").count() >= 1
    screenshot(page, "shell-dashboard-zh")
    page.click("form.lang-switch button")
    page.wait_for_load_state("networkidle")
    assert page.locator("nav").get_by_text("Dashboard").count() >= 1
    page.goto(live_server.url + "/admin/organizations")
    assert page.locator("table tbody tr").count() >= 8
    screenshot(page, "shell-organizations-en")
    page.goto(live_server.url + "/users")
    screenshot(page, "shell-users-en")
    cookies = page.context.cookies()
    page.locator("nav .dropdown-toggle").last.click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")
    assert "/login" in page.url
    # The old cookie is dead: replaying it does not log in again.
    page.context.add_cookies(cookies)
    page.goto(live_server.url + "/")
    assert "/login" in page.url


def test_form_errors_are_shown_on_fields(page, live_server):
    login(page, live_server, "admin@demo.example")
    page.goto(live_server.url + "/admin/organizations")
    page.fill("input[name=name]", "测试修理厂")
    page.fill("input[name=uscc]", "91310000MA1FL00001")
    page.fill("input[name=region]", "上海")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#uscc.is-invalid").count() == 1
    assert page.locator(".invalid-feedback").first.is_visible()
    screenshot(page, "shell-org-form-error")
