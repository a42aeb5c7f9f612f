"""The lot page's audit trail (操作日志) is readable (issue 23, D-14): who by name, the
action and the fields in the glossary's words, money and times formatted, nothing cut."""
from __future__ import annotations

import re
from html import unescape

from .test_salvage_api import _award


def _trail(html: str) -> str:
    table = html[html.index('class="table table-sm mb-0 audit-trail"'):]
    table = table[:table.index("</table>")]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))).replace(" :", ":")


def test_an_award_reads_as_words_names_and_formatted_values(client, web_login, api_as, desk, vendor, open_lot):
    from portal.extensions import db

    desk.name = "王核损"
    db.session.commit()
    lot = open_lot()
    bidder = vendor()
    bidder.organization.name = "上海顺通损余回收有限公司"
    db.session.commit()
    assert api_as(bidder).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "41234.5"}).status_code == 201
    _award(api_as, desk, lot["id"])   # close, then award: two transitions through the service
    web_login(desk)
    page = client.get(f"/salvage/lots/{lot['id']}")
    assert page.status_code == 200
    html = page.data.decode()
    text = _trail(html)
    assert "王核损" in text                                    # the operator by name, not an id
    assert "定标" in text and "新建" in text                   # actions as words
    assert "竞价已截止 → 已成交" in text                        # the status change in the glossary's words
    assert "中标机构: — → 上海顺通损余回收有限公司" in text       # an organization by name
    assert "金额: — → ¥41,234.50" in text and "保留价: ¥30,000.00" in text
    assert re.search(r"提车期限: \d{4}-\d\d-\d\d \d\d:\d\d\b", text)   # Beijing time, to the minute
    for raw in ("award", "winner_id", "bidding_closes_at", "None", "+00:00", "41234.5 "):
        assert raw not in text, raw
    assert "text-truncate" not in html[html.index("audit-trail"):]
