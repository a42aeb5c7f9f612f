"""Idempotency that survives real retries (issue 22, item 6): the same key with the same
meaning — JSON reserialised with other key order and whitespace — replays the first
answer; another body is refused."""
from __future__ import annotations

import json

import sqlalchemy as sa


def _post_raw(api, path, raw: str, key: str):
    return api.client.post("/api/v1" + path, data=raw.encode(), content_type="application/json",
                           headers={**api.headers, "Idempotency-Key": key})


def test_reordered_and_reformatted_json_is_the_same_request(api_as, factory):
    from portal.auth.models import Organization
    from portal.extensions import db

    api = api_as(factory.admin())
    uscc = factory.uscc()
    body = {"kind": "garage", "name": "Canon Garage", "uscc": uscc, "region": "Shanghai"}
    first = _post_raw(api, "/organizations", json.dumps(body), "canon-1")
    assert first.status_code == 201, first.get_json()
    shuffled = json.dumps(dict(reversed(list(body.items()))), indent=4, ensure_ascii=False)
    again = _post_raw(api, "/organizations", shuffled, "canon-1")
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                             .where(Organization.name == "Canon Garage")) == 1
    changed = _post_raw(api, "/organizations", json.dumps(dict(body, region="Beijing")), "canon-1")
    assert changed.status_code == 422 and changed.get_json()["error"]["code"] == "idempotency_mismatch"
    # the same body under another user's key space is that user's own request
    other = api_as(factory.admin())
    answer = _post_raw(other, "/organizations", json.dumps(body), "canon-1")
    assert answer.status_code == 422 and "Idempotent-Replayed" not in answer.headers   # the view ran: USCC taken
    assert "uscc" in answer.get_json()["error"]["details"]
