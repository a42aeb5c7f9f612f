"""Idempotency on a multipart upload (issue 22, item 6): the same file under the same key
replays the first answer (a new multipart boundary does not matter); another file is refused."""
from __future__ import annotations

import io

from .test_cell_count import _counts


def _upload(api, data: bytes, key: str, filename="prices.csv"):
    return api.client.post("/api/v1/price-lists", headers={**api.headers, "Idempotency-Key": key},
                           data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_multipart_with_the_same_file_replays_and_another_file_is_refused(api_as, factory):
    org = factory.org("parts_supplier")
    api = api_as(factory.user(org, roles=("partner_admin",)))
    header = "part_no,name,quality,make,model,unit_price,min_order,lead_time_days\n"
    data = (header + "P1,Door,genuine,VW,Lavida,10.00,1,2\n").encode()
    first = _upload(api, data, "upload-1")
    assert first.status_code == 201, first.get_json()
    again = _upload(api, data, "upload-1")   # a new multipart boundary, the same file
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert _counts() == (1, 1)
    other = _upload(api, data.replace(b"10.00", b"10.01"), "upload-1")
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_mismatch"
    assert _counts() == (1, 1)
