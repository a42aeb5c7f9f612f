"""Two reviewers at once (exactly one wins), photos (type by content, size, access)."""
from __future__ import annotations

import io
import threading

import pytest

from tests.images import JPEG, PNG, WEBP, image_bytes

from .conftest import create, make_claim, part

PDF = b"%PDF-1.4\n" + b"\x00" * 64


@pytest.mark.slow
def test_concurrent_approvals_exactly_one_wins(app, people, garage_api, factory):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="1000")], submit=True)
    reviewers = [people.assessor2, people.supervisor, people.supervisor2, factory.user(roles=("assessor",), limit=90000)]
    tokens = [factory.token(u) for u in reviewers]
    barrier = threading.Barrier(len(tokens))
    results = []

    def act(token, action):
        client = app.test_client()
        barrier.wait()
        body = {"action": action, "version": q["version"]}
        if action != "approve":
            body["comment"] = "并发"
        r = client.post(f"/api/v1/quotes/{q['id']}/decisions", json=body,
                        headers={"Authorization": f"Bearer {token}"})
        results.append((r.status_code, (r.get_json() or {}).get("error", {}).get("code")))

    threads = [threading.Thread(target=act, args=(t, a)) for t, a in zip(tokens, ["approve", "return", "approve", "reject"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    codes = sorted(results)
    assert len(codes) == 4
    assert [c for c in codes if c[0] == 200] == [(200, None)], codes
    assert all(c == (409, "stale_version") for c in codes if c[0] != 200), codes
    from portal.extensions import db
    from plugins.garages.models import Decision, Quote

    db.session.expire_all()
    quote = db.session.get(Quote, q["id"])
    assert quote.version == q["version"] + 1
    assert db.session.query(Decision).filter(Decision.quote_id == q["id"], Decision.action != "submit").count() == 1


def upload(api, qid, data, name="p.png", kind="damage", line_id=None):
    form = {"file": (io.BytesIO(data), name), "kind": kind}
    if line_id:
        form["line_id"] = str(line_id)
    return api.client.post(f"/api/v1/quotes/{qid}/photos", data=form, headers=api.headers,
                           content_type="multipart/form-data")


@pytest.mark.parametrize("data, ctype", [(PNG, "image/png"), (JPEG, "image/jpeg"), (PDF, "application/pdf"),
                                         (WEBP, "image/webp")])
def test_photo_types_by_content(app, people, garage_api, data, ctype):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()])
    r = upload(garage_api, q["id"], data, name="claims.exe", line_id=q["lines"][0]["id"])
    assert r.status_code == 201, r.get_json()
    photo = r.get_json()
    assert photo["content_type"] == ctype and photo["line_id"] == q["lines"][0]["id"]
    from pathlib import Path

    stored = list((Path(app.config["UPLOAD_FOLDER"]) / "garages").iterdir())
    assert all("claims" not in p.name for p in stored)
    got = garage_api.get(f"/quotes/{q['id']}/photos/{photo['id']}")
    assert got.status_code == 200 and got.data == data and got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.mimetype == ctype
    assert ("attachment" in got.headers["Content-Disposition"]) == (ctype == "application/pdf")


def test_photo_refused_content_size_and_access(app, people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()])
    r = upload(garage_api, q["id"], b"<html><script>alert(1)</script>", name="x.png")
    assert r.status_code == 422 and "file" in r.get_json()["error"]["details"]
    r = upload(garage_api, q["id"], PNG, kind="selfie")
    assert r.status_code == 422
    r = upload(garage_api, q["id"], PNG, line_id=987654)
    assert r.status_code == 422
    app.config["GARAGES_RULES"] = {"photo_max_bytes": 50}
    try:
        r = upload(garage_api, q["id"], PNG)
        assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"
    finally:
        app.config.pop("GARAGES_RULES")
    photo = upload(garage_api, q["id"], PNG).get_json()
    assert api_as(people.assessor).get(f"/quotes/{q['id']}/photos/{photo['id']}").status_code == 200
    for user in (people.other_user, people.supplier_user):
        assert api_as(user).get(f"/quotes/{q['id']}/photos/{photo['id']}").status_code == 404
        assert upload(api_as(user), q["id"], PNG).status_code == 404
    assert garage_api.get(f"/quotes/{q['id']}").get_json()["photos"][0]["id"] == photo["id"]


@pytest.mark.parametrize("name", ["nul\x00.png", "a\r\nSet-Cookie: x=1.png", "tab\t.png"])
def test_a_file_name_with_control_characters_is_refused(people, garage_api, name):
    """Security review L6: a NUL or CR/LF in a name never reaches a Content-Disposition header."""
    q = create(garage_api, make_claim(people.garage, color="yellow"), [part()])
    r = upload(garage_api, q["id"], PNG, name=name)
    assert r.status_code == 422 and "file" in r.get_json()["error"]["details"]


def test_an_image_above_the_pixel_budget_or_unreadable_is_refused(app, people, garage_api):
    """Security review L9: a 60,000 × 60,000 PNG is a decompression bomb for whoever views it."""
    q = create(garage_api, make_claim(people.garage, color="yellow"), [part()])
    app.config["GARAGES_RULES"] = {"photo_max_pixels": 100}
    try:
        r = upload(garage_api, q["id"], image_bytes("PNG", (11, 10)))
        assert r.status_code == 422 and "pixels" in r.get_json()["error"]["details"]["file"][0]
        assert upload(garage_api, q["id"], image_bytes("PNG", (10, 10))).status_code == 201
    finally:
        app.config.pop("GARAGES_RULES")
    r = upload(garage_api, q["id"], b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)   # the magic bytes, no image
    assert r.status_code == 422


def test_a_photo_whose_change_fails_leaves_no_file(app, people, garage_api, monkeypatch):
    """Security review M6: the file lives only if its row commits."""
    from pathlib import Path

    from plugins.garages.services import photos

    q = create(garage_api, make_claim(people.garage, color="yellow"), [part()])
    folder = Path(app.config["UPLOAD_FOLDER"]) / "garages"
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())

    def failing_audit(*a, **kw):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(photos, "record_audit", failing_audit)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        r = upload(garage_api, q["id"], PNG)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert r.status_code == 500
    assert set(folder.iterdir()) == before
    monkeypatch.undo()
    # the photo and its thumbnail (services/evidence.py), both kept once the row commits
    assert upload(garage_api, q["id"], PNG).status_code == 201 and len(set(folder.iterdir()) - before) == 2


def test_photos_stop_at_the_organizations_disk_quota(app, people, garage_api, api_as):
    """Disk use per organization is capped (security review L6): the garage's photos count
    against its quota, at the exact byte; another garage is not charged; staff are not capped."""
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()])
    first = upload(garage_api, q["id"], PNG)
    assert first.status_code == 201
    app.config["ORGANIZATION_STORAGE_QUOTA_BYTES"] = first.get_json()["size"] + len(PNG)    # room for exactly one more
    try:
        assert upload(garage_api, q["id"], PNG).status_code == 201
        r = upload(garage_api, q["id"], PNG)
        assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"
        assert r.get_json()["error"]["details"]["used"] == 2 * len(PNG)
        other_claim = make_claim(people.other_garage, color="yellow")
        other_api = api_as(people.other_user)
        other_q = create(other_api, other_claim, [part()])
        assert upload(other_api, other_q["id"], PNG).status_code == 201     # its own quota
    finally:
        app.config["ORGANIZATION_STORAGE_QUOTA_BYTES"] = 5 * 1024 ** 3
