"""The garage's whole journey on a phone, the review screen on a tablet, the staff navigation
on a laptop (issue 21, item 7). Estimators work from a phone beside the car (390 × 844): no
page scrolls sideways and every control is a touch target of at least 44 px. An assessor
reviews on a tablet (768 px); staff work at 1280 px and below, where the navigation must fit
or fold, never cut an item off."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.conftest import assigned_claim, axe_check, login, screenshot
from tests.e2e.test_garages_e2e import _assigned_claim, _fill_line

pytestmark = pytest.mark.e2e

TARGETS = ("button, a.btn, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, "
           ".navbar-toggler")

# every control of the page that is smaller than a finger, as "tag.text (w×h)"
SMALL_TARGETS = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter(el => { const r = el.getBoundingClientRect();
                 return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
                        && !el.closest('.collapse:not(.show), .dropdown-menu:not(.show), template'); })
  // a visually hidden file input is reached through its label, which must be the big target
  .map(el => el.classList.contains('visually-hidden') && el.id ? document.querySelector(`label[for="${el.id}"]`) || el : el)
  .filter(el => { const r = el.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
  .map(el => { const r = el.getBoundingClientRect();
               return `${el.tagName.toLowerCase()}.${(el.name || el.textContent || '').trim().slice(0, 20)} `
                      + `(${Math.round(r.width)}×${Math.round(r.height)})`; })"""

# the elements that stick out past the right edge of the viewport
OVERFLOWING = """() => Array.from(document.querySelectorAll('body *'))
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(el => !el.closest('.collapse:not(.show), .dropdown-menu:not(.show), template, .visually-hidden'))
  .slice(0, 6).map(el => el.tagName.toLowerCase() + '.' + el.className)"""


# boxes that scroll sideways inside the page (a wide table in .table-responsive)
SCROLLING_INSIDE = """() => Array.from(document.querySelectorAll('main *'))
  .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
  .map(el => el.tagName.toLowerCase() + '.' + el.className + ' ' + el.scrollWidth + '>' + el.clientWidth)"""


def _fits(page, width: int, name: str, inside: bool = True) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: the page scrolls sideways ({scroll} px > {width}): {page.evaluate(OVERFLOWING)}"
    if inside:
        boxes = page.evaluate(SCROLLING_INSIDE)
        assert boxes == [], f"{name}: part of the page scrolls sideways: {boxes}"


def _touchable(page, name: str) -> None:
    small = page.evaluate(SMALL_TARGETS, TARGETS)
    assert small == [], f"{name}: touch targets under 44 px: {small[:8]}"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def _at(browser, width, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    return context, pg


def test_a_garage_does_its_whole_journey_on_a_phone(phone, live_server):
    claim_no = _assigned_claim(live_server)
    page = phone
    page.goto(live_server.url + "/login")
    _fits(page, 390, "phone-login")
    _touchable(page, "login")
    login(page, live_server, "garage1@demo.example")
    _fits(page, 390, "phone-dashboard")
    _touchable(page, "dashboard")

    page.goto(f"{live_server.url}/my/claims")
    _fits(page, 390, "phone-claims")
    _touchable(page, "claim list")
    page.goto(f"{live_server.url}/claims/{claim_no}")
    _fits(page, 390, "phone-claim")
    _touchable(page, "claim page")

    page.goto(f"{live_server.url}/garages/claims/{claim_no}/quotes/new")
    _fits(page, 390, "phone-editor-new")
    _touchable(page, "new quote editor")
    rows = page.locator("#quote-lines-body .quote-line")
    _fill_line(rows.nth(0), "part", "前保险杠皮", "1", "3200", part_no="1K0807221", quality="genuine")
    _fill_line(rows.nth(1), "labor", "拆装", "1.5", "120")
    # each line is a card: kind, name, quantity, price and amount side by side with their labels
    card = rows.nth(0)
    box = card.bounding_box()
    assert box["width"] <= 390 and card.locator(".line-amount").inner_text().strip().startswith("¥"), box
    axe_check(page, "phone-editor-new")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state("networkidle")
    assert "/edit" in page.url, page.url
    _fits(page, 390, "phone-editor-draft")
    _touchable(page, "draft editor")
    # the photo card offers the camera on a phone
    assert page.locator("input[type=file][capture=environment]").count() >= 1
    page.click("button[name=action][value=save]")
    page.wait_for_load_state("networkidle")

    quote_url = page.url.replace("/edit", "")
    page.goto(quote_url)
    _fits(page, 390, "phone-quote")
    _touchable(page, "quote page")
    axe_check(page, "phone-quote")
    page.goto(f"{live_server.url}/garages/quotes")
    _fits(page, 390, "phone-my-quotes")
    _touchable(page, "my quotes")
    # every decision the garage reads (the demo's approved, returned, in-review quotes) fits too
    links = sorted({a.get_attribute("href") for a in page.locator("main a[href*='/garages/quotes/']").all()
                    if a.get_attribute("href").rstrip("/").split("/")[-1].isdigit()})
    assert len(links) >= 3, links
    for n, href in enumerate(links[:6]):
        page.goto(live_server.url + href)
        _fits(page, 390, f"phone-decision-{n}")
        _touchable(page, f"quote {href}")
    page.goto(f"{live_server.url}/notifications")
    _fits(page, 390, "phone-notifications")


def test_the_review_screen_works_on_a_tablet(browser, live_server):
    context, page = _at(browser, 768, 1024)
    try:
        login(page, live_server, "assessor@demo.example")
        page.goto(f"{live_server.url}/garages/queue?scope=team")
        _fits(page, 768, "tablet-queue")
        first = page.locator("a[href*='/garages/quotes/']").first
        first.click()
        page.wait_for_load_state("networkidle")
        _fits(page, 768, "tablet-review")
        axe_check(page, "tablet-review")
        # a rule's suggested price, taken with one tap, brings its reason (price too high) with it
        use = page.locator("a[data-fill-reason]").first
        target = use.get_attribute("data-fill-target")
        reason = page.locator("#" + use.get_attribute("data-fill-reason-target"))
        assert reason.input_value() == ""
        use.click()
        assert page.locator("#" + target).input_value() == use.get_attribute("data-fill-value")
        assert reason.input_value() == "PRICE_HIGH"
        # the decision is in reach without scrolling the table sideways
        for button in page.locator("button[name=action]").all():
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 768, box
    finally:
        context.close()


@pytest.mark.parametrize("email", ["admin@demo.example", "supervisor@demo.example"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1440, 1366, 1280, 1200, 1100, 992, 800])
def test_the_staff_navigation_fits_or_folds(browser, live_server, width, lang, email):
    """D-11: the admin's and the supervisor's bars, in both languages, at laptop widths."""
    context, page = _at(browser, width)
    try:
        login(page, live_server, email)
        if page.locator("html").get_attribute("lang") != {"zh": "zh-CN", "en": "en"}[lang]:
            page.click("form.lang-switch button")   # the choice is kept per user
            page.wait_for_load_state("networkidle")
        _fits(page, width, f"staff-nav-{email.split('@')[0]}-{lang}-{width}")
        nav = page.locator("nav.portal-navbar")
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():   # folded: the menu opens and every item is in it
            toggler.click()
            page.wait_for_timeout(400)
        items = nav.locator("#mainnav > ul.me-auto > li:not(.nav-more)")
        assert items.count() >= 5
        folded_into = page.locator(".nav-more .dropdown-menu").text_content()
        for li in items.all():
            label = li.locator(":scope > a").text_content().strip()
            if li.is_visible():   # on the bar (or in the opened menu): all of it in view
                box = li.locator(":scope > a").bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box, width)
            else:                 # folded into "More", never lost
                assert label in folded_into, (label, folded_into)
        if page.locator(".nav-more").is_visible():
            box = page.locator(".nav-more > a").bounding_box()
            assert box["x"] + box["width"] <= width, box
            page.locator(".nav-more > a").click()
            assert page.locator(".nav-more .dropdown-item").first.is_visible()
        # one bar, never two rows of items fighting the brand and the language switch
        if not toggler.is_visible():
            assert nav.bounding_box()["height"] <= 72, nav.bounding_box()
    finally:
        context.close()


def test_leaving_a_changed_quote_asks_first_and_a_saved_one_does_not(page, live_server):
    """Nothing typed is lost by a stray tap on a link: the browser asks before leaving a changed
    editor and stays when told to; sending the form, or leaving an untouched page, asks nothing."""
    claim_no = assigned_claim(live_server, "E2E-DEVICES-LEAVE", plate="沪C77799", vin="LFV2A21K9E4654321",
                              model="Volkswagen Sagitar", actual_value=Decimal("120000"), days_ago=1)
    login(page, live_server, "garage1@demo.example")
    page.goto(f"{live_server.url}/garages/claims/{claim_no}/quotes/new")
    page.wait_for_load_state("networkidle")
    assert page.locator("form[data-unsaved-warning=on]").count() == 1
    asked, stay = [], [True]

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss() if stay[0] else dialog.accept()

    page.on("dialog", answer)
    page.wait_for_timeout(300)
    page.locator("nav a.navbar-brand").click()   # untouched: leaves without a question
    page.wait_for_load_state("networkidle")
    assert asked == [] and "/quotes/new" not in page.url
    page.go_back()
    page.wait_for_load_state("networkidle")
    rows = page.locator("#quote-lines-body .quote-line")
    _fill_line(rows.nth(0), "labor", "拆装前保险杠", "1", "100")
    page.locator("nav a.navbar-brand").click()
    page.wait_for_timeout(800)
    assert asked == ["beforeunload"] and "/quotes/new" in page.url
    assert rows.nth(0).locator("input.line-name").input_value() == "拆装前保险杠"
    page.click("button[name=action][value=save]")   # sending the form asks nothing
    page.wait_for_load_state("networkidle")
    assert asked == ["beforeunload"] and "/edit" in page.url, page.url
