"""``GET /api/v1/codes/{list}`` (the partner contract, "Codes"): the lists that are configuration, each code
with its Chinese and English label, read from where the rule lives."""
from __future__ import annotations

import re

import pytest

CHINESE = re.compile(r"[\u4e00-\u9fff]")
LISTS = ("reduction-reasons", "hold-reasons", "finding-codes", "risk-reasons")


@pytest.mark.parametrize("name", LISTS)
def test_each_list_has_every_code_in_chinese_and_english(api_as, factory, name):
    garage_user = factory.user(factory.org("garage"), roles=("partner_admin",))
    answer = api_as(garage_user).get(f"/codes/{name}")
    assert answer.status_code == 200, answer.get_json()
    items = answer.get_json()["items"]
    assert items, name
    codes = [item["code"] for item in items]
    assert len(codes) == len(set(codes))
    for item in items:
        assert set(item) == {"code", "label_zh", "label_en"}
        assert CHINESE.search(item["label_zh"]), item            # a word, never the code again
        assert not CHINESE.search(item["label_en"]) and item["label_en"] != item["code"], item


def test_the_lists_follow_the_rules_in_force(app, api_as, factory):
    """The lists come from the areas' ``portal_code_lists``: a changed programme rule changes them."""
    staff = factory.user(factory.insurer(), roles=("assessor",))
    before = [i["code"] for i in api_as(staff).get("/codes/reduction-reasons").get_json()["items"]]
    assert "PRICE_HIGH" in before and "OTHER" in before
    app.config["GARAGES_RULES"] = {"reduction_reasons": ["PRICE_HIGH", "OTHER"], "hold_reasons": ["OTHER"]}
    try:
        assert [i["code"] for i in api_as(staff).get("/codes/reduction-reasons").get_json()["items"]] == [
            "PRICE_HIGH", "OTHER"]
        assert [i["code"] for i in api_as(staff).get("/codes/hold-reasons").get_json()["items"]] == ["OTHER"]
    finally:
        app.config.pop("GARAGES_RULES")


def test_an_unknown_list_is_404_and_a_stranger_401(api_as, factory):
    user = factory.user(factory.insurer(), roles=("assessor",))
    answer = api_as(user).get("/codes/reduction_reasons")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
    assert api_as().get("/codes/reduction-reasons").status_code == 401


def test_the_webhook_events_list_is_the_catalogue(api_as, factory):
    user = factory.user(factory.org("garage"), roles=("partner_admin",))
    listed = api_as(user).get("/codes/webhook-events").get_json()["items"]
    catalogue = [e["name"] for e in api_as(user).get("/webhooks/events").get_json()]
    assert [item["code"] for item in listed] == catalogue and "quote.returned" in catalogue
    returned = next(item for item in listed if item["code"] == "quote.returned")
    assert CHINESE.search(returned["label_zh"]) and not CHINESE.search(returned["label_en"])
