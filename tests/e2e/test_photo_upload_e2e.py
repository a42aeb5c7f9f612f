"""Photos uploaded in place (issue 21, items 1 and 3; UX review D-1, D-13): a garage types answers
and changes a price in its quote's editor, uploads two photos at once, and finds everything it
typed still there, with the two thumbnails in the gallery — at 1366 px and on a 390 px phone."""
from __future__ import annotations

import io
import re

import pytest

from tests.e2e.conftest import assigned_claim, login, screenshot
from tests.images import photo_bytes

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_photos_upload_in_place_and_nothing_typed_is_lost(page, live_server, tmp_path, width, height):
    page.set_viewport_size({"width": width, "height": height})
    claim_no = assigned_claim(live_server, f"E2E-PHOTO-{width}", plate="沪D20261", days_ago=1)
    login(page, live_server, "garage1@demo.example")
    page.goto(live_server.url + f"/garages/claims/{claim_no}/quotes/new")
    rows = page.locator("#quote-lines-body tr.quote-line")
    first, second = rows.nth(0), rows.nth(1)
    first.locator("select.line-kind").select_option("part")
    first.locator("input.line-part_no").fill("1K0807221")
    first.locator("input.line-name").fill("前保险杠皮")
    first.locator("select.line-quality").select_option("genuine")
    first.locator("input.line-quantity").fill("1")
    first.locator("input.line-unit_price").fill("1200")
    second.locator("select.line-kind").select_option("labor")
    second.locator("input.line-name").fill("拆装前保险杠")
    second.locator("input.line-quantity").fill("2")
    second.locator("input.line-unit_price").fill("120")
    page.click("main button[value=save]")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/garages/quotes/\d+/edit$", page.url), page.url
    editor_url = page.url

    # typed, not saved: a changed price and a comment on each line
    rows = page.locator("#quote-lines-body tr.quote-line")
    rows.nth(0).locator("input.line-unit_price").fill("1150")
    rows.nth(0).locator("input[name$='-comment']").fill("保险杠左侧撕裂，需更换")
    rows.nth(1).locator("input[name$='-comment']").fill("按协议工时")

    files = []
    for n, seed in enumerate((501, 502)):
        path = tmp_path / f"damage-{n}.jpg"
        path.write_bytes(photo_bytes(seed, taken_at="2026:12:01 10:00:00"))
        files.append(str(path))
    camera = page.locator("#photo-camera")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    assert page.locator("#photo-file").get_attribute("multiple") is not None
    page.set_input_files("#photo-file", files)
    page.click("form[data-photo-upload] button[type=submit]")
    page.locator("[data-testid=photo-card]").nth(1).wait_for()
    page.locator("[data-photo-progress] .text-success").nth(1).wait_for()

    # the page was not reloaded: everything typed is still there
    assert page.url == editor_url
    rows = page.locator("#quote-lines-body tr.quote-line")
    assert rows.nth(0).locator("input.line-unit_price").input_value() == "1150"
    assert rows.nth(0).locator("input[name$='-comment']").input_value() == "保险杠左侧撕裂，需更换"
    assert rows.nth(1).locator("input[name$='-comment']").input_value() == "按协议工时"
    # per-file progress, both done; both thumbnails loaded, with their alt text
    assert page.locator("[data-photo-progress] li").count() == 2
    assert page.locator("[data-photo-progress] .text-success").count() == 2
    thumbs = page.locator("[data-testid=photo-card] img")
    assert thumbs.count() == 2
    for i in range(2):
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", thumbs.nth(i).element_handle())
        assert "损失照片" in thumbs.nth(i).get_attribute("alt")
    page.locator("#photos").scroll_into_view_if_needed()
    screenshot(page, f"garages-photos-in-place-{width}")

    # the large view opens in a dialog
    thumbs.nth(0).click()
    dialog = page.locator("dialog.photo-dialog")
    assert dialog.is_visible()
    page.wait_for_function("() => { const img = document.querySelector('dialog.photo-dialog img'); return img && img.complete && img.naturalWidth > 0; }")
    assert page.evaluate("() => document.querySelector('dialog.photo-dialog img').naturalWidth") == 640
    screenshot(page, f"garages-photos-large-view-{width}")
    page.keyboard.press("Escape")

    # saved afterwards, the typed values reach the quote
    page.click("main button[value=save]")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#quote-lines-body tr.quote-line")
    assert rows.nth(0).locator("input.line-unit_price").input_value() in ("1150.00", "1150")
    assert page.locator("[data-testid=photo-card]").count() == 2


def _submitted_with(live_server, claim_no: str, garage: str, data: bytes) -> int:
    """A quote of ``garage`` on ``claim_no`` submitted with one damage photo (``data``)."""
    import sqlalchemy as sa
    from werkzeug.datastructures import FileStorage

    from plugins.garages import services
    from portal.auth.models import User
    from portal.extensions import db

    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == garage))
        quote = services.create_quote(claim_no, user, [{"kind": "part", "part_no": "1K0807221", "name": "前保险杠皮",
                                                        "quality": "genuine", "quantity": "1", "unit_price": "900"}])
        services.add_photo(quote, user, FileStorage(io.BytesIO(data), filename="front.jpg"), "damage")
        services.submit_quote(quote, user)
        db.session.commit()
        quote_id = quote.id
        db.session.remove()
    return quote_id


def test_a_reused_photo_is_shown_to_the_assessor_beside_it_and_never_to_the_garage(page, live_server):
    """The same picture, re-encoded and resized, sent by another garage on another claim."""
    from PIL import Image

    from tests.images import scene

    first_claim = assigned_claim(live_server, "E2E-REUSE-1", plate="沪D20261", days_ago=1)
    _submitted_with(live_server, first_claim, "garage1@demo.example", photo_bytes(777))
    second_claim = assigned_claim(live_server, "E2E-REUSE-2", garage="garage2@demo.example", plate="沪D20261", days_ago=1)
    copy = io.BytesIO()
    scene(777).resize((448, 336), Image.LANCZOS).save(copy, format="JPEG", quality=60)
    quote_id = _submitted_with(live_server, second_claim, "garage2@demo.example", copy.getvalue())

    login(page, live_server, "assessor2@demo.example")
    page.goto(live_server.url + f"/garages/quotes/{quote_id}")
    flag = page.locator("[data-testid=photo-card] [data-testid=photo-reused]")
    assert flag.count() == 1 and first_claim in flag.inner_text()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0",
                         flag.locator("img").element_handle())        # the matching photo, beside it
    assert "PHOTO_REUSED" in page.locator("main").inner_text()
    flag.scroll_into_view_if_needed()
    screenshot(page, "garages-photo-reused-review")

    page.context.clear_cookies()
    login(page, live_server, "garage2@demo.example")
    page.goto(live_server.url + f"/garages/quotes/{quote_id}")
    text = page.content()
    assert first_claim not in text and "photo-reused" not in text
    assert page.locator("[data-testid=photo-card]").count() == 1
