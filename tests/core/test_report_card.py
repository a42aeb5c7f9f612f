"""The insurer's report card (保险公司成绩单): exact figures on a fixture of known times, the
peer rule at its boundary (4 vs 5 peers), no assessor named to a partner, other partners'
data invisible."""
from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

import time_machine

from portal.timeutil import LOCAL_TZ
from tests.conftest import login
from tests.core.test_invoices_api import approved_quote, invoice_data, send_invoice
from tests.core.test_payments_api import pay

_n = itertools.count(1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def reviewed_quote(garage, reviewer, submitted: str, decided: str, action="approve"):
    """A quote whose round started at ``submitted`` and was decided at ``decided`` by ``reviewer``."""
    from plugins.garages.models import Decision, Quote
    from portal.extensions import db
    from tests.plugins.garages.conftest import make_claim

    quote = Quote(claim_id=make_claim(garage).id, garage_id=garage.id, status="returned",
                  total_submitted=Decimal("5000.00"), assigned_reviewer_id=reviewer.id)
    db.session.add(quote)
    db.session.flush()
    db.session.add(Decision(quote_id=quote.id, action="submit", from_status="draft", to_status="submitted",
                            user_id=None, at=at(submitted), rules_version="t"))
    db.session.add(Decision(quote_id=quote.id, action=action, from_status="submitted", to_status="returned",
                            user_id=reviewer.id, at=at(decided), rules_version="t"))
    db.session.commit()
    return quote


def answered_line(quote, round_approved: str, now_approved: str):
    """An adjusted line of a returned round the garage answered with a comment."""
    from plugins.garages.models import QuoteLine, QuoteRound
    from portal.extensions import db

    line = QuoteLine(quote_id=quote.id, kind="part", name="Bumper", quantity=Decimal(1), unit_price=Decimal(800),
                     amount=Decimal("800.00"), approved_amount=Decimal(now_approved))
    db.session.add(line)
    db.session.flush()
    db.session.add(QuoteRound(quote_id=quote.id, line_id=line.id, round_no=1, position=next(_n), kind="part",
                              name="Bumper", quantity=Decimal(1), unit_price=Decimal(800), amount=Decimal("800.00"),
                              approved_amount=Decimal(round_approved), adjusted=True, returned_at=at("2026-11-03T10:00"),
                              answer_kind="comment", answer_comment="OE part needed"))
    db.session.commit()


def dispute(garage, assignee, verdict):
    from plugins.litigation.models import Complaint
    from portal.extensions import db

    db.session.add(Complaint(kind="dispute", against_organization_id=garage.id, complainant="Owner",
                             description="Repair quality", assignee_user_id=assignee.id, verdict=verdict,
                             status="archived"))
    db.session.commit()


def build(client, factory):
    """Garage G with five reviews, three answered lines, five disputes and two paid quotes."""
    from portal.extensions import db

    garage = factory.org("garage", region="Zhejiang")
    reviewer = factory.user(roles=("assessor",))
    reviewer.region = "East team"
    reviewer.name = "Zhang Wei Assessor"
    db.session.commit()
    # working hours: 4 (same day), 6 (Friday evening to Monday 02:00: the weekend does not count),
    # 24, 10, and 48 (late: due Tuesday 17:00, decided Wednesday)
    q1 = reviewed_quote(garage, reviewer, "2026-11-02T10:00", "2026-11-02T14:00")
    reviewed_quote(garage, reviewer, "2026-11-06T20:00", "2026-11-09T02:00", action="return")
    reviewed_quote(garage, reviewer, "2026-11-03T09:00", "2026-11-04T09:00")
    reviewed_quote(garage, reviewer, "2026-11-04T08:00", "2026-11-04T18:00", action="reject")
    reviewed_quote(garage, reviewer, "2026-11-09T10:00", "2026-11-11T10:00")
    answered_line(q1, "500.00", "800.00")      # restored in full
    answered_line(q1, "500.00", "600.00")      # restored in part
    answered_line(q1, "500.00", "500.00")      # kept
    for verdict in ("substantiated", "not_substantiated", "not_substantiated", "not_substantiated", "withdrawn"):
        dispute(garage, reviewer, verdict)
    h = factory.headers(factory.user(garage))
    admin = factory.headers(factory.admin())
    for amount, value_date in (("500.00", "2026-11-20"), ("300.00", "2026-11-12")):
        quote = approved_quote(garage, amount, decided=at("2026-11-02T10:00"))
        with time_machine.travel(at("2026-11-10T09:00"), tick=False):
            inv = send_invoice(client, h, {**invoice_data(amount, [("quote", quote.id)]), "issued_on": "2026-11-09"})
            assert inv.status_code == 201, inv.json
        assert pay(client, admin, inv.json["id"], amount, f"PAY-{next(_n)}", value_date=value_date).status_code == 201
    return garage, reviewer, h


def test_working_hours_skip_weekends_and_holidays():
    from portal.payments.report_card import working_hours

    assert working_hours(at("2026-11-06T20:00"), at("2026-11-09T02:00")) == Decimal("6.00")
    # National Day: 1–7 October 2026 are holidays; Saturday 10 October is a make-up working day
    assert working_hours(at("2026-09-30T20:00"), at("2026-10-08T03:00")) == Decimal("7.00")
    assert working_hours(at("2026-10-10T08:00"), at("2026-10-11T08:00")) == Decimal("16.00")
    assert working_hours(at("2026-10-02T08:00"), at("2026-10-02T09:00")) == Decimal("0.00")
    assert working_hours(at("2026-11-02T10:00"), at("2026-11-02T09:00")) == Decimal("0.00")


def test_percentiles_nearest_rank():
    from portal.payments.report_card import median, p90

    assert median([]) is None and p90([]) is None
    assert median([Decimal(4)]) == Decimal("4.00") == p90([Decimal(4)])
    values = list(range(1, 11))             # 1..10: ⌈0.9·10⌉ = 9th
    assert median(values) == Decimal("5.50") and p90(values) == Decimal("9.00")
    assert p90(list(range(1, 12))) == Decimal("10.00")   # 11 values: ⌈9.9⌉ = 10th


def test_partner_figures_exact(client, factory):
    garage, reviewer, h = build(client, factory)
    r = client.get("/api/v1/report-card", headers=h)
    assert r.status_code == 200, r.json
    own = r.json["own"]
    assert own["reviews"] == 5
    assert own["review_median_hours"] == "10.00" and own["review_p90_hours"] == "48.00"
    assert own["late_share"] == "0.2000"
    assert own["payments"] == 2
    assert own["payment_median_days"] == "14.00" and own["payment_p90_days"] == "18.00"
    assert own["answered_lines"] == 3 and own["restored_share"] == "0.6667"
    assert own["disputes"] == 4 and own["upheld_share"] == "0.2500"
    assert r.json["peers"] is None and r.json["peer_count"] == 0
    # nothing names the assessor, to the API or on the page
    assert reviewer.name not in r.get_data(as_text=True)
    login(client, factory.user(garage))
    page = client.get("/payments/report-card/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert reviewer.name not in text and "East team" not in text
    assert "10.00" in text and "20.0%" in text


def test_peers_only_from_five(client, factory):
    _garage, _reviewer, h = build(client, factory)
    peers = [factory.org("garage", region="Zhejiang") for _ in range(4)]
    factory.org("garage", region="Jiangsu")              # another region: not a peer
    factory.org("salvage_vendor", region="Zhejiang")     # another kind: not a peer
    factory.org("garage", region="Zhejiang", status="suspended")
    r = client.get("/api/v1/report-card", headers=h).json
    assert r["peer_count"] == 4 and r["peers"] is None
    peers.append(factory.org("garage", region="Zhejiang"))
    reviewer = factory.user(roles=("assessor",))
    reviewed_quote(peers[0], reviewer, "2026-11-02T10:00", "2026-11-02T12:00")
    reviewed_quote(peers[1], reviewer, "2026-11-02T10:00", "2026-11-02T16:00")
    r = client.get("/api/v1/report-card", headers=h).json
    assert r["peer_count"] == 5
    assert r["peers"]["reviews"] == 2 and r["peers"]["review_median_hours"] == "4.00"
    assert r["own"]["reviews"] == 5                      # the partner's own figures are its own
    # a peer sees its own figures only, never the garage's
    mine = client.get("/api/v1/report-card", headers=factory.headers(factory.user(peers[0]))).json
    assert mine["own"]["reviews"] == 1 and mine["own"]["review_median_hours"] == "2.00"
    assert mine["own"]["disputes"] == 0 and mine["own"]["payments"] == 0
    assert mine["peers"]["reviews"] == 6                 # the garage's 5 and peers[1]'s 1, together


def test_page_says_when_too_few_peers(client, factory, web_login):
    garage = factory.org("garage", region="Hainan")
    web_login(factory.user(garage))
    text = client.get("/payments/report-card/").get_data(as_text=True)
    assert 'id="few-peers"' in text


def test_staff_team_figures_and_access(client, factory, web_login):
    garage, reviewer, _h = build(client, factory)
    assert client.get("/api/v1/report-card", headers=factory.headers(factory.user())).status_code == 403
    supplier = factory.org("parts_supplier")
    assert client.get("/api/v1/report-card", headers=factory.headers(factory.user(supplier))).status_code == 403
    web_login(factory.user(garage))
    assert client.get("/payments/report-card/teams").status_code == 404
    staff = client.application.test_client()
    login(staff, factory.user())
    assert staff.get("/payments/report-card/").status_code == 302
    page = staff.get("/payments/report-card/teams")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "East team" in text and "10.00" in text and "48.00" in text and "66.7%" in text
    assert reviewer.name not in text


def test_scorecard_links_the_report_card(client, factory, web_login):
    garage = factory.org("garage")
    web_login(factory.user(garage))
    text = client.get(f"/evaluations/organizations/{garage.id}").get_data(as_text=True)
    assert "/payments/report-card/" in text


def test_portal_report_card_facts_answer_for_the_organizations_asked(client, factory):
    from portal.plugins import hook

    garage, _reviewer, _h = build(client, factory)
    other = factory.org("garage", region="Zhejiang")
    answers = hook().portal_report_card_facts(organization_ids=[other.id])
    assert all(not rows for answer in answers for rows in answer.values())
    answers = hook().portal_report_card_facts(organization_ids=[garage.id])
    keys = {key: len(rows) for answer in answers for key, rows in answer.items()}
    assert keys == {"reviews": 5, "lines": 3, "disputes": 4}
    assert all(row["team"] == "East team" for answer in answers for rows in answer.values() for row in rows)


def test_demo_has_invoices_payments_and_report_card_numbers(app, client):
    import sqlalchemy as sa

    from portal.auth.models import User
    from portal.demo import DEMO_PASSWORD, load_demo
    from portal.extensions import db
    from portal.payments.models import Invoice, Payment

    said = load_demo()
    counts = (db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)),
              db.session.scalar(sa.select(sa.func.count()).select_from(Payment)))
    assert counts[0] >= 2 and counts[1] >= 4, said[5:]
    statuses = set(db.session.scalars(sa.select(Invoice.status)))
    assert {"paid", "partly_paid"} <= statuses
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(Payment.amount < 0)) >= 1
    load_demo()                                      # idempotent: nothing added the second time
    assert counts == (db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)),
                      db.session.scalar(sa.select(sa.func.count()).select_from(Payment)))
    garage_user = db.session.scalar(sa.select(User).where(User.email == "garage1@demo.example"))
    login(client, garage_user, DEMO_PASSWORD)
    card = client.get("/payments/report-card/")
    assert card.status_code == 200
    from portal.auth.services import issue_token

    token, _ = issue_token(garage_user)
    own = client.get("/api/v1/report-card", headers={"Authorization": f"Bearer {token}"}).json["own"]
    assert own["reviews"] >= 1 and own["review_median_hours"] is not None
    assert own["payments"] >= 1 and own["payment_median_days"] is not None
    clock = client.get("/api/v1/payment-clock", headers={"Authorization": f"Bearer {token}"}).json
    assert any(row["status"] == "paid" and row["days_waiting"] > 30 for row in clock)   # one paid late
