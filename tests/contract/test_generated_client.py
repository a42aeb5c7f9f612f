"""The served OpenAPI document generates a usable Python client (issue 22, done-when): the client
is generated once per session with openapi-python-client (pinned in setup.cfg's ``test``
extras) and drives the garage-DMS and supplier-ERP journeys straight into the WSGI app
through its own models and endpoint functions only."""
from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="session")
def portal_client(app, tmp_path_factory):
    if not GENERATOR.exists():
        pytest.skip("openapi-python-client not installed (pip install -e '.[test]')")
    out = tmp_path_factory.mktemp("generated")
    document = out / "openapi.json"
    document.write_text(json.dumps(app.test_client().get("/api/v1/openapi.json").get_json()), encoding="utf-8")
    config = out / "config.json"
    config.write_text(json.dumps({"post_hooks": []}), encoding="utf-8")
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(document), "--meta", "none",
                          "--config", str(config), "--output-path", str(out / "portal_client")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("portal_client")
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == "portal_client" or n.startswith("portal_client.")]:
            del sys.modules[name]


def op(tag: str, name: str):
    return importlib.import_module(f"portal_client.api.{tag}.{name}")


def models():
    return importlib.import_module("portal_client.models")


def anonymous(portal_client, app):
    return portal_client.Client(base_url="http://localhost", raise_on_unexpected_status=True,
                                httpx_args={"transport": httpx.WSGITransport(app=app)})


def signed_in(portal_client, app, user):
    """``POST /tokens`` through the client, then a client carrying the bearer token."""
    from tests.conftest import PASSWORD

    m = models()
    token = op("identity", "create_token").sync(client=anonymous(portal_client, app),
                                               body=m.TokenRequest(email=user.email, password=PASSWORD))
    assert isinstance(token, m.TokenResponse), token
    return portal_client.AuthenticatedClient(base_url="http://localhost", token=token.token,
                                             raise_on_unexpected_status=True,
                                             httpx_args={"transport": httpx.WSGITransport(app=app)})


def test_garage_dms_journey_through_the_generated_client(portal_client, app, factory):
    from tests.images import PNG
    from tests.plugins.garages.conftest import make_claim

    m = models()
    garage = factory.org("garage", name="永达修理厂", grade="A")
    dms = signed_in(portal_client, app, factory.user(garage, roles=("partner_user",)))
    assessor = signed_in(portal_client, app, factory.user(roles=("assessor",), limit=100000))
    claim = make_claim(garage, color="yellow")

    page = op("claims_api", "list_claims").sync(client=dms)
    assert [c.claim_no for c in page.items] == [claim.claim_no]

    lines = [m.LineIn(kind=m.LineInKind.PART, name="前保险杠皮", part_no="1K0807221",
                      quality=m.LineInQualityType1.GENUINE, quantity="1", unit_price="1000.00"),
             m.LineIn(kind=m.LineInKind.LABOR, name="拆装", quantity="2", unit_price="100.00")]
    quote = op("garages_api", "create_quote").sync(claim.claim_no, client=dms, body=m.QuoteCreate(lines=lines),
                                                   idempotency_key="dms-draft-1")
    assert isinstance(quote, m.QuoteOut), quote
    assert quote.status == m.QuoteOutStatus.DRAFT and quote.total_submitted == "1200.00"

    photo = op("garages_api", "upload_quote_photo").sync(
        quote.id, client=dms, body=m.QuotePhotoForm(file=portal_client.types.File(io.BytesIO(PNG), "damage.png",
                                                                                   "image/png")))
    assert isinstance(photo, m.PhotoOut), photo

    check = op("garages_api", "precheck_quote").sync(quote.id, client=dms)
    assert isinstance(check, m.PrecheckOut), check

    quote = op("garages_api", "submit_quote").sync(quote.id, client=dms, body=m.SubmitIn(version=quote.version))
    assert quote.status == m.QuoteOutStatus.SUBMITTED, quote
    polled = op("garages_api", "get_quote").sync(quote.id, client=dms)
    assert polled.status == m.QuoteOutStatus.SUBMITTED and polled.version == quote.version
    # poll with the ETag: unchanged → 304 without a body
    seen = op("garages_api", "get_quote").sync_detailed(quote.id, client=dms)
    etag = seen.headers["ETag"]
    unchanged = op("garages_api", "get_quote").sync_detailed(quote.id, client=dms, if_none_match=etag)
    assert unchanged.status_code == 304 and unchanged.parsed is None and unchanged.headers["ETag"] == etag

    part_line = polled.lines[0]
    returned = op("garages_api", "decide_quote").sync(quote.id, client=assessor, body=m.DecisionIn(
        action=m.DecisionInAction.RETURN, version=polled.version, comment="请核实",
        lines=[m.AdjustmentIn(id=part_line.id, approved_unit_price="800", reason="PRICE_HIGH")]))
    assert isinstance(returned, m.QuoteOut) and returned.status == m.QuoteOutStatus.RETURNED, returned
    # after the assessor's decision the same ETag answers 200 with the new quote and a new ETag
    changed = op("garages_api", "get_quote").sync_detailed(quote.id, client=dms, if_none_match=etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.parsed.status == m.QuoteOutStatus.RETURNED
    mine = op("garages_api", "get_quote").sync(quote.id, client=dms)
    assert mine.status == m.QuoteOutStatus.RETURNED
    assert mine.lines[0].approved_unit_price == "800.00" and mine.lines[0].reason == "PRICE_HIGH"

    answered = [m.LineIn(id=line.id, kind=m.LineInKind(line.kind), name=line.name, part_no=line.part_no,
                         quality=m.LineInQualityType1(line.quality) if line.quality else None,
                         quantity=line.quantity, unit_price=line.unit_price) for line in mine.lines]
    answered[0].answer = m.LineAnswerIn(accept=True)
    mine = op("garages_api", "replace_lines").sync(quote.id, client=dms,
                                                   body=m.LinesReplace(lines=answered, version=mine.version))
    assert isinstance(mine, m.QuoteOut), mine
    mine = op("garages_api", "submit_quote").sync(quote.id, client=dms, body=m.SubmitIn(version=mine.version))
    assert mine.status == m.QuoteOutStatus.SUBMITTED, mine

    approved = op("garages_api", "decide_quote").sync(quote.id, client=assessor, body=m.DecisionIn(
        action=m.DecisionInAction.APPROVE, version=mine.version))
    assert isinstance(approved, m.QuoteOut), approved
    final = op("garages_api", "get_quote").sync(quote.id, client=dms)
    assert final.status == m.QuoteOutStatus.APPROVED


def test_errors_come_back_as_the_typed_envelope(portal_client, app, factory):
    m = models()
    dms = signed_in(portal_client, app, factory.user(factory.org("garage"), roles=("partner_user",)))
    missing = op("garages_api", "get_quote").sync(987654, client=dms)
    assert isinstance(missing, m.ErrorEnvelope) and missing.error.code == "not_found"


def test_supplier_erp_journey_through_the_generated_client(portal_client, app, factory):
    from tests.plugins.parts_suppliers.helpers import csv_bytes, good_rows, xlsx_bytes

    m = models()
    org = factory.org("parts_supplier", name="华域配件", region="上海")
    erp = signed_in(portal_client, app, factory.user(org, roles=("partner_admin",)))
    pricing = signed_in(portal_client, app, factory.user(factory.insurer(), roles=("pricing",)))
    upload = op("parts_prices", "upload_price_list")

    first = upload.sync(client=erp, body=m.Upload(file=portal_client.types.File(
        io.BytesIO(csv_bytes(good_rows(3))), "prices.csv", "text/csv")))
    assert isinstance(first, m.PriceList), first
    op("parts_prices", "approve_price_list").sync(first.id, client=pricing, body=m.Decision())

    rows = good_rows(4, price=90)
    second = upload.sync(client=erp, body=m.Upload(file=portal_client.types.File(
        io.BytesIO(xlsx_bytes(rows)), "prices.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))
    assert isinstance(second, m.PriceList), second
    detail = op("parts_prices", "get_price_list").sync(second.id, client=erp)
    assert isinstance(detail, m.PriceListDetail), detail
    assert detail.diff_against_version == first.version
    assert [p.part_no for p in detail.changes["added"]] == ["P0004"]
