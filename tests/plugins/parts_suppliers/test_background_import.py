"""Large price files through the background worker (review M1): the page hands the file to
the worker and polls its progress; the API answers 202 to ``Prefer: respond-async``; a real
consumer process parses and stores it. Parsing holds no database lock: another user logs in
while a file is being checked. Disk use per organization is capped and shown."""
from __future__ import annotations

import io
import threading

import pytest
import sqlalchemy as sa

from .helpers import csv_bytes, good_rows, upload


def _async(api, data, filename="prices.csv"):
    return api.client.post("/api/v1/price-lists", headers={**api.headers, "Prefer": "respond-async"},
                           data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def _status(api, import_id):
    return api.get(f"/price-list-imports/{import_id}").get_json()


@pytest.mark.slow
def test_the_page_hands_a_large_file_to_the_worker_and_shows_progress(app, client, web_login, supplier, api_as,
                                                                       start_consumer):
    org, user = supplier
    consumer = start_consumer("sqlite", PARTS_SUPPLIERS_IMPORT_BACKGROUND_BYTES=2000)
    data = csv_bytes(good_rows(400))
    assert len(data) > 2000
    web_login(user)
    r = client.post("/parts/price-lists/upload", data={"file": (io.BytesIO(data), "华域-2026Q4.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 303 and "/parts/price-lists/imports/" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "价格表导入中" in page and "华域-2026Q4.csv" in page and "import_progress.js" in page
    import_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    api = api_as(user)
    consumer.wait_for(lambda: _status(api, import_id)["status"] in ("done", "failed"), what="the import")
    job = _status(api, import_id)
    assert job["status"] == "done" and job["rows_read"] == 400, job
    listed = api.get(f"/price-lists/{job['price_list_id']}").get_json()
    assert listed["status"] == "pending" and listed["rows"] == 400
    page = client.get(f"/parts/price-lists/imports/{import_id}").get_data(as_text=True)
    assert "查看新版本" in page and f"/parts/price-lists/{job['price_list_id']}" in page
    polled = client.get(f"/parts/price-lists/imports/{import_id}?format=json").get_json()
    assert polled["status"] == "done"


@pytest.mark.slow
def test_api_respond_async_and_a_refused_file(app, supplier, api_as, factory, start_consumer):
    from plugins.parts_suppliers.models import PriceList
    from portal.extensions import db

    _, user = supplier
    consumer = start_consumer("sqlite")
    api = api_as(user)
    bad = csv_bytes(good_rows(3) + [("P0001", "dup", "genuine", "VW", "X", "9.00", 1, 1),
                                    ("", "no number", "genuine", "VW", "X", "9.00", 1, 1)])
    r = _async(api, bad)
    assert r.status_code == 202 and r.headers["Location"] == f"/api/v1/price-list-imports/{r.get_json()['id']}"
    assert r.headers["Preference-Applied"] == "respond-async" and r.get_json()["status"] == "queued"
    job_id = r.get_json()["id"]
    consumer.wait_for(lambda: _status(api, job_id)["status"] in ("done", "failed"), what="the import")
    job = _status(api, job_id)
    assert job["status"] == "failed" and job["price_list_id"] is None
    assert sorted((e["row"], e["column"]) for e in job["errors"]["rows"]) == [(5, "part_no"), (6, "part_no")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PriceList)) == 0     # nothing stored
    # the same file synchronously: the same rows refused
    sync = upload(api, bad)
    assert sync.status_code == 422
    assert sorted((e["row"], e["column"]) for e in sync.get_json()["error"]["details"]["rows"]) == \
        [(5, "part_no"), (6, "part_no")]
    # someone else's import is invisible
    other = factory.org("parts_supplier")
    assert api_as(factory.user(other, roles=("partner_admin",))).get(f"/price-list-imports/{job_id}").status_code == 404
    assert api_as(factory.user(roles=("pricing",))).get(f"/price-list-imports/{job_id}").status_code == 200


@pytest.mark.parametrize("kind", ["csv", "forged-xlsx"])
def test_parsing_holds_no_lock_another_user_logs_in_meanwhile(app, client, supplier, api_as, factory,
                                                             monkeypatch, kind):
    """The upload is stopped in the middle of its parse until a login has finished: with the
    parse inside the write transaction (the old code), the login's write would wait for it. The
    XLSX claims the whole grid (a forged ``<dimension>``, security review M1) and still ends."""
    from tests.plugins.parts_suppliers.test_price_list_upload import _forged

    from plugins.parts_suppliers import price_import
    from tests.conftest import PASSWORD, login

    _, user = supplier
    other = factory.user(roles=("assessor",), limit=10000)
    parsing, logged_in = threading.Event(), threading.Event()
    real = price_import.read_price_rows

    def held(stream, kind, errors):
        for n, row in enumerate(real(stream, kind, errors)):
            if n == 100:
                parsing.set()
                assert logged_in.wait(30), "the login never finished while the file was being parsed"
            yield row

    monkeypatch.setattr(price_import, "read_price_rows", held)
    result = {}

    token = factory.token(user)
    body, name = ((csv_bytes(good_rows(500)), "big.csv") if kind == "csv"
                  else (_forged(good_rows(300)), "forged.xlsx"))

    def send():
        try:
            _send()
        except BaseException as exc:  # noqa: BLE001 - shown by the assertion below
            result["error"] = repr(exc)
            raise

    def _send():
        with app.test_client() as c:
            r = c.post("/api/v1/price-lists", headers={"Authorization": f"Bearer {token}"},
                       data={"file": (io.BytesIO(body), name)}, content_type="multipart/form-data")
            result["status"] = r.status_code
            result["rows"] = (r.get_json() or {}).get("rows")

    thread = threading.Thread(target=send)
    thread.start()
    assert parsing.wait(30)
    with app.test_client() as c:
        r = login(c, other, PASSWORD)
    from portal.extensions import db

    db.session.remove()        # this thread holds no transaction while the upload goes on
    logged_in.set()
    thread.join(60)
    assert r.status_code == 302 and result.get("status") == 201, result
    assert result["rows"] == (500 if kind == "csv" else 300)


def test_disk_use_is_capped_per_organization_and_shown(app, client, web_login, supplier, api_as):
    from portal.extensions import db

    org, user = supplier
    api = api_as(user)
    app.config["ORGANIZATION_STORAGE_QUOTA_BYTES"] = 3000
    try:
        first = _async(api, csv_bytes(good_rows(40)))          # kept until the worker runs
        assert first.status_code == 202
        size = first.get_json()["size"]
        r = _async(api, csv_bytes(good_rows(60)))
        assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"
        assert r.get_json()["error"]["details"]["used"] == size
        web_login(user)
        page = client.get("/account").get_data(as_text=True)
        assert "本机构存储空间" in page and 'aria-valuenow="' in page
        shown = page.split('data-testid="storage-used">')[1].split("</p>")[0]
        assert shown.startswith(f"已使用 {size / 1024:,.1f} KB / 共 2.9 KB")
    finally:
        app.config["ORGANIZATION_STORAGE_QUOTA_BYTES"] = 5 * 1024 ** 3
        db.session.rollback()
