"""Notifications in the reader's language (issue 23, D-10): one event, each recipient told
in their own language, with money as ¥1,234.50 and the time in Beijing time."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .test_salvage_api import _award


def test_the_award_reaches_an_english_and_a_chinese_reader_each_in_their_language(api_as, desk, vendor, open_lot,
                                                                                   factory):
    from portal.extensions import db
    from portal.notifications.models import Notification

    chinese = vendor()
    english = factory.user(chinese.organization)
    english.locale, chinese.locale = "en", "zh"
    db.session.commit()
    ids = {"en": english.id, "zh": chinese.id}
    lot = open_lot()
    assert api_as(chinese).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "41234.5"}).status_code == 201
    awarded = _award(api_as, desk, lot["id"])
    due = datetime.fromisoformat(awarded["pickup_due_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    beijing = due.strftime("%Y-%m-%d %H:%M")

    def note(lang):
        return db.session.scalars(sa.select(Notification).where(Notification.user_id == ids[lang],
                                                                Notification.kind == "salvage_lot.awarded")).one()

    en, zh = note("en"), note("zh")
    assert en.title.startswith("You won salvage lot") and not re.search(r"[\u4e00-\u9fff]", en.title + en.body)
    assert zh.title.startswith("您已中标") and "成交价" in zh.body and "You won" not in zh.title + zh.body
    for n in (en, zh):
        assert "¥41,234.50" in n.body and beijing in n.body
        assert "+00:00" not in n.body and not re.search(r"\d\d:\d\d:\d\d\.\d+", n.body)   # no UTC, no microseconds


def test_a_refused_bid_reads_in_the_readers_language_and_stays_english_in_the_api(client, web_login, api_as, vendor,
                                                                                 open_lot):
    """A service's message with a number: the page writes it in Chinese with ¥ formatting,
    the API keeps the English text (D-10: "Raise above your current bid of 72000.00.")."""
    lot = open_lot()
    v = vendor()
    assert api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "72000"}).status_code == 201
    api = api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "71000"})
    assert api.status_code == 422
    assert api.get_json()["error"]["details"]["amount"] == ["Raise above your current bid of 72000.00."]
    asked = api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "71000"},
                           headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_json()["error"]
    assert asked["code"] == "invalid" and asked["details"]["amount"] == ["新出价须高于您当前的出价 ¥72,000.00。"]
    web_login(v)
    page = client.post(f"/salvage/lots/{lot['id']}/bid", data={"amount": "71000"})
    assert page.status_code == 422
    assert "新出价须高于您当前的出价 ¥72,000.00。" in page.get_data(as_text=True)
