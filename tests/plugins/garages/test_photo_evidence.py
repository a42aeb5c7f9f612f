"""Photos people can use (issue 21, item 3): thumbnails, the camera's time, delete before
submission (hidden, audited, never erased), the minimum of damage photos at submission, and
evidence integrity — PHOTO_REUSED (a perceptual hash, one indexed query) and
PHOTO_BEFORE_ACCIDENT — with another organization's claim, photo and name never shown to a garage."""
from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest

from portal.timeutil import LOCAL_TZ

from .conftest import add_photo, create, make_claim, part
from .test_pages import As
from tests.images import PNG, photo_bytes, scene


def _draft(api, people, **kw):
    return create(api, make_claim(people.garage, color="yellow", **kw), [part()])


def _submit(api, qid):
    return api.post(f"/quotes/{qid}/submit", json={})


def _codes(quote_json):
    return [f["code"] for f in quote_json["findings"]]


def _reencoded(seed, quality=50, scale=0.7) -> bytes:
    """The same picture as ``photo_bytes(seed)``, resized and saved again as JPEG at another quality."""
    img = scene(seed)
    img = img.resize((int(img.width * scale), int(img.height * scale)))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _accident(claim, when):
    from portal.extensions import db

    claim.accident_at = when
    db.session.commit()


# ------------------------------------------------------------------ thumbnails, EXIF, bombs


def test_thumbnail_made_and_served_and_taken_at_in_the_answer(people, garage_api, api_as):
    q = _draft(garage_api, people)
    photo = add_photo(garage_api, q["id"], data=photo_bytes(1, size=(1600, 1200), taken_at="2026:11:30 09:15:00"))
    assert photo["taken_at"] == "2026-11-30T09:15:00+08:00"          # Beijing time, aware
    assert photo["url"] == f"/api/v1/quotes/{q['id']}/photos/{photo['id']}"
    assert photo["thumbnail_url"] == f"/api/v1/quotes/{q['id']}/photos/{photo['id']}/thumbnail"
    r = garage_api.client.get(photo["thumbnail_url"], headers=garage_api.headers)
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    from PIL import Image

    assert max(Image.open(io.BytesIO(r.data)).size) == 480
    assert api_as(people.assessor).client.get(photo["thumbnail_url"],
                                              headers=api_as(people.assessor).headers).status_code == 200
    assert api_as(people.other_user).client.get(photo["thumbnail_url"],
                                                headers=api_as(people.other_user).headers).status_code == 404
    # without EXIF: no time; a PDF: no thumbnail, no hash
    plain = add_photo(garage_api, q["id"], data=photo_bytes(2))
    assert plain["taken_at"] is None
    pdf = add_photo(garage_api, q["id"], data=b"%PDF-1.4\n%%EOF\n", name="report.pdf", kind="teardown")
    assert pdf["thumbnail_url"] is None
    assert garage_api.get(f"/quotes/{q['id']}/photos/{pdf['id']}/thumbnail").status_code == 404
    shown = garage_api.get(f"/quotes/{q['id']}").get_json()["photos"]
    assert [p["taken_at"] for p in shown] == ["2026-11-30T09:15:00+08:00", None, None]


def test_a_decompression_bomb_is_refused(people, garage_api):
    from PIL import Image

    q = _draft(garage_api, people)
    buf = io.BytesIO()
    Image.new("1", (8000, 5001)).save(buf, format="PNG")   # 40,008,000 pixels in a few kilobytes
    r = garage_api.client.post(f"/api/v1/quotes/{q['id']}/photos", headers=garage_api.headers,
                               data={"file": (io.BytesIO(buf.getvalue()), "bomb.png"), "kind": "damage"},
                               content_type="multipart/form-data")
    assert r.status_code == 422 and "too large" in str(r.get_json()["error"]["details"]["file"])
    assert garage_api.get(f"/quotes/{q['id']}").get_json()["photos"] == []


@pytest.mark.parametrize("pdf_rendered_before", [False, True])
def test_an_image_whose_body_does_not_decode_is_refused_not_a_500(people, garage_api, monkeypatch,
                                                                   pdf_rendered_before):
    from PIL import ImageFile

    if pdf_rendered_before:   # importing WeasyPrint (the assessment sheet) pads cut-off images process-wide
        import weasyprint  # noqa: F401

        assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    else:
        monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)
    q = _draft(garage_api, people)
    whole = photo_bytes(3)
    r = garage_api.client.post(f"/api/v1/quotes/{q['id']}/photos", headers=garage_api.headers,
                               data={"file": (io.BytesIO(whole[: len(whole) // 2]), "cut.jpg"), "kind": "damage"},
                               content_type="multipart/form-data")
    assert r.status_code == 422 and r.get_json()["error"]["details"]["file"] == ["The image cannot be read."]
    assert garage_api.get(f"/quotes/{q['id']}").get_json()["photos"] == []


# ------------------------------------------------------------------ delete


def test_delete_rules(app, people, garage_api, api_as):
    from portal.extensions import db
    from plugins.garages.models import Photo

    q = _draft(garage_api, people)
    first = add_photo(garage_api, q["id"])
    wrong = add_photo(garage_api, q["id"])
    url = f"/quotes/{q['id']}/photos/{wrong['id']}"
    assert api_as(people.assessor).delete(url).status_code == 403            # staff: not theirs to delete
    assert api_as(people.other_user).delete(url).status_code == 404          # another garage: no such quote
    assert garage_api.delete(f"/quotes/{q['id']}/photos/999999").status_code == 404
    r = garage_api.delete(url)
    assert r.status_code == 204 and r.data == b""
    assert garage_api.delete(url).status_code == 404                          # gone from view
    assert garage_api.get(url).status_code == 404 and api_as(people.assessor).get(url).status_code == 404
    assert [p["id"] for p in garage_api.get(f"/quotes/{q['id']}").get_json()["photos"]] == [first["id"]]
    row = db.session.get(Photo, wrong["id"])   # kept, never erased
    assert row is not None and row.deleted_at is not None and row.deleted_by_id == people.garage_user.id
    trail = api_as(factory_admin(app)).get(f"/audit?entity=quote&entity_id={q['id']}").get_json()["items"]
    assert any(e["action"] == "delete_photo" and e["changes"]["photo_id"] == wrong["id"] for e in trail)
    # submitted: the evidence stays
    assert _submit(garage_api, q["id"]).status_code == 200
    first_url = f"/quotes/{q['id']}/photos/{first['id']}"
    r = garage_api.delete(first_url)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"
    # returned: a photo added since the return may go, the one submitted may not
    quote = garage_api.get(f"/quotes/{q['id']}").get_json()
    staff = api_as(people.assessor)
    assert staff.post(f"/quotes/{q['id']}/decisions", json={"action": "return", "version": quote["version"],
                                                            "comment": "more photos"}).status_code == 200
    later = add_photo(garage_api, q["id"], kind="teardown")
    assert garage_api.delete(first_url).status_code == 409
    assert garage_api.delete(f"/quotes/{q['id']}/photos/{later['id']}").status_code == 204


def factory_admin(app):
    from portal.auth.models import User
    from portal.extensions import db

    admin = db.session.query(User).filter(User.email == "photo-admin@example.com").one_or_none()
    if admin is None:
        from tests.conftest import Factory

        admin = Factory(app).user(roles=("admin",), unlimited=True, email="photo-admin@example.com")
    return admin


def test_the_delete_button_on_the_page(app, people, garage_api):
    q = _draft(garage_api, people)
    photo = add_photo(garage_api, q["id"])
    g = As(app, people.garage_user)
    page = g.get(f"/garages/quotes/{q['id']}/edit").data.decode()
    assert f'/garages/quotes/{q["id"]}/photos/{photo["id"]}/delete' in page and "data-confirm=" in page
    r = g.post(f"/garages/quotes/{q['id']}/photos/{photo['id']}/delete", data={})
    assert r.status_code == 302
    assert garage_api.get(f"/quotes/{q['id']}").get_json()["photos"] == []
    assert g.get(f"/garages/quotes/{q['id']}/photos/{photo['id']}").status_code == 404
    assert g.get(f"/garages/quotes/{q['id']}/photos/{photo['id']}/thumbnail").status_code == 404


# ------------------------------------------------------------------ the minimum of damage photos


def test_the_shipped_minimum_is_one_damage_photo(app, people, garage_api):
    from plugins.garages import rules

    assert rules.DEFAULT_RULES["min_damage_photos"] == 1 and "GARAGES_RULES" not in app.config or \
        "min_damage_photos" not in (app.config.get("GARAGES_RULES") or {})
    q = _draft(garage_api, people)
    r = _submit(garage_api, q["id"])
    assert r.status_code == 422
    assert r.get_json()["error"]["details"]["photos"] == [
        "Add at least 1 damage photo(s) before submitting (this quote has 0)."]
    add_photo(garage_api, q["id"], kind="teardown")     # not a damage photo
    assert _submit(garage_api, q["id"]).status_code == 422
    photo = add_photo(garage_api, q["id"])
    garage_api.delete(f"/quotes/{q['id']}/photos/{photo['id']}")   # a deleted one does not count
    assert _submit(garage_api, q["id"]).status_code == 422
    add_photo(garage_api, q["id"])
    assert _submit(garage_api, q["id"]).status_code == 200
    # created and submitted at once: no photo yet, refused, nothing kept
    claim = make_claim(people.garage, color="yellow")
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part()], "submit": True})
    assert r.status_code == 422 and "photos" in r.get_json()["error"]["details"]


def test_the_minimum_at_its_boundary(app, people, garage_api):
    app.config["GARAGES_RULES"] = {"min_damage_photos": 2}
    try:
        q = _draft(garage_api, people)
        add_photo(garage_api, q["id"])
        r = _submit(garage_api, q["id"])
        assert r.status_code == 422 and r.get_json()["error"]["details"]["photos"] == [
            "Add at least 2 damage photo(s) before submitting (this quote has 1)."]
        add_photo(garage_api, q["id"])
        assert _submit(garage_api, q["id"]).status_code == 200
    finally:
        app.config.pop("GARAGES_RULES")


def test_the_editor_says_how_many_photos_are_needed(app, people, garage_api):
    from plugins.garages.models import Quote
    from portal.extensions import db

    q = _draft(garage_api, people)
    quote = db.session.get(Quote, q["id"])
    form = {f"lines-{i}-{k}": str(getattr(ln, k) or "") for i, ln in enumerate(quote.lines)
            for k in ("id", "kind", "part_no", "name", "quality", "quantity", "unit_price")}
    g = As(app, people.garage_user)
    r = g.post(f"/garages/quotes/{q['id']}/edit", data={**form, "action": "submit", "version": quote.version})
    assert r.status_code == 422
    assert "提交前请至少上传 1 张损失照片（本报价现有 0 张）。" in r.data.decode()


# ------------------------------------------------------------------ evidence integrity


def test_a_reencoded_resized_photo_on_another_claim_is_reused(app, people, garage_api, api_as):
    first = _draft(garage_api, people)
    add_photo(garage_api, first["id"], data=photo_bytes(42), name="front.jpg")
    assert _submit(garage_api, first["id"]).status_code == 200
    first_claim = garage_api.get(f"/quotes/{first['id']}").get_json()["claim_no"]

    second = _draft(garage_api, people)                      # another claim, the same picture again
    copy = add_photo(garage_api, second["id"], data=_reencoded(42), name="copy.jpg")
    other = add_photo(garage_api, second["id"], data=photo_bytes(43), name="other.jpg")   # the same car, another photo
    r = garage_api.post(f"/quotes/{second['id']}/precheck")
    findings = [f for f in r.get_json()["findings"] if f["code"] == "PHOTO_REUSED"]
    assert len(findings) == 1 and f"#{copy['id']}" in findings[0]["message"] and f"#{other['id']}" not in \
        findings[0]["message"] and findings[0]["severity"] == "warn"
    done = _submit(garage_api, second["id"]).get_json()
    assert _codes(done).count("PHOTO_REUSED") == 1
    # the garage never reads the other claim's number, photo or garage
    text = garage_api.get(f"/quotes/{second['id']}").data.decode()
    assert first_claim not in text
    page = As(app, people.garage_user).get(f"/garages/quotes/{second['id']}").data.decode()
    assert first_claim not in page and 'data-testid="photo-reused"' not in page
    # the assessor sees the flag beside the photo, with the matching photo
    review = As(app, people.assessor).get(f"/garages/quotes/{second['id']}").data.decode()
    assert review.count('data-testid="photo-reused"') == 1 and first_claim in review
    card = review[review.index(f'data-photo-id="{copy["id"]}" data-testid="photo-card"'):]
    assert card.index('data-testid="photo-reused"') < card.index("</figure>")


def test_another_garages_quote_on_the_same_claim_and_a_different_photo(app, people, garage_api, api_as):
    from .conftest import assign

    claim = make_claim(people.garage, color="yellow")
    assign(claim, people.other_garage)
    mine = create(garage_api, claim, [part()])
    add_photo(garage_api, mine["id"], data=photo_bytes(77))
    other_api = api_as(people.other_user)
    theirs = create(other_api, claim, [part()])
    add_photo(other_api, theirs["id"], data=_reencoded(77, quality=70, scale=0.5))
    r = other_api.post(f"/quotes/{theirs['id']}/precheck").get_json()
    assert "PHOTO_REUSED" in [f["code"] for f in r["findings"]]
    assert people.garage.name not in str(r)
    # the same garage, the same claim, another picture: nothing
    add_photo(garage_api, mine["id"], data=photo_bytes(78))
    r = garage_api.post(f"/quotes/{mine['id']}/precheck").get_json()
    assert [f["code"] for f in r["findings"]].count("PHOTO_REUSED") == 1   # only the one the other garage copied


def test_a_deleted_photo_matches_nothing(people, garage_api):
    first = _draft(garage_api, people)
    photo = add_photo(garage_api, first["id"], data=photo_bytes(90))
    assert garage_api.delete(f"/quotes/{first['id']}/photos/{photo['id']}").status_code == 204
    second = _draft(garage_api, people)
    add_photo(garage_api, second["id"], data=photo_bytes(90))
    assert "PHOTO_REUSED" not in _codes(_submit(garage_api, second["id"]).get_json())


def test_every_photo_of_a_submission_is_matched_in_one_query(people, garage_api):
    from portal.extensions import db
    from plugins.garages.models import Quote
    from plugins.garages.services.evidence import matches
    from tests.querycount import count_queries

    old = _draft(garage_api, people)
    for seed in (5, 6, 7):
        add_photo(garage_api, old["id"], data=photo_bytes(seed))
    new = _draft(garage_api, people)
    for seed in (5, 6, 7, 8):
        add_photo(garage_api, new["id"], data=_reencoded(seed))
    quote = db.session.get(Quote, new["id"])
    photos = list(quote.photos)
    quote.claim  # noqa: B018 - loaded with the quote
    with count_queries() as counter:
        found = matches(quote, photos)
    assert counter.count == 1
    assert sorted(found) == sorted(p.id for p in photos[:3])


@pytest.mark.parametrize("offset, flagged", [(timedelta(seconds=-1), True), (timedelta(0), False),
                                             (timedelta(seconds=1), False)])
def test_photo_before_the_accident(people, garage_api, offset, flagged):
    from portal.extensions import db
    from plugins.garages.models import Quote

    q = _draft(garage_api, people)
    accident = datetime(2026, 11, 28, 14, 30, 0, tzinfo=LOCAL_TZ)
    _accident(db.session.get(Quote, q["id"]).claim, accident)
    taken = (accident + offset).strftime("%Y:%m:%d %H:%M:%S")
    photo = add_photo(garage_api, q["id"], data=photo_bytes(300, taken_at=taken))
    done = _submit(garage_api, q["id"]).get_json()
    found = [f for f in done["findings"] if f["code"] == "PHOTO_BEFORE_ACCIDENT"]
    assert len(found) == (1 if flagged else 0)
    if flagged:
        assert f"#{photo['id']}" in found[0]["message"] and "2026-11-28 14:29" in found[0]["message"]


def test_the_gallery_flags_a_photo_before_the_accident(app, people, garage_api):
    from portal.extensions import db
    from plugins.garages.models import Quote

    q = _draft(garage_api, people)
    _accident(db.session.get(Quote, q["id"]).claim, datetime(2026, 11, 28, 14, 30, tzinfo=LOCAL_TZ))
    add_photo(garage_api, q["id"], data=photo_bytes(301, taken_at="2026:11:27 10:00:00"))
    add_photo(garage_api, q["id"], data=photo_bytes(302, taken_at="2026:11:29 10:00:00"), kind="teardown",
              line_id=q["lines"][0]["id"])
    page = As(app, people.garage_user).get(f"/garages/quotes/{q['id']}/edit").data.decode()
    assert page.count('data-testid="photo-card"') == 2
    assert 'text-danger fw-semibold" data-testid="photo-taken"' in page and "早于出险时间" in page
    assert "第 1 行 前保险杠皮" in page and "整单" in page
    assert 'capture="environment"' in page and "multiple" in page and "photos.js" in page


# ------------------------------------------------------------------ the in-place upload's answer


def test_the_in_place_upload_answers_with_the_cards(app, people, garage_api):
    q = _draft(garage_api, people)
    g = As(app, people.garage_user)
    r = g.post(f"/garages/quotes/{q['id']}/photos", headers={"X-Requested-With": "fetch"},
               data={"file": [(io.BytesIO(photo_bytes(11)), "a.jpg"), (io.BytesIO(photo_bytes(12)), "b.jpg")],
                     "kind": "damage"}, content_type="multipart/form-data")
    assert r.status_code == 201
    photos = r.get_json()["photos"]
    assert len(photos) == 2 and all('data-testid="photo-card"' in p["html"] and "<img" in p["html"] for p in photos)
    r = g.post(f"/garages/quotes/{q['id']}/photos", headers={"X-Requested-With": "fetch"},
               data={"file": (io.BytesIO(b"not an image"), "x.txt"), "kind": "damage"},
               content_type="multipart/form-data")
    assert r.status_code == 422 and r.get_json()["errors"]
    # nothing flashed for the next page: the answer said it
    page = g.get(f"/garages/quotes/{q['id']}/edit").data.decode()
    assert "照片已上传" not in page and page.count('data-testid="photo-card"') == 2
    # without script: several files in one post, then the page again
    r = g.post(f"/garages/quotes/{q['id']}/photos", data={
        "file": [(io.BytesIO(PNG), "c.png"), (io.BytesIO(photo_bytes(13)), "d.jpg")], "kind": "after_repair"},
        content_type="multipart/form-data")
    assert r.status_code == 302
    assert len(garage_api.get(f"/quotes/{q['id']}").get_json()["photos"]) == 4
