"""The served OpenAPI document speaks to code generators (issue 22): an operationId on every
operation, unique; bearer security applied except on the public operations; multipart uploads
with their binary ``file``; the error envelope on the 4xx answers; ``Idempotency-Key`` on POSTs."""
from __future__ import annotations

import re
from collections import Counter

import pytest

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def doc(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(doc):
    return [(method, path, op) for path, item in doc["paths"].items()
            for method, op in item.items() if method in METHODS]


def test_every_operation_has_a_unique_verb_noun_operation_id_and_a_summary(doc):
    ops = operations(doc)
    ids = [op.get("operationId") for _, _, op in ops]
    assert None not in ids
    assert [name for name, n in Counter(ids).items() if n > 1] == []
    assert all(re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", name) for name in ids), ids
    assert all(op.get("summary") for _, _, op in ops)
    by_route = {(m, p): op["operationId"] for m, p, op in ops}
    assert by_route[("post", "/api/v1/quotes/{quote_id}/photos")] == "upload_quote_photo"
    assert by_route[("post", "/api/v1/salvage-lots/{lot_id}/photos")] == "upload_salvage_lot_photo"
    assert by_route[("get", "/api/v1/quotes")] == "list_quotes"
    assert by_route[("post", "/api/v1/claims/{claim_no}/quotes")] == "create_quote"


def test_bearer_applies_everywhere_but_on_taking_a_token(doc):
    assert doc["security"] == [{"bearer": []}]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    public = [(m, p) for m, p, op in operations(doc) if op.get("security") == []]
    assert public == [("post", "/api/v1/tokens")]


@pytest.mark.parametrize("path", ["/api/v1/quotes/{quote_id}/photos", "/api/v1/salvage-lots/{lot_id}/photos",
                                  "/api/v1/price-lists"])
def test_uploads_are_multipart_with_a_binary_file(doc, path):
    content = doc["paths"][path]["post"]["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    schema = content["multipart/form-data"]["schema"]
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary", **(
        {"description": schema["properties"]["file"]["description"]} if "description" in schema["properties"]["file"] else {})}
    assert "file" in schema["required"]


def test_errors_are_declared_with_the_envelope(doc):
    get_quote = doc["paths"]["/api/v1/quotes/{quote_id}"]["get"]["responses"]
    decide = doc["paths"]["/api/v1/quotes/{quote_id}/decisions"]["post"]["responses"]
    tokens = doc["paths"]["/api/v1/tokens"]["post"]["responses"]
    assert {"401", "403", "404"} <= set(get_quote)
    assert {"401", "403", "404", "409", "422"} <= set(decide)
    assert {"422", "429"} <= set(tokens) and "401" not in tokens
    envelope = decide["409"]["content"]["application/json"]["schema"]
    assert envelope == {"$ref": "#/components/schemas/ErrorEnvelope"}
    body = doc["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"code", "message", "details"}


def test_posts_take_an_idempotency_key(doc):
    for method, path, op in operations(doc):
        headers = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        assert (method == "post") == ("Idempotency-Key" in headers), (method, path)



def test_a_page_always_carries_its_four_keys(doc):
    page = doc["components"]["schemas"]["ClaimPage"]
    assert set(page["required"]) == {"items", "page", "per_page", "total"}


def test_response_fields_that_are_always_answered_are_required(doc):
    """A generated client may rely on every field a response schema dumps; what only some
    readers get (a claim's staff fields, a quote's assignee) stays optional. The API tests'
    client (tests/openapi_check.py) holds every real answer to this."""
    schemas = doc["components"]["schemas"]
    quote = schemas["QuoteOut"]
    assert {"id", "status", "claim_no", "lines", "findings", "total_submitted"} <= set(quote["required"])
    assert "assignee_id" not in quote["required"]
    assert "x-sometimes" not in quote["properties"]["assignee_id"]
    claim = schemas["Claim"]
    assert {"id", "claim_no", "vehicle", "status", "region"} <= set(claim["required"])
    assert not {"insured_name", "policy_no", "estimated_loss"} & set(claim["required"])
    assert "error" in schemas["ErrorEnvelope"]["required"]


def test_every_answer_has_a_schema_and_downloads_are_binary(doc):
    missing = [(method, path, code) for method, path, op in operations(doc)
               for code, answer in op["responses"].items()
               if code.startswith("2") and code != "204"
               and not any(media.get("schema") for media in answer.get("content", {}).values())]
    assert missing == []
    sheet = doc["paths"]["/api/v1/quotes/{quote_id}/sheet.pdf"]["get"]["responses"]["200"]["content"]
    assert sheet["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    quotes = doc["paths"]["/api/v1/quotes"]["get"]["responses"]["200"]["content"]["application/json"]
    assert set(quotes["schema"]["required"]) == {"items", "page", "per_page", "total"}
