"""The pages of rounds: the garage's editor refuses a resubmission with an unanswered adjusted line
(every typed value kept, the error beside the line in Chinese), the review screen keeps every typed
adjustment on a failed decision, and both quote pages show the rounds and a supplement's delta."""
from __future__ import annotations

import re

from .conftest import create, line, make_claim, part
from .test_pages import As
from .test_quote_rounds import decide, returned_quote


def editor_form(page: str) -> dict:
    """The editor's rows as the page holds them (hidden ids, selects, inputs)."""
    data = {}
    for name, value in re.findall(r'<input[^>]*?name="(lines-\d+-[a-z_]+)"[^>]*?value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<select[^>]*name="(lines-\d+-[a-z_]+)"[^>]*>(.*?)</select>', page, re.S):
        m = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        data[name] = (m.group(1) or m.group(2)) if m else ""
    data["version"] = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    return {k: v for k, v in data.items() if not k.endswith("-accept")}


def test_editor_refuses_until_answered_then_resubmits(app, people, garage_api, api_as):
    q, ids = returned_quote(people, garage_api, api_as)
    g = As(app, people.garage_user)
    page = g.get(f"/garages/quotes/{q['id']}/edit").get_data(as_text=True)
    assert page.count('data-testid="adjustment"') == 3 and "价格偏高" in page
    form = editor_form(page)
    form["lines-1-comment"] = "本行未被调整"          # typed on a line that needs no answer
    form["lines-2-comment"] = "格栅确为本次碰撞"       # answers line 3
    r = g.post(f"/garages/quotes/{q['id']}/edit", data={**form, "action": "submit"})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "第 1 行：请接受核损员的调整或填写答复" in text and "第 4 行：请接受核损员的调整或填写答复" in text
    assert "第 3 行：请" not in text and "lines.0" not in text
    assert 'value="本行未被调整"' in text and 'value="格栅确为本次碰撞"' in text   # nothing typed is lost
    form.update({"lines-0-accept": "y", "lines-3-comment": "喷漆按原价"})
    r = g.post(f"/garages/quotes/{q['id']}/edit", data={**form, "action": "submit"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    body = garage_api.get(f"/quotes/{q['id']}").get_json()
    assert body["status"] == "submitted" and body["lines"][0]["amount"] == "800.00"
    detail = g.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert 'data-testid="rounds"' in detail and "已接受核损调整" in detail and "格栅确为本次碰撞" in detail


def test_review_failed_decision_keeps_every_adjustment_in_chinese(app, people, garage_api):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="1000"), line("labor", "拆装", "2", "100"),
                                   line("paint", "喷漆", "3", "150")], submit=True)
    a = As(app, people.assessor)
    ids = [ln["id"] for ln in q["lines"]]
    data = {"version": str(q["version"]), "action": "approve", "comment": "同意部分",
            f"price-{ids[0]}": "900", f"reason-{ids[0]}": "PRICE_HIGH",
            f"qty-{ids[1]}": "1.5", f"reason-{ids[1]}": "LABOR_HIGH",
            f"price-{ids[2]}": "12x"}
    r = a.post(f"/garages/quotes/{q['id']}/decide", data=data)
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "第 3 行：" in text and "lines." not in text
    assert 'value="900"' in text and 'value="1.5"' in text and 'value="12x"' in text and "同意部分" in text
    data[f"price-{ids[2]}"] = "120"                      # now a reduction without a reason on line 3
    text = a.post(f"/garages/quotes/{q['id']}/decide", data=data).get_data(as_text=True)
    assert "第 3 行：请选择核减原因" in text and 'value="120"' in text and 'value="900"' in text
    data.update({f"reason-{ids[2]}": "PRICE_HIGH", "version": str(q["version"] + 5)})   # a stale version
    r = a.post(f"/garages/quotes/{q['id']}/decide", data=data)
    assert r.status_code == 409
    text = r.get_data(as_text=True)
    assert 'value="120"' in text and 'value="1.5"' in text and "同意部分" in text


def test_review_and_garage_pages_show_the_supplement_delta(app, people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="1000"), line("labor", "拆装", "2", "100")], submit=True)
    q = decide(api_as(people.assessor), q, "approve").get_json()
    s = create(garage_api, claim, [line("labor", "拆装", "1", "100"), part(part_no="5G0853651", name="格栅", price="300")],
               supplement_to=q["id"], submit=True)
    for who in (people.assessor, people.garage_user):
        text = As(app, who).get(f"/garages/quotes/{s['id']}").get_data(as_text=True)
        assert 'data-testid="supplement-delta"' in text and "新增 1 项，变更 1 项，删除 0 项" in text
        assert re.search(r'data-testid="delta-total">\+¥400\.00<', text), text[text.find("delta-total") - 50:][:200]
