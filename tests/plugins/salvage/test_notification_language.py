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
                                                                Notification.kind == "salvage.awarded")).one()

    en, zh = note("en"), note("zh")
    assert en.title.startswith("You won salvage lot") and not re.search(r"[\u4e00-\u9fff]", en.title + en.body)
    assert zh.title.startswith("您已中标") and "成交价" in zh.body and "You won" not in zh.title + zh.body
    for n in (en, zh):
        assert "¥41,234.50" in n.body and beijing in n.body
        assert "+00:00" not in n.body and not re.search(r"\d\d:\d\d:\d\d\.\d+", n.body)   # no UTC, no microseconds
