"""Imports refuse what they cannot read (issue 22, item 7): a CSV row with more or fewer
cells than the header is a row error naming the row — an unquoted ``1,200`` never becomes
¥1.00 with a minimum order of 200 — and nothing of the file is stored; the report names
columns as they stood in the file. Through the API, the page and the background worker."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from .helpers import HEADER_ZH, csv_bytes, good_rows, upload


def _counts():
    from plugins.parts_suppliers.models import PriceList, PriceListItem
    from portal.extensions import db

    return (db.session.scalar(sa.select(sa.func.count()).select_from(PriceList)),
            db.session.scalar(sa.select(sa.func.count()).select_from(PriceListItem)))


def _unquoted_thousands() -> bytes:
    # row 3: "1,200" unquoted — nine cells under an eight-cell header
    return csv_bytes(good_rows(2)) + b"P9,Door,genuine,VW,Lavida,1,200,1,2\n"


def test_a_row_with_an_extra_cell_is_refused_and_nothing_stored(api_as, supplier):
    _, user = supplier
    r = upload(api_as(user), _unquoted_thousands())
    assert r.status_code == 422
    rows = r.get_json()["error"]["details"]["rows"]
    assert [(e["row"], e["column"]) for e in rows] == [(4, "row")]
    assert "more or fewer cells than the header" in rows[0]["message"]
    assert _counts() == (0, 0)


def test_a_row_with_a_missing_cell_is_refused(api_as, supplier):
    _, user = supplier
    data = csv_bytes(good_rows(1)) + b"P8,Door,genuine,VW,Lavida,12.00,1\n"
    r = upload(api_as(user), data)
    assert r.status_code == 422
    rows = r.get_json()["error"]["details"]["rows"]
    assert [(e["row"], e["column"]) for e in rows] == [(3, "row")]
    assert "more or fewer cells than the header" in rows[0]["message"]
    assert _counts() == (0, 0)


def test_exactly_the_header_width_passes_and_a_quoted_comma_is_one_cell(api_as, supplier):
    _, user = supplier
    data = csv_bytes(good_rows(1)) + b'P9,Door,genuine,VW,Lavida,"1,200",1,2\n'
    r = upload(api_as(user), data)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["rows"] == 2
    assert _counts() == (1, 2)


def test_the_report_names_columns_as_the_file_does(api_as, supplier):
    _, user = supplier
    data = csv_bytes([("A1", "门", "原厂", "大众", "朗逸", "abc", 1, 2),
                      ("A2", "门", "铂金", "大众", "朗逸", "10", 1, 2)], header=HEADER_ZH)
    r = upload(api_as(user), data)
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.get_json()["error"]["details"]["rows"]] == [(2, "单价"), (3, "品质")]
    # a column the file lacks is named by what it should be called
    r = upload(api_as(user), "配件编号,配件名称\nA,B\n".encode())
    assert {e["column"] for e in r.get_json()["error"]["details"]["rows"]} == {"quality", "unit_price"}


def test_the_page_shows_the_row_error(client, web_login, supplier):
    _, user = supplier
    web_login(user)
    r = client.post("/parts/price-lists/upload", data={"file": (io.BytesIO(_unquoted_thousands()), "p.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and b'data-testid="row-errors"' in r.data
    assert "该行的单元格数与表头不一致" in r.get_data(as_text=True)
    assert _counts() == (0, 0)


@pytest.mark.slow
def test_the_background_import_refuses_the_row(supplier, api_as, start_consumer):
    _, user = supplier
    consumer = start_consumer("sqlite")
    api = api_as(user)
    r = api.client.post("/api/v1/price-lists", headers={**api.headers, "Prefer": "respond-async"},
                        data={"file": (io.BytesIO(_unquoted_thousands()), "p.csv")}, content_type="multipart/form-data")
    assert r.status_code == 202
    job_id = r.get_json()["id"]
    consumer.wait_for(lambda: api.get(f"/price-list-imports/{job_id}").get_json()["status"] in ("done", "failed"),
                      what="the import")
    job = api.get(f"/price-list-imports/{job_id}").get_json()
    assert job["status"] == "failed" and [(e["row"], e["column"]) for e in job["errors"]["rows"]] == [(4, "row")]
    assert _counts() == (0, 0)
