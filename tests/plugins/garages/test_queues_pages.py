"""Issue 21, items 4–6 through the pages: the claim page's quotes and the one chain rule, the
decision area saying what will happen (at the authority's exact boundary), the queues people
work from (search, sort, time left, escalations first, fixed query counts) and the sampling
page's button."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from .conftest import create, line, make_claim, part
from .test_pages import As


def _claim(garage, plate, vin, color="yellow", claim_no=None):
    from portal.extensions import db

    claim = make_claim(garage, color=color, vin=vin)
    claim.plate = plate
    claim.claim_no = claim_no or claim.claim_no
    db.session.commit()
    return claim


def _shown(html: str) -> list[int]:
    """The quotes of a list page, in their order."""
    return [int(n) for n in re.findall(r'<tr data-quote="(\d+)"', html)]


def _statements(browser, url):
    from portal.extensions import db
    from tests.querycount import count_queries

    with count_queries(db.engine) as counter:
        r = browser.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
    return counter.count, r.get_data(as_text=True)


# ------------------------------------------------------------------ the review queue


def test_the_queue_searches_by_plate_claim_number_and_vin_in_a_fixed_number_of_statements(app, people, garage_api):
    a_claim = _claim(people.garage, "沪B·77881", "LSVAU2180N2100001", claim_no="RDAA2026310000A00901")
    b_claim = _claim(people.garage, "沪C12345", "WDD2050421F000002", claim_no="RDAA2026310000B00902")
    a = create(garage_api, a_claim, [part()], submit=True)
    b = create(garage_api, b_claim, [part()], submit=True)
    staff = As(app, people.supervisor)
    staff.get("/garages/queue?scope=team")   # the principal kept, the catalogues loaded
    plain, html = _statements(staff, "/garages/queue?scope=team")
    assert set(_shown(html)) == {a["id"], b["id"]}
    assert "沪B·77881" in html and "Passat" in html     # the plate and vehicle columns
    for typed, found in ((a_claim.claim_no, a), ("rdaa2026310000a", a),          # claim no, exact and prefix
                         ("沪b 7788", a), ("沪B·77881", a), ("沪C12345", b),         # plate: prefix, any case,
                         ("沪C·123", b),                                              # with or without its dot
                         ("wdd2050421f000002", b), ("LSVAU2180N21", a)):             # VIN, exact and prefix
        n, html = _statements(staff, f"/garages/queue?scope=team&q={typed}")
        assert _shown(html) == [found["id"]], typed
        assert n == plain, f"{typed}: {n} statements, {plain} without a search"
    # not a contains-search, and LIKE's wildcards are plain characters
    for typed in ("77881", "%", "_", "沪%", "N2100001", "-"):
        assert _shown(staff.get(f"/garages/queue?scope=team&q={typed}").get_data(as_text=True)) == [], typed
    # bad input never gives a 500
    for typed in ("x" * 5000, "\x00\x1f", "'; DROP TABLE claims; --", "%E0%A4%A", "😀"):
        assert staff.get("/garages/queue?scope=team&q=" + typed).status_code == 200
    more = [create(garage_api, _claim(people.garage, f"沪D{i}0000", f"LFV2A21K9E41{i:05d}"), [part()], submit=True)
            for i in range(4)]
    n, html = _statements(staff, "/garages/queue?scope=team")
    assert len(_shown(html)) == 6 and n == plain, "the queue reads as many statements for 6 rows as for 2"
    n, html = _statements(staff, "/garages/queue?scope=team&q=沪D")
    assert sorted(_shown(html)) == sorted(q["id"] for q in more) and n == plain


def test_the_queue_sorts_by_a_whitelist(app, people, garage_api):
    from portal.extensions import db
    from plugins.garages.models import Quote

    ids = [create(garage_api, _claim(people.garage, f"沪E{i}", f"LSVAU2180N21{i:05d}"), [part(price=price)],
                  submit=True)["id"] for i, price in enumerate(("300.00", "900.00", "600.00"))]
    base = datetime.now().astimezone()
    for qid, due, sub in zip(ids, (3, 1, 2), (1, 3, 2)):   # due: #2 first; submitted: #1 first
        db.session.execute(sa.update(Quote).where(Quote.id == qid).values(
            due_at=base + timedelta(days=due), submitted_at=base - timedelta(hours=10 - sub)))
    db.session.commit()
    staff = As(app, people.assessor2)
    shown = lambda url: _shown(staff.get(url).get_data(as_text=True))   # noqa: E731
    assert shown("/garages/queue?scope=team") == [ids[1], ids[2], ids[0]]                 # by deadline
    assert shown("/garages/queue?scope=team&sort=due") == [ids[1], ids[2], ids[0]]
    assert shown("/garages/queue?scope=team&sort=amount") == [ids[1], ids[2], ids[0]]     # largest first
    assert shown("/garages/queue?scope=team&sort=submitted") == [ids[0], ids[2], ids[1]]  # oldest first
    for bad in ("id", "total_submitted desc", "amount;drop", "-due", ""):                # not in the list: by deadline
        r = staff.get(f"/garages/queue?scope=team&sort={bad}")
        assert r.status_code == 200 and _shown(r.get_data(as_text=True)) == [ids[1], ids[2], ids[0]], bad
    html = staff.get("/garages/queue?scope=team&sort=amount").get_data(as_text=True)
    assert 'aria-sort="descending"' in html and 'data-sort="amount"' in html


def test_the_time_left_to_the_deadline_in_words_and_colour_at_its_boundaries(app, people, garage_api):
    from portal.extensions import db
    from portal.timeutil import LOCAL_TZ, utcnow
    from plugins.garages.models import Quote

    ids = [create(garage_api, _claim(people.garage, f"沪F{i}", f"LSVAU2180N22{i:05d}"), [part()], submit=True)["id"]
           for i in range(4)]
    now = utcnow()
    end_today = datetime.combine(datetime.now(LOCAL_TZ).date() + timedelta(days=1), datetime.min.time(),
                                 tzinfo=LOCAL_TZ)
    dues = {ids[0]: now - timedelta(hours=26, minutes=5),   # overdue: red
            ids[1]: end_today - timedelta(minutes=1),        # due before the end of today (Beijing): amber
            ids[2]: end_today,                               # at midnight: tomorrow's, no colour
            ids[3]: end_today + timedelta(days=2)}
    for qid, due in dues.items():
        db.session.execute(sa.update(Quote).where(Quote.id == qid).values(due_at=due))
    db.session.commit()
    html = As(app, people.assessor2).get("/garages/queue?scope=team").get_data(as_text=True)
    clock = dict((int(q), c) for q, c in re.findall(r'<tr data-quote="(\d+)" data-clock="(\w+)"', html))
    if end_today - timedelta(minutes=1) > now:   # (not in the last minute of the day)
        assert clock == {ids[0]: "danger", ids[1]: "warning", ids[2]: "ok", ids[3]: "ok"}
    assert "已超时1天2小时" in html and "剩余2天" in html
    assert 'class="badge text-bg-danger" data-testid="clock">已超时1天2小时' in html


def test_a_supervisor_sees_the_escalations_first(app, people, garage_api, api_as):
    from portal.extensions import db
    from plugins.garages.models import Quote

    early = create(garage_api, _claim(people.garage, "沪G1", "LSVAU2180N2300001"), [part(price="900.00")], submit=True)
    big = create(garage_api, _claim(people.garage, "沪G2", "LSVAU2180N2300002"),
                 [line("outsourced", "钣金", "1", "30000.00")], submit=True)
    r = api_as(people.assessor).post(f"/quotes/{big['id']}/decisions", json={"action": "approve",
                                                                             "version": big["version"]})
    assert r.status_code == 200 and r.get_json()["status"] == "escalated", r.get_json()
    db.session.execute(sa.update(Quote).where(Quote.id == big["id"]).values(
        due_at=datetime.now().astimezone() + timedelta(days=9)))   # due last: first all the same
    db.session.commit()
    owner = db.session.get(Quote, big["id"]).assigned_reviewer_id
    sup = people.supervisor if owner == people.supervisor.id else people.supervisor2
    for url in ("/garages/queue?scope=team", "/garages/queue?scope=team&sort=submitted"):
        html = As(app, sup).get(url).get_data(as_text=True)
        assert _shown(html)[:2] == [big["id"], early["id"]], url
        assert "上报件排在最前" in html
    # an assessor's queue stays by deadline
    assert _shown(As(app, people.assessor2).get("/garages/queue?scope=team&status=submitted")
                  .get_data(as_text=True)) == [early["id"]]


# ------------------------------------------------------------------ the garage's quotes


def test_the_garages_list_searches_its_own_quotes_only(app, people, garage_api, api_as):
    ours = create(garage_api, _claim(people.garage, "沪H55501", "LSVAU2180N2400001"), [part()], submit=True)
    claim = _claim(people.other_garage, "沪H55502", "LSVAU2180N2400002")
    theirs = create(api_as(people.other_user), claim, [part()], submit=True)
    g = As(app, people.garage_user)
    g.get("/garages/quotes")
    plain, html = _statements(g, "/garages/quotes")
    assert _shown(html) == [ours["id"]] and "沪H55501" in html and "待核损" in html
    for typed in ("沪H555", "沪H55501", ours["claim_no"], "LSVAU2180N2400001", "lsvau2180n24"):
        n, html = _statements(g, f"/garages/quotes?q={typed}")
        assert _shown(html) == [ours["id"]], typed          # never the other garage's quote
        assert n == plain
    for typed in ("沪H55502", claim.claim_no, "LSVAU2180N2400002"):
        html = g.get(f"/garages/quotes?q={typed}").get_data(as_text=True)
        assert _shown(html) == [] and "没有与" in html and f'href="/garages/quotes/{theirs["id"]}"' not in html
    assert g.get("/garages/quotes?q=" + "%" * 300).status_code == 200


# ------------------------------------------------------------------ the claim page: one chain, visibly


def _actions(html: str) -> list[str]:
    return re.findall(r'data-action="([\w-]+)"', html)


def test_the_claim_page_offers_the_one_next_step_of_the_chain_and_audits_delete_and_withdraw(
        app, people, garage_api, api_as):
    from portal.audit.services import audit_trail
    from portal.extensions import db
    from plugins.garages.models import Quote

    claim = make_claim(people.garage, color="yellow")
    g = As(app, people.garage_user)
    page = lambda: g.get(f"/claims/{claim.claim_no}").get_data(as_text=True)   # noqa: E731
    html = page()
    assert _actions(html) == ["new-quote"] and "新建报价" in html
    draft = create(garage_api, claim, [part()])
    html = page()
    assert _actions(html) == ["continue", "edit", "delete-draft"] and "新建报价" not in html
    assert f'href="/garages/quotes/{draft["id"]}">#{draft["id"]}</a>' in html and "¥800.00" in html and "草稿" in html
    assert f"继续编辑报价 #{draft['id']}" in html
    # the draft deleted from the claim page: kept and audited, a new quote offered again
    r = g.post(f"/garages/quotes/{draft['id']}/withdraw", data={"version": draft["version"]})
    assert r.status_code == 302
    assert [e.action for e in audit_trail("quote", draft["id"])][-1] == "delete"
    assert db.session.get(Quote, draft["id"]).status == "deleted"
    assert _actions(page()) == ["new-quote"] and f"#{draft['id']}<" not in page()
    # submitted: no new quote, its withdrawal offered; withdrawn (audited): a new quote again
    sub = create(garage_api, claim, [part()], submit=True)
    html = page()
    assert _actions(html) == ["withdraw"] and "正在保险公司处理（待核损）" in html and "撤回报价" in html
    r = g.post(f"/garages/quotes/{sub['id']}/withdraw", data={"version": sub["version"]})
    assert r.status_code == 302
    assert [e.action for e in audit_trail("quote", sub["id"])][-1] == "withdraw"
    assert _actions(page()) == ["new-quote"] and "已撤回" in page()
    # approved: the supplement to it; a returned quote: answered
    q = create(garage_api, claim, [part()], submit=True)
    staff = api_as(people.assessor2)
    r = staff.post(f"/quotes/{q['id']}/decisions", json={"action": "return", "version": q["version"],
                                                         "comment": "请补充照片"})
    assert r.status_code == 200
    assert _actions(page()) == ["answer", "edit", "withdraw"]
    returned = r.get_json()
    r = garage_api.post(f"/quotes/{q['id']}/submit", json={"version": returned["version"]})
    assert r.status_code == 200, r.get_json()
    r = staff.post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": r.get_json()["version"]})
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    html = page()
    assert _actions(html) == ["supplement"] and f"/garages/claims/{claim.claim_no}/quotes/new?supplement_to={q['id']}" in html
    assert "追加定损" in html and "新建报价" not in html
    # staff read every quote linked, without the garage's buttons; another garage sees none of them
    staff_html = As(app, people.assessor2).get(f"/claims/{claim.claim_no}").get_data(as_text=True)
    assert f'href="/garages/quotes/{q["id"]}">#{q["id"]}</a>' in staff_html and _actions(staff_html) == []
    assert As(app, people.other_user).get(f"/claims/{claim.claim_no}").status_code == 404


def test_the_garages_claim_list_follows_the_same_rule(app, people, garage_api):
    fresh = make_claim(people.garage, color="yellow")
    drafted = make_claim(people.garage, color="yellow")
    draft = create(garage_api, drafted, [part()])
    html = As(app, people.garage_user).get("/garages/quotes").get_data(as_text=True)
    listed = html[html.index('data-testid="assigned-claims"'):]
    assert f'data-action="new-quote" href="/garages/claims/{fresh.claim_no}/quotes/new"' in listed
    assert f'data-action="continue" href="/garages/quotes/{draft["id"]}/edit"' in listed
    assert f"/garages/claims/{drafted.claim_no}/quotes/new" not in listed


# ------------------------------------------------------------------ the decision says what will happen


def _review(app, user, quote_id):
    html = As(app, user).get(f"/garages/quotes/{quote_id}").get_data(as_text=True)
    found = re.search(r'data-outcome="(\w+)">(.*?)</span></div>', html, re.S)
    return found.group(1), re.sub(r"<[^>]+>", "", found.group(2)).strip(), html


def test_the_decision_area_says_what_approving_will_do_at_the_exact_authority_limit(app, people, garage_api):
    from portal.extensions import db
    from plugins.garages.models import Quote

    at = create(garage_api, make_claim(people.garage, color="yellow"),
                [line("outsourced", "钣金", "1", "20000.00")], submit=True)
    above = create(garage_api, make_claim(people.garage, color="yellow"),
                   [line("outsourced", "钣金", "1", "20000.01")], submit=True)
    outcome, text, html = _review(app, people.assessor, at["id"])
    assert outcome == "approve" and text == "批准后核损通过，案件核损总额为 ¥20,000.00。"
    assert "将退回修理厂" in html and "将转交权限覆盖本案金额的主管审批" in html
    outcome, text, _html = _review(app, people.assessor, above["id"])
    assert outcome == "escalate" and text == "金额超出您的权限（¥20,000.00）：批准后将转交主管审批"
    # what the page said is what happens
    a = As(app, people.assessor)
    for q, status in ((at, "approved"), (above, "escalated")):
        r = a.post(f"/garages/quotes/{q['id']}/decide", data={"action": "approve", "version": q["version"]})
        assert r.status_code == 302
        db.session.expire_all()
        assert db.session.get(Quote, q["id"]).status == status


def test_the_decision_area_names_the_four_eyes_of_a_major_case(app, people, garage_api):
    q = create(garage_api, make_claim(people.garage, color="yellow"),
               [line("outsourced", "钣金", "1", "60000.00")], submit=True)
    outcome, text, _html = _review(app, people.supervisor, q["id"])
    assert outcome == "first_approve" and text.startswith("大要案：需要第二位审批人")
    outcome, text, _html = _review(app, people.assessor, q["id"])
    assert outcome == "escalate" and "大要案：需要第二位审批人" in text
    r = As(app, people.supervisor).post(f"/garages/quotes/{q['id']}/decide",
                                        data={"action": "approve", "version": q["version"]})
    assert r.status_code == 302
    outcome, text, _html = _review(app, people.supervisor, q["id"])
    assert outcome == "refused" and "须由另一位审批人批准" in text
    outcome, _text, _html = _review(app, people.supervisor2, q["id"])
    assert outcome == "approve"


# ------------------------------------------------------------------ audit sampling


def _approved_yesterday(people, garage_api, api_as, n):
    from portal.extensions import db
    from portal.timeutil import utcnow
    from plugins.garages.models import Quote

    ids = []
    for _ in range(n):
        q = create(garage_api, make_claim(people.garage, color="yellow"), [part()], submit=True)
        r = api_as(people.assessor2).post(f"/quotes/{q['id']}/decisions", json={"action": "approve",
                                                                                "version": q["version"]})
        assert r.get_json()["status"] == "approved"
        ids.append(q["id"])
    db.session.execute(sa.update(Quote).where(Quote.id.in_(ids)).values(decided_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    return ids


def test_the_sampling_button_draws_todays_sample_once_and_only_for_a_supervisor(app, people, garage_api, api_as):
    from portal.audit.services import audit_trail
    from portal.extensions import db
    from plugins.garages import services
    from plugins.garages.models import AuditSample

    ids = _approved_yesterday(people, garage_api, api_as, 3)
    app.config["GARAGES_RULES"] = {"sampling_share": "1"}
    app.config["WORKER_JOBS_MINUTES"] = 7
    try:
        assessor = As(app, people.assessor)
        html = assessor.get("/garages/samples").get_data(as_text=True)
        assert 'data-action="draw-sample"' not in html and "每 7 分钟运行一次" in html
        r = assessor.post("/garages/samples/draw", data={}, follow_redirects=True)
        assert r.status_code == 200 and "只有核损主管可以抽取稽查样本" in r.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditSample)) == 0
        assert As(app, people.garage_user).post("/garages/samples/draw", data={}).status_code == 404
        sup = As(app, people.supervisor)
        html = sup.get("/garages/samples").get_data(as_text=True)
        day = services.yesterday_local()
        assert 'data-action="draw-sample"' in html and f"抽取 {day} 核准的报价" in html
        r = sup.post("/garages/samples/draw", data={}, follow_redirects=True)
        assert f"已抽样：{day} 核准的报价中抽中 3 份。" in r.get_data(as_text=True)
        assert sorted(db.session.scalars(sa.select(AuditSample.quote_id))) == sorted(ids)
        assert [e.actor_id for e in audit_trail("quote", ids[0]) if e.action == "audit_sampled"] == [people.supervisor.id]
        r = sup.post("/garages/samples/draw", data={}, follow_redirects=True)   # idempotent per day
        assert "已抽取过，本次未新增" in r.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditSample)) == 3
    finally:
        app.config.pop("GARAGES_RULES")
        app.config.pop("WORKER_JOBS_MINUTES")


def test_a_day_whose_draw_found_nothing_finds_nothing_again(app, people, garage_api, api_as):
    """The day's own seed: the scheduled job, run every few minutes, cannot redraw a day until
    something is drawn (which would raise the sampling share far above the configured one)."""
    from plugins.garages import services
    from plugins.garages.services.sampling import day_seed

    _approved_yesterday(people, garage_api, api_as, 8)
    app.config["GARAGES_RULES"] = {"sampling_share": "0.5"}
    try:
        day = services.yesterday_local()
        first = [s.quote_id for s in services.sample_quotes(day)]
        from portal.extensions import db

        db.session.rollback()
        again = [s.quote_id for s in services.sample_quotes(day)]
        db.session.rollback()
        assert first == again and day_seed(day) != day_seed(day - timedelta(days=1))
    finally:
        app.config.pop("GARAGES_RULES")


def test_the_search_reads_the_claim_number_and_vin_through_their_indexes(app):
    """On SQLite (the development database) the prefix is a range the indexes answer; the
    plate has no index on the core's claims table and is the one read through the claims."""
    from portal.extensions import db
    from plugins.garages.models import Quote
    from plugins.garages.queue_views import searched

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan of SQLite")
    sql = str(sa.select(Quote.id).where(searched("RDAA2026")).compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = " | ".join(row[3] for row in db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql)))
    assert "sqlite_autoindex_claims_1 (claim_no>? AND claim_no<?)" in plan, plan
    assert "ix_claims_vin (vin>? AND vin<?)" in plan and "ix_garages_quotes_claim_id" in plan, plan
