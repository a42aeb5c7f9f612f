"""Per-assessor figures by period (一人终审责任制): decisions, median and p90 time to decision,
the share decided after the deadline (超时限交案率, target ≤ 10%), the reduction rate; the
supervisor's ranking page with the target line and its XLSX export; the queue's scopes.

The quotes are built through the API; then the decisions' times are moved in the database
relative to the deadline the portal set (and recorded in the audit trail) at each round."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from .conftest import create, line, make_claim
from .test_pages import As


def _rows(quote_id):
    from portal.extensions import db
    from plugins.garages.models import Decision

    return db.session.scalars(db.select(Decision).where(Decision.quote_id == quote_id).order_by(Decision.id)).all()


def _own(quote_id, user):
    from portal.extensions import db
    from plugins.garages.models import Quote

    db.session.get(Quote, quote_id).assigned_reviewer_id = user.id
    db.session.commit()


def _due(quote_id):
    from portal.extensions import db
    from plugins.garages.models import Quote

    db.session.expire_all()
    return db.session.get(Quote, quote_id).due_at


def _place(decision_id, start_id, at, hours):
    """The decision at ``at``, its round's start ``hours`` before."""
    from portal.extensions import db
    from plugins.garages.models import Decision

    db.session.get(Decision, decision_id).at = at
    db.session.get(Decision, start_id).at = at - timedelta(hours=hours)
    db.session.commit()


def _decide(api, q, action, **kw):
    r = api.post(f"/quotes/{q['id']}/decisions", json={"action": action, "version": q["version"], **kw})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _quote(people, garage_api, amount="1000.00", color="yellow"):
    return create(garage_api, make_claim(people.garage, color=color), [line("outsourced", "钣金修复", "1", amount)],
                  submit=True)


def one_round(people, garage_api, api, user, action, *, hours, late, cut_to=None, **kw):
    """A quote of 1,000.00 submitted and decided once by ``user``: ``hours`` from submission
    to decision, one hour after the deadline when ``late`` else one hour before it."""
    q = _quote(people, garage_api)
    _own(q["id"], user)
    due = _due(q["id"])
    if cut_to:
        kw["lines"] = [{"id": q["lines"][0]["id"], "approved_unit_price": cut_to, "reason": "PRICE_HIGH"}]
    _decide(api, api.get(f"/quotes/{q['id']}").get_json(), action, **kw)
    submit, decision = _rows(q["id"])[-2:]
    assert (submit.action, decision.action) == ("submit", action)
    _place(decision.id, submit.id, due + timedelta(hours=1 if late else -1), hours)
    return q


@pytest.fixture
def data(people, garage_api, api_as):
    """assessor: 10 decisions (1..10 h), one late → 10.0% (at the target); 8 approvals of
    1,000.00, one cut to 800.00 → reduction 2.5%.
    assessor2: a return after round 1's deadline (4 h), the same quote resubmitted at 25,000.00
    and approved at 24,000.00 in round 2 before its later deadline (6 h), an escalation (3 h)
    → 1 of 3 late, 33.3% (above), reduction 4.0%.
    supervisor: approves the escalated quote exactly at its deadline (5 h from submission) → 0%."""
    from portal.extensions import db

    a, b, sup = api_as(people.assessor), api_as(people.assessor2), api_as(people.supervisor)
    for h in range(1, 11):
        if h in (3, 7):
            one_round(people, garage_api, a, people.assessor, "return", hours=h, late=False, comment="补充照片")
        else:
            one_round(people, garage_api, a, people.assessor, "approve", hours=h, late=h == 10,
                      cut_to="800.00" if h == 5 else None)
    # assessor2: two rounds of one quote, the first decided late against the first deadline
    q = _quote(people, garage_api)
    _own(q["id"], people.assessor2)
    due1 = _due(q["id"])
    back = _decide(b, b.get(f"/quotes/{q['id']}").get_json(), "return", comment="请补充拆检照片")
    submit1, ret = _rows(q["id"])[-2:]
    _place(ret.id, submit1.id, due1 + timedelta(hours=1), 4)
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"version": back["version"], "lines": [
        {"kind": "outsourced", "name": "钣金修复", "quantity": "1", "unit_price": "25000.00"}]})
    assert r.status_code == 200, r.get_json()
    assert garage_api.post(f"/quotes/{q['id']}/submit", json={}).get_json()["status"] == "submitted"
    _own(q["id"], people.assessor2)
    due2 = _due(q["id"])
    assert due2 > due1 + timedelta(hours=8)   # 25,000: two working days, against one
    again = b.get(f"/quotes/{q['id']}").get_json()
    _decide(b, again, "approve", lines=[{"id": again["lines"][0]["id"], "approved_unit_price": "24000.00",
                                          "reason": "PRICE_HIGH"}])
    submit2, approval = _rows(q["id"])[-2:]
    assert (submit2.action, approval.action) == ("submit", "approve")
    # in round 2, after round 1's deadline but before its own: on time
    _place(approval.id, submit2.id, due1 + timedelta(hours=8), 6)
    # assessor2 escalates (3 h, on time); the supervisor approves exactly at the deadline (5 h)
    q = _quote(people, garage_api, "2000.00")
    _own(q["id"], people.assessor2)
    due = _due(q["id"])
    assert _decide(b, b.get(f"/quotes/{q['id']}").get_json(), "escalate", comment="请主管审核")["status"] == "escalated"
    _own(q["id"], people.supervisor)
    _decide(sup, sup.get(f"/quotes/{q['id']}").get_json(), "approve")
    submit, esc, ok = _rows(q["id"])[-3:]
    assert (submit.action, esc.action, ok.action) == ("submit", "escalate", "approve")
    _place(esc.id, submit.id, due - timedelta(hours=2), 3)
    ok = db.session.merge(ok)
    ok.at = due
    db.session.commit()
    # a fast-tracked quote: the system's approval is nobody's figure
    fast = _quote(people, garage_api, "300.00", color="blue")
    assert fast["status"] == "approved" and fast["fast_tracked"]
    return people


def _period():
    from portal.extensions import db
    from portal.timeutil import local_date
    from plugins.garages import assessor_figures as F
    from plugins.garages.models import Decision

    times = db.session.scalars(db.select(Decision.at)).all()
    return F.Period.of_days(min(map(local_date, times)), max(map(local_date, times)))


def _by_user(figures):
    return {r.user_id: r for r in figures.rows}


def test_the_figures_computed_by_hand_in_four_statements(data):
    from plugins.garages import assessor_figures as F
    from tests.querycount import count_queries

    period = _period()
    with count_queries() as counter:
        figures = F.figures(period)
    assert counter.count == 4, counter   # however many reviewers and decisions
    rows = _by_user(figures)
    a, b, sup, sup2 = (rows[data.assessor.id], rows[data.assessor2.id], rows[data.supervisor.id],
                       rows[data.supervisor2.id])
    assert (a.decisions, a.by_action["approve"], a.by_action["return"]) == (10, 8, 2)
    assert (a.median_hours, a.p90_hours) == (Decimal("5.50"), Decimal("9.00"))   # 1..10 h; p90 = 9th of 10
    assert (a.overdue, a.timed, a.overdue_share) == (1, 10, Decimal("0.1000"))
    assert not a.above_target                                                    # exactly at 10%: within
    assert (a.approvals, a.submitted, a.approved) == (8, Decimal("8000.00"), Decimal("7800.00"))
    assert a.reduction_rate == Decimal("0.0250")
    # round 1's return is late against round 1's deadline; round 2's approval is judged on its own
    assert (b.decisions, b.overdue, b.timed, b.overdue_share, b.above_target) == (3, 1, 3, Decimal("0.3333"), True)
    assert (b.median_hours, b.p90_hours) == (Decimal("4.00"), Decimal("6.00"))   # 3, 4, 6 h; p90 = 3rd of 3
    assert (b.submitted, b.approved, b.reduction_rate) == (Decimal("25000.00"), Decimal("24000.00"), Decimal("0.0400"))
    # decided exactly at the deadline: on time; timed from the round's submission, not the escalation
    assert (sup.decisions, sup.overdue, sup.overdue_share) == (1, 0, Decimal("0.0000"))
    assert sup.median_hours == Decimal("5.00")
    assert sup.reduction_rate == Decimal("0.0000")
    assert sup2.decisions == 0 and sup2.overdue_share is None and sup2.median_hours is None
    # the fast track's approval is nobody's; every decision here had a recorded deadline
    assert sum(r.decisions for r in figures.rows) == 14 and figures.unknown_deadline == 0
    # ranked by the share decided late; the target line before the first above it
    order = [r.user_id for r in figures.rows]
    assert order.index(data.supervisor.id) < order.index(data.assessor.id) < order.index(data.assessor2.id) \
        < order.index(data.supervisor2.id)
    assert figures.rows[figures.target_index].user_id == data.assessor2.id
    # outside the period: nothing
    later = F.Period.of_days(period.last_day + timedelta(days=1), period.last_day + timedelta(days=2))
    assert all(r.decisions == 0 for r in F.figures(later).rows)


def test_the_target_is_configurable(app, data):
    from plugins.garages import assessor_figures as F

    app.config["GARAGES_RULES"] = {"overdue_share_target": "0.0999"}
    try:
        figures = F.figures(_period())
        assert figures.target == Decimal("0.0999") and _by_user(figures)[data.assessor.id].above_target
    finally:
        app.config.pop("GARAGES_RULES")
    assert F.target() == Decimal("0.10")


def test_a_round_without_its_recorded_deadline_is_left_out_never_guessed(data):
    """A round start written outside the workflow (no audit row): that quote's deadlines are
    unknown, its decision still counts as a decision and is timed, but not in the share."""
    from portal.extensions import db
    from plugins.garages import assessor_figures as F
    from plugins.garages.models import Decision

    period = _period()
    late = db.session.scalars(db.select(Decision).where(Decision.user_id == data.assessor2.id,
                                                        Decision.action == "return")).one()
    db.session.add(Decision(quote_id=late.quote_id, action="submit", from_status="returned", to_status="submitted",
                            user_id=data.garage_user.id, at=late.at, rules_version="test"))
    db.session.commit()
    figures = F.figures(period)
    b = _by_user(figures)[data.assessor2.id]
    assert figures.unknown_deadline == 2 and (b.decisions, b.timed, b.overdue) == (3, 1, 0)
    assert b.overdue_share == Decimal("0.0000") and not b.above_target


def test_the_period(app):
    from datetime import date

    from plugins.garages import assessor_figures as F

    assert F.month_period(date(2026, 2, 14)) == F.Period.of_days(date(2026, 2, 1), date(2026, 2, 28))
    assert F.parse_period("2026-03-01", "2026-03-31") == (F.Period.of_days(date(2026, 3, 1), date(2026, 3, 31)), {})
    period, errors = F.parse_period("2026-13-01", None, today=date(2026, 12, 3))
    assert period == F.Period.of_days(date(2026, 12, 1), date(2026, 12, 31)) and "from" in errors
    assert "to" in F.parse_period("2026-03-02", "2026-03-01")[1]
    assert "to" in F.parse_period("2025-01-01", "2026-03-01")[1]
    march = F.Period.of_days(date(2026, 3, 1), date(2026, 3, 31))
    start, end = march.start, march.end
    assert start.isoformat() == "2026-03-01T00:00:00+08:00" and end.isoformat() == "2026-04-01T00:00:00+08:00"


def test_the_supervisors_page_in_chinese_and_its_export(app, data):
    from openpyxl import load_workbook

    period = _period()
    page = As(app, data.supervisor)
    query = f"?from={period.first_day}&to={period.last_day}"
    r = page.get(f"/garages/figures/{query}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "核损人员考核" in html and "超时限交案率" in html and "目标线：超时限交案率 10.0%" in html
    assert html.count('data-testid="target-line"') == 1
    late_rows = re.findall(r'<tr class="table-danger" data-testid="above-target" data-user="(\d+)"', html)
    assert late_rows == [str(data.assessor2.id)]
    assert html.index(f'data-user="{data.assessor.id}"') < html.index('data-testid="target-line"') \
        < html.index(f'data-user="{data.assessor2.id}"')
    assert "33.3%" in html and "10.0%" in html and "核减率" in html
    assert "/garages/figures" in page.get("/").get_data(as_text=True)     # the nav item
    x = page.get(f"/garages/figures/{query}&export=xlsx")
    assert x.status_code == 200 and x.data[:2] == b"PK"
    ws = load_workbook(io.BytesIO(x.data)).active
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("排名", "核损人员", "岗位", "处理件数")
    by_name = {row[1]: dict(zip(header, row)) for row in body}
    a = by_name[data.assessor.name]
    assert (a["处理件数"], a["超时限交案件数"], a["超时限交案率"], a["目标值"], a["核减率"]) == (10, 1, 0.1, 0.1, 0.025)
    assert a["处理时长中位数（小时）"] == 5.5 and a["处理时长 P90（小时）"] == 9
    assert by_name[data.assessor2.name]["超出目标"] == "超出目标" and a["超出目标"] == "达标"
    assert len(body) >= 4 and [row[0] for row in body] == list(range(1, len(body) + 1))
    # a wrong period: this month, and said so
    assert "请以两个日期" in page.get("/garages/figures/?from=2026-02-30").get_data(as_text=True)


def test_the_page_is_a_supervisors(app, people, factory):
    assert As(app, people.assessor).get("/garages/figures/").status_code == 404
    assert As(app, people.garage_user).get("/garages/figures/").status_code == 404
    assert As(app, people.assessor).get("/garages/figures/?export=xlsx").status_code == 404
    assert "/garages/figures" not in As(app, people.assessor).get("/").get_data(as_text=True)
    assert As(app, factory.admin()).get("/garages/figures/").status_code == 200


def _shown(html):
    return {int(m) for m in re.findall(r">#(\d+)</a>", html)}


def _tab(html, scope):
    m = re.search(rf'data-scope="{scope}" href="[^"]*">[^<]*<span class="badge text-bg-light">(\d+)</span>', html)
    return int(m.group(1))


def test_the_queue_scopes_mine_unassigned_team(app, people, garage_api, api_as, factory):
    from portal.extensions import db
    from plugins.garages.models import Quote

    def quote():
        return _quote(people, garage_api, "900.00")

    mine, theirs, nobodys, held = quote(), quote(), quote(), quote()
    _own(mine["id"], people.assessor)
    _own(theirs["id"], people.assessor2)
    _own(held["id"], people.assessor)
    db.session.get(Quote, nobodys["id"]).assigned_reviewer_id = None
    db.session.commit()
    _decide(api_as(people.assessor), api_as(people.assessor).get(f"/quotes/{held['id']}").get_json(), "hold",
            reason="PRICE_VERIFICATION", comment="核实配件进货价")
    a = As(app, people.assessor)
    html = a.get("/garages/queue").get_data(as_text=True)   # an assessor who owns reviews: mine
    assert 'aria-current="page" data-scope="mine"' in html
    assert _shown(html) == {mine["id"], held["id"]}
    assert (_tab(html, "mine"), _tab(html, "unassigned"), _tab(html, "team")) == (2, 1, 4)
    assert "问题件挂起" in html and "时效暂停" in html and "核实配件进货价" not in html
    assert "我的" in html and "未分派" in html and "全组" in html
    assert _shown(a.get("/garages/queue?scope=unassigned").get_data(as_text=True)) == {nobodys["id"]}
    team = a.get("/garages/queue?scope=team").get_data(as_text=True)
    assert _shown(team) == {mine["id"], theirs["id"], nobodys["id"], held["id"]}
    assert people.assessor.name in team and people.assessor2.name in team      # the owners, by name
    # the filters still apply within a scope, and the tabs count with them
    one = a.get(f"/garages/queue?scope=team&garage={people.garage.id}&status=on_hold").get_data(as_text=True)
    assert _shown(one) == {held["id"]} and _tab(one, "team") == 1 and _tab(one, "mine") == 1
    x = a.get("/garages/queue?scope=mine&export=xlsx")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(x.data)).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {mine["id"], held["id"]} and {r[6] for r in rows[1:]} == {people.assessor.name}
    # a supervisor, and an assessor who owns nothing: the team's
    for user in (people.supervisor, factory.user(roles=("assessor",), limit=20000)):
        html = As(app, user).get("/garages/queue").get_data(as_text=True)
        assert 'aria-current="page" data-scope="team"' in html
        assert _shown(html) == {mine["id"], theirs["id"], nobodys["id"], held["id"]}
    # the existing scope "all" keeps showing every quote
    assert As(app, people.supervisor).get("/garages/queue?scope=all").status_code == 200
