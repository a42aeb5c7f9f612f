"""Reference prices, localized prices, labour rates, regional standards, the catalog hook."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.querycount import count_queries

from .helpers import csv_bytes, upload


def _current_list(api_as, pricing, user, rows):
    pl = upload(api_as(user), csv_bytes(rows)).get_json()
    assert api_as(pricing).post(f"/price-lists/{pl['id']}/approve").status_code == 200
    return pl


@pytest.fixture
def two_suppliers(factory, api_as, pricing):
    a_org = factory.org("parts_supplier", name="A", region="上海")
    b_org = factory.org("parts_supplier", name="B", region="上海")
    far_org = factory.org("parts_supplier", name="Far", region="北京")
    a, b, far = (factory.user(o, roles=("partner_admin",)) for o in (a_org, b_org, far_org))
    _current_list(api_as, pricing, a, [("L18D807221", "前保险杠", "genuine", "", "", "1280.00", "", ""),
                                       ("L18D807221", "前保险杠", "equivalent", "", "", "700.00", "", "")])
    _current_list(api_as, pricing, b, [("L18D807221", "前保险杠", "genuine", "", "", "1199.00", "", "")])
    _current_list(api_as, pricing, far, [("L18D807221", "前保险杠", "genuine", "", "", "900.00", "", "")])
    return a_org, b_org, far_org


def test_reference_from_lowest_supplier_in_region_then_localized(api_as, factory, pricing, two_suppliers):
    _, b_org, _ = two_suppliers
    assessor = api_as(factory.user(factory.insurer(), roles=("assessor",)))
    r = assessor.get("/parts/L18D807221/reference?quality=genuine&region=上海")
    assert r.status_code == 200
    assert r.get_json() == {"part_no": "L18D807221", "quality": "genuine", "reference_price": "1199.00",
                            "source": "supplier", "supplier_id": b_org.id}
    assert assessor.get("/parts/L18D807221/reference?quality=equivalent&region=上海").get_json()[
        "reference_price"] == "700.00"
    put = api_as(pricing).put("/parts/L18D807221/localized-price",
                              json={"quality": "genuine", "region": "上海", "price": "1150.00"})
    assert put.status_code == 200 and put.get_json()["price"] == "1150.00"
    r = assessor.get("/parts/L18D807221/reference?quality=genuine&region=上海").get_json()
    assert r == {"part_no": "L18D807221", "quality": "genuine", "reference_price": "1150.00",
                 "source": "localized", "supplier_id": None}
    api_as(pricing).put("/parts/L18D807221/localized-price", json={"quality": "genuine", "region": "上海",
                                                                  "price": "1170.00"})
    assert assessor.get("/parts/L18D807221/reference?quality=genuine&region=上海").get_json()[
        "reference_price"] == "1170.00"
    assert assessor.get("/parts/L18D807221/reference?quality=genuine&region=北京").get_json()[
        "reference_price"] == "900.00"


def test_reference_404_and_suspended_suppliers_ignored(api_as, factory, pricing, two_suppliers):
    from portal.extensions import db

    _, b_org, _ = two_suppliers
    assessor = api_as(factory.user(factory.insurer(), roles=("assessor",)))
    assert assessor.get("/parts/NOPE/reference?quality=genuine&region=上海").status_code == 404
    assert assessor.get("/parts/L18D807221/reference?quality=recycled&region=上海").status_code == 404
    assert assessor.get("/parts/L18D807221/reference?quality=gold&region=上海").status_code == 422
    b_org.status = "suspended"
    db.session.commit()
    assert assessor.get("/parts/L18D807221/reference?quality=genuine&region=上海").get_json()[
        "reference_price"] == "1280.00"


def test_localized_price_rules(api_as, factory, pricing):
    assessor = api_as(factory.user(factory.insurer(), roles=("assessor",)))
    body = {"quality": "genuine", "region": "上海", "price": "10.00"}
    assert assessor.put("/parts/X/localized-price", json=body).status_code == 403
    for bad in ({**body, "price": "0"}, {**body, "price": "1.001"}, {**body, "price": 1.5}, {**body, "quality": "x"},
                {"quality": "genuine", "price": "1"}):
        r = api_as(pricing).put("/parts/X/localized-price", json=bad)
        assert r.status_code == 422, bad


def test_labor_rate_for_garages_only(api_as, factory, pricing):
    garage = factory.org("garage")
    supplier = factory.org("parts_supplier")
    api = api_as(pricing)
    r = api.put(f"/organizations/{garage.id}/labor-rate", json={"rate": "120.00"})
    assert r.status_code == 200 and r.get_json()["rate"] == "120.00"
    assert api.put(f"/organizations/{supplier.id}/labor-rate", json={"rate": "120.00"}).status_code == 422
    assert api.put("/organizations/999999/labor-rate", json={"rate": "120.00"}).status_code == 404
    assert api.put(f"/organizations/{garage.id}/labor-rate", json={"rate": "-1"}).status_code == 422
    assessor = api_as(factory.user(factory.insurer(), roles=("assessor",)))
    assert assessor.put(f"/organizations/{garage.id}/labor-rate", json={"rate": "1"}).status_code == 403
    api.put(f"/organizations/{garage.id}/labor-rate", json={"rate": "130.00"})
    history = api.get(f"/organizations/{garage.id}/labor-rates").get_json()
    assert [h["rate"] for h in history] == ["130.00", "120.00"]


def test_catalog_rates_and_towing(api_as, factory, pricing, app):
    from portal.catalog import get_catalog

    garage = factory.org("garage", region="上海")
    other = factory.org("garage", region="上海")
    api = api_as(pricing)
    catalog = get_catalog()
    assert catalog.labor_rate(garage.id, "上海") is None and catalog.towing_fee("上海") is None
    assert api.put("/regions/上海/standards", json={"labor_rate": "100.00", "towing_fee": "300.00"}).status_code == 200
    assert api.put("/regions/上海/standards", json={"towing_fee": "350.00"}).get_json() == {
        "region": "上海", "labor_rate": "100.00", "towing_fee": "350.00",
        "set_at": api.get("/regions/上海/standards").get_json()["set_at"]}
    assert api.put("/regions/上海/standards", json={}).status_code == 422
    api.put(f"/organizations/{garage.id}/labor-rate", json={"rate": "125.50"})
    garage_id, other_id = garage.id, other.id
    with count_queries() as q:   # the agreed rate, else the region's standard: one statement
        assert catalog.labor_rate(garage_id, "上海") == Decimal("125.50")
        assert catalog.labor_rate(other_id, "上海") == Decimal("100.00")
        assert catalog.labor_rate(other_id, "北京") is None
    assert q.count == 3, q
    assert catalog.towing_fee("上海") == Decimal("350.00")
    assert catalog.towing_fee("北京") is None


def test_catalog_reference_prices_for_50_lines_cost_one_query(api_as, factory, pricing):
    from portal.catalog import get_catalog

    org = factory.org("parts_supplier", region="上海")
    user = factory.user(org, roles=("partner_admin",))
    rows = [(f"P{i:03d}", f"part {i}", "genuine", "", "", f"{100 + i}.00", "", "") for i in range(60)]
    _current_list(api_as, pricing, user, rows)
    api_as(pricing).put("/parts/P001/localized-price", json={"quality": "genuine", "region": "上海", "price": "5"})
    catalog = get_catalog()
    pairs = [(f"P{i:03d}", "genuine") for i in range(50)]
    with count_queries() as q:
        refs = catalog.reference_prices(pairs, "上海")
    assert q.count == 1, q   # localized and supplier prices in one statement
    assert len(refs) == 50
    assert refs[("P001", "genuine")].price == Decimal("5.00") and refs[("P001", "genuine")].source == "localized"
    assert refs[("P049", "genuine")].price == Decimal("149.00") and refs[("P049", "genuine")].supplier_id == org.id
    with count_queries() as q:
        known = catalog.known_part_nos(["P001", "P002", "ZZZ", "p003"])
    assert q.count == 1 and known == {"P001", "P002", "p003"}


def test_part_info_family_and_components(api_as, factory, pricing):
    from portal.catalog import get_catalog

    from .helpers import HEADER_EN

    org = factory.org("parts_supplier", region="上海")
    user = factory.user(org, roles=("partner_admin",))
    header = HEADER_EN.strip() + ",family,assembly_no\n"
    data = csv_bytes([("MIR-ASSY", "mirror assembly", "genuine", "", "", "860", "", "", "", ""),
                      ("MIR-GLASS", "mirror glass", "genuine", "", "", "180", "", "", "玻璃", "MIR-ASSY"),
                      ("MIR-COVER", "mirror cover", "genuine", "", "", "120", "", "", "", "MIR-ASSY"),
                      ("WS-1", "windscreen", "genuine", "", "", "1650", "", "", "glass", "")], header=header)
    pl = upload(api_as(user), data).get_json()
    api_as(pricing).post(f"/price-lists/{pl['id']}/approve")
    with count_queries() as q:
        info = get_catalog().part_info(["MIR-ASSY", "WS-1", "NONE"])
    assert q.count == 1
    assert info["MIR-ASSY"].components == ("MIR-COVER", "MIR-GLASS") and info["MIR-ASSY"].family is None
    assert info["WS-1"].family == "glass" and info["WS-1"].components == ()
    assert "NONE" not in info


def test_unknown_family_is_a_row_error(api_as, supplier):
    from .helpers import HEADER_EN

    _, user = supplier
    header = HEADER_EN.strip() + ",family\n"
    r = upload(api_as(user), csv_bytes([("A", "a", "genuine", "", "", "1", "", "", "plastic")], header=header))
    assert r.status_code == 422 and r.get_json()["error"]["details"]["rows"] == [
        {"row": 2, "column": "family", "message": "Unknown part family (glass/aluminium/gearbox/electronics)."}]


def test_a_partner_never_reads_a_competitors_identity_or_list_price(api_as, factory, pricing, two_suppliers):
    """Security review M5: staff see whose price the reference is; a garage the amount only; a
    competing supplier neither the identity nor the exact price; the supplier itself its own."""
    a_org, b_org, _ = two_suppliers
    path = "/parts/L18D807221/reference?quality=genuine&region=上海"
    garage = api_as(factory.user(factory.org("garage", region="上海"), roles=("partner_user",)))
    assert garage.get(path).get_json() == {"part_no": "L18D807221", "quality": "genuine",
                                           "reference_price": "1199.00", "source": "supplier", "supplier_id": None}
    rival = api_as(factory.user(a_org, roles=("partner_user",)))
    assert rival.get(path).get_json() == {"part_no": "L18D807221", "quality": "genuine", "reference_price": None,
                                          "source": "supplier", "supplier_id": None}
    own = api_as(factory.user(b_org, roles=("partner_user",))).get(path).get_json()
    assert own["reference_price"] == "1199.00" and own["supplier_id"] == b_org.id
    api_as(pricing).put("/parts/L18D807221/localized-price", json={"quality": "genuine", "region": "上海",
                                                                  "price": "1150.00"})
    assert rival.get(path).get_json()["reference_price"] == "1150.00"   # the insurer's own figure


def test_my_prices_page_shows_the_position_never_a_rivals_price(app, api_as, factory, pricing, two_suppliers):
    """Supplier A (1,280) is above the reference, which is B's 1,199: A sees 'above', never 1,199
    nor the exact gap (which would give it away); the XLSX export likewise."""
    import io

    import openpyxl

    from tests.conftest import login

    a_org, _, _ = two_suppliers
    user = factory.user(a_org, roles=("partner_user",))
    client = app.test_client()
    assert login(client, user).status_code == 302
    html = client.get("/parts/my-prices").get_data(as_text=True)
    row = html[html.index("L18D807221"):html.index("</tr>", html.index("L18D807221"))]
    assert "1,280.00" in row and "1,199.00" not in row and "%" not in row, row
    book = openpyxl.load_workbook(io.BytesIO(client.get("/parts/my-prices?export=xlsx").data))
    values = [c.value for r in book.active.iter_rows(min_row=2) for c in r]
    numbers = {Decimal(str(v)) for v in values if isinstance(v, (int, float, Decimal))}
    assert Decimal("1280") in numbers and Decimal("1199") not in numbers, values
