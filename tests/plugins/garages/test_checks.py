"""The eleven built-in checks (核损规则): each fires on a quote built for it and stays
silent on a clean one; the checks of one quote run a bounded number of queries."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from .conftest import VIN, create, line, make_claim, part

CLEAN = [part(price="800"), line("labor", "拆装前保险杠", "1.5", "120"), line("paint", "前保险杠喷漆", "2", "100"),
         line("material", "机油", "4", "50"), line("rescue", "拖车", "1", "400"),
         {"kind": "repair", "part_no": "REPAIRME", "name": "翼子板钣金", "quantity": "2", "unit_price": "100"}]


def codes(quote):
    return sorted(f["code"] for f in quote["findings"])


def precheck(api, claim, lines):
    q = create(api, claim, lines)
    r = api.post(f"/quotes/{q['id']}/precheck")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_clean_quote_has_no_findings(people, garage_api, catalog):
    claim = make_claim(people.garage, color="yellow", actual_value="200000", policy_cover="100000")
    body = precheck(garage_api, claim, CLEAN)
    assert body["findings"] == [] and set(catalog.calls) == {"reference_prices", "known_part_nos", "part_info",
                                                               "labor_rate", "towing_fee"}


CASES = {
    "PRICE_ABOVE_REFERENCE": [part(price="841")],                      # 800 × 1.05 = 840
    "PART_NOT_IN_CATALOG": [part(part_no="XX-CUSTOM", name="饰条")],
    "REPAIR_COSTS_MORE_THAN_REPLACE": [{"kind": "repair", "part_no": "REPAIRME", "name": "翼子板钣金",
                                        "quantity": "5", "unit_price": "120"}],   # 600 ≥ reference 600
    "REPLACE_WHERE_REPAIRABLE": [part(part_no="GLASS01", name="前挡", price="100")],
    "ASSEMBLY_WHERE_COMPONENT": [part(part_no="ASSY01", name="前大灯", price="100")],
    "LABOR_RATE_ABOVE_AGREED": [line("labor", "拆装", "1", "120.01")],
    "MATERIAL_OVER_STANDARD": [line("material", "冷却液", "6.5", "30")],
    "RESCUE_ABOVE_SCHEDULE": [line("rescue", "拖车", "1", "500.01")],
    "TOTAL_LOSS_SUSPECTED": [part(price="800", qty="200")],             # 160,000 ≥ 80% of 200,000
    "POLICY_LIMIT_EXCEEDED": [part(price="800", qty="126")],            # 100,800 > 100,000
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_check_fires_on_a_quote_built_for_it(people, garage_api, catalog, code):
    claim = make_claim(people.garage, color="yellow", actual_value="200000" if code != "POLICY_LIMIT_EXCEEDED"
                       else "500000", policy_cover="100000" if code != "TOTAL_LOSS_SUSPECTED" else "900000")
    body = precheck(garage_api, claim, CASES[code])
    assert code in codes(body), body["findings"]
    f = next(f for f in body["findings"] if f["code"] == code)
    assert f["severity"] in ("info", "warn", "block") and f["message"] and f["rules_version"] == "2026.1"
    if code == "PRICE_ABOVE_REFERENCE":
        assert f["suggested_unit_price"] == "800.00"
    if code == "LABOR_RATE_ABOVE_AGREED":
        assert f["suggested_unit_price"] == "120.00"


def test_price_at_tolerance_is_silent(people, garage_api, catalog):
    claim = make_claim(people.garage, color="yellow")
    assert "PRICE_ABOVE_REFERENCE" not in codes(precheck(garage_api, claim, [part(price="840")]))


def test_repairable_by_name_without_catalog_family(people, garage_api, catalog):
    claim = make_claim(people.garage, color="yellow")
    body = precheck(garage_api, claim, [part(part_no="5G0821105", name="变速箱总成", price="1500")])
    assert "REPLACE_WHERE_REPAIRABLE" in codes(body)


def test_remaining_cover_counts_other_approved_quotes_on_the_policy(people, garage_api, api_as, catalog):
    first = make_claim(people.garage, color="yellow", policy_no="POL-SAME", policy_cover="10000", vin="LSVAU2180N2183295")
    q = create(garage_api, first, [part(price="800", qty="10")], submit=True)
    api_as(people.assessor).post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": q["version"]})
    second = make_claim(people.garage, color="yellow", policy_no="POL-SAME", policy_cover="10000")
    assert "POLICY_LIMIT_EXCEEDED" in codes(precheck(garage_api, second, [part(price="800", qty="3")]))  # 2400 > 2000
    third = make_claim(people.garage, color="yellow", policy_no="POL-SAME", policy_cover="10000")
    assert "POLICY_LIMIT_EXCEEDED" not in codes(precheck(garage_api, third, [part(price="800", qty="2")]))


def test_duplicate_part_history_on_the_same_vin(people, garage_api, api_as, catalog):
    older = make_claim(people.garage, color="yellow")
    q = create(garage_api, older, [part(price="800")], submit=True)
    api_as(people.assessor).post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": q["version"]})
    newer = make_claim(people.garage, color="yellow")
    body = precheck(garage_api, newer, [part(price="800"), part(part_no="5G0821105", name="翼子板", price="1500")])
    dup = [f for f in body["findings"] if f["code"] == "DUPLICATE_PART_HISTORY"]
    assert len(dup) == 1 and older.claim_no in dup[0]["message"]
    other_vin = make_claim(people.garage, color="yellow", vin="LSVAU2180N2183296")
    assert "DUPLICATE_PART_HISTORY" not in codes(precheck(garage_api, other_vin, [part(price="800")]))


def test_duplicate_history_window_is_24_months(people, garage_api, api_as, catalog):
    from portal.extensions import db
    from plugins.garages.models import Quote

    older = make_claim(people.garage, color="yellow")
    q = create(garage_api, older, [part(price="800")], submit=True)
    api_as(people.assessor).post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": q["version"]})
    row = db.session.get(Quote, q["id"])
    row.decided_at = row.decided_at - timedelta(days=30 * 25)
    db.session.commit()
    newer = make_claim(people.garage, color="yellow")
    assert "DUPLICATE_PART_HISTORY" not in codes(precheck(garage_api, newer, [part(price="800")]))


def test_without_a_catalog_the_catalog_checks_report_nothing(people, garage_api, monkeypatch):
    from plugins.garages import checks

    monkeypatch.setattr(checks, "get_catalog", lambda: None)   # as when no catalog plugin is enabled
    claim = make_claim(people.garage, color="yellow")
    body = precheck(garage_api, claim, [part(part_no="XX-CUSTOM", price="99999"), line("labor", "拆装", "1", "999"),
                                        line("rescue", "拖车", "1", "9999")])
    assert codes(body) == []


def test_findings_are_stored_on_submission_and_routed_lines_marked(people, garage_api, catalog):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(part_no="GLASS01", name="前挡", price="100"), part(price="900")], submit=True)
    assert codes(q) == ["PRICE_ABOVE_REFERENCE", "REPLACE_WHERE_REPAIRABLE"]
    assert [ln["routed_to_specialist"] for ln in q["lines"]] == [True, False]
    by_line = {f["code"]: f["line_id"] for f in q["findings"]}
    assert by_line["REPLACE_WHERE_REPAIRABLE"] == q["lines"][0]["id"]


def _quote_with_lines(people, n):
    from portal.extensions import db
    from plugins.garages.models import Quote, QuoteLine

    claim = make_claim(people.garage, color="yellow")
    quote = Quote(claim_id=claim.id, garage_id=people.garage.id, status="draft", version=1,
                  total_submitted=Decimal("0"))
    kinds = ["part", "labor", "material", "rescue", "repair"]
    for i in range(n):
        kind = kinds[i % 5]
        quote.lines.append(QuoteLine(position=i, kind=kind, part_no=f"P{i}" if kind in ("part", "repair") else None,
                                     name="机油" if kind == "material" else f"line {i}",
                                     quality="genuine" if kind == "part" else None, quantity=Decimal("1"),
                                     unit_price=Decimal("100"), amount=Decimal("100")))
    quote.total_submitted = Decimal(100 * n)
    db.session.add(quote)
    db.session.commit()
    return quote.id


def test_checks_run_a_bounded_number_of_queries_whatever_the_line_count(people, catalog):
    from portal.extensions import db
    from plugins.garages.checks import collect_findings
    from plugins.garages.models import Quote
    from tests.querycount import count_queries

    counts = []
    for n in (5, 50):
        qid = _quote_with_lines(people, n)
        db.session.expire_all()
        quote = db.session.get(Quote, qid)
        with count_queries() as counter:
            collect_findings(quote)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    # + the claim's other quotes for TOTAL_LOSS_SUSPECTED, the quote's photos (PHOTO_REUSED and
    # PHOTO_BEFORE_ACCIDENT; the photos' matches are one more only when a photo has a hash)
    assert counts[1] <= 9, counts
