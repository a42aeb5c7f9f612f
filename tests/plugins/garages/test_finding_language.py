"""A finding's sentence in the reader's language (issue 23, D-10): written at display time
from its code and parameters, on the pages in the viewer's language and in the API in the
language asked by ``Accept-Language``; the code never changes."""
from __future__ import annotations

from .conftest import create, make_claim, part
from .test_pages import As

ZH = "单价 ¥841.00 高于参考价 ¥800.00 超过 5%。"
EN = "Unit price ¥841.00 is above the reference price ¥800.00 by more than 5%."


def test_the_price_finding_reads_in_chinese_and_english_on_the_pages(app, people, garage_api, catalog):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="841")], submit=True)
    assert [f["code"] for f in q["findings"]] == ["PRICE_ABOVE_REFERENCE"]
    a = As(app, people.assessor)
    zh = a.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "单价高于参考价" in zh and ZH in zh and "Unit price" not in zh
    a.post("/lang/en", data={})
    en = a.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert EN in en and "单价" not in en


def test_the_api_keeps_the_code_and_answers_the_message_in_the_language_asked(people, garage_api, catalog):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="841")], submit=True)

    def finding(**headers):
        body = garage_api.get(f"/quotes/{q['id']}", headers=headers).get_json()
        return next(f for f in body["findings"] if f["code"] == "PRICE_ABOVE_REFERENCE")

    assert finding(**{"Accept-Language": "zh-CN,zh;q=0.9"})["message"] == ZH
    assert finding(**{"Accept-Language": "en-US,en;q=0.8"})["message"] == EN
    plain = finding()["message"]            # no language asked: the English text as before
    assert plain.startswith("Unit price 841.00 is above the reference price 800.00")
