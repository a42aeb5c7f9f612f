"""End-to-end fixtures: the real app served on loopback, driven by headless Chromium.

``live_server`` serves a fresh database (schema + demo data) from a thread; ``page`` is a
Playwright page in Debian's Chromium (``/usr/bin/chromium`` or ``PORTAL_CHROMIUM``), never
a downloaded browser. Without Chromium the tests skip, unless ``PORTAL_E2E_REQUIRED=1``
(CI), where that is a failure. Screenshots go to ``artifacts/screenshots/``.
"""
from __future__ import annotations

import os
import shutil
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ROOT, base_config, fresh_database_url

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DEMO_PASSWORD = "demo-portal-2026"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("PORTAL_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class LiveServer:
    def __init__(self, app, server, thread):
        self.app = app
        self.server = server
        self.thread = thread
        self.url = f"http://127.0.0.1:{server.server_port}"

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A real server on a fresh database with the demo data, for one test module."""
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.demo import load_demo
    from portal.extensions import db

    tmp = tmp_path_factory.mktemp("e2e")
    app = create_app(base_config(fresh_database_url(tmp, "e2e"), tmp, WTF_CSRF_ENABLED=True, TESTING=False,
                                 PROPAGATE_UNEXPECTED=False))
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live = LiveServer(app, server, thread)
    yield live
    live.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("PORTAL_E2E_REQUIRED") == "1":
            pytest.fail("Chromium is required for the browser tests (PORTAL_E2E_REQUIRED=1) but was not found")
        pytest.skip("Chromium not installed: browser tests skipped (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    """Keep a PNG of what the user saw (CI keeps artifacts/screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_check(page, name: str) -> list:
    """axe-core (bundled with axe-playwright-python, served from the test process: no network)
    finds nothing critical or serious on the page; returns the lesser findings."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = results.response.get("violations", [])
    bad = [f"{v['id']} ({v['impact']}): {v['help']} — "
           + " | ".join(f"{n['target']}: {n.get('failureSummary', '')}" for n in v["nodes"][:4])
           for v in found if v.get("impact") in ("critical", "serious")]
    assert bad == [], f"{name}: " + "; ".join(bad)
    return [v["id"] for v in found]


def login(page, live_server, email: str, password: str = DEMO_PASSWORD):
    page.goto(live_server.url + "/login")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():   # the answer to the POST, not the login page still shown (a busy machine)
        page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/login" in page.url:
        shown = page.locator("main").inner_text() if page.locator("main").count() else page.content()[:500]
        raise AssertionError(f"login failed for {email}: {shown[:400]}")


def logout(page, live_server):
    """Forget the session. The page is left first: a request of the old page still in flight
    would otherwise bring its session cookie back after the clearing (seen as a login page
    answering "The CSRF tokens do not match")."""
    page.goto("about:blank")
    page.context.clear_cookies()


def assigned_claim(live_server, claim_no: str, *, garage: str = "garage1@demo.example", plate: str = "沪D12345",
                   vin: str | None = None, model: str = "Volkswagen Passat", insured: str = "赵六",
                   actual_value: Decimal | None = Decimal("150000"), days_ago: int = 2) -> str:
    """A yellow claim (no fast track) assigned for repair to ``garage``'s workshop, made straight
    in the database of ``live_server``; made once: a second call with the same number returns it."""
    import sqlalchemy as sa

    from portal.auth.models import User
    from portal.claims.models import Assignment, Claim
    from portal.extensions import db
    from portal.timeutil import utcnow

    with live_server.app.app_context():
        if db.session.scalar(sa.select(Claim.id).where(Claim.claim_no == claim_no)) is None:
            garage_org = db.session.scalar(sa.select(User.organization_id).where(User.email == garage))
            at = utcnow() - timedelta(days=days_ago)
            claim = Claim(claim_no=claim_no, policy_no=f"P-{claim_no}", policy_start=utcnow().date() - timedelta(days=100),
                          policy_end=utcnow().date() + timedelta(days=265), insured_name=insured, plate=plate,
                          vin=vin or f"LFV2A21K9E41{sum(claim_no.encode()) % 100000:05d}", model=model,
                          actual_value=actual_value, accident_at=at, reported_at=at, region="上海", flags={},
                          risk_color="yellow", risk_reasons=[])
            db.session.add(claim)
            db.session.flush()
            db.session.add(Assignment(claim_id=claim.id, organization_id=garage_org, purpose="repair"))
            db.session.commit()
        db.session.remove()
    return claim_no
