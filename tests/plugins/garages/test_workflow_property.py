"""A Hypothesis state machine over the quote review (核损流程), driven through the API.

Garages create, edit and (re)submit quotes; assessors with different authority limits
(审批权限) and supervisors approve, return, reject and escalate them, sometimes with line
reductions (核减), sometimes with a stale version. A model predicts every answer; the
invariants hold after every step:

- nobody approves (or first-approves) an amount above their authority limit — checked in
  the decisions and in the audit trail;
- an approved or rejected quote never changes afterwards: later actions get 409 and the
  quote (status, version, totals, lines, decisions) stays as it was;
- exactly one audit row per status transition, in order, and none for refused actions;
- a major quote (大要案, approved total > 50,000) was approved by two different people.
"""
from __future__ import annotations

import io

import itertools
from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)

from portal.money import quantize

from .conftest import make_claim
from tests.images import photo_bytes

MAJOR = Decimal("50000")
FAST_TRACK_LIMIT = Decimal("5000")
IN_REVIEW = ("submitted", "escalated", "awaiting_second_approval")
FINAL = ("approved", "rejected")
TRANSITIONS = ("submit", "fast_track", "approve", "first_approve", "return", "reject", "escalate")
SUPERVISOR_ONLY = ("escalated",)
# unit prices around every boundary: fast track, the assessors' and supervisors' limits, major
PRICES = ["800.00", "4999.99", "12000.00", "19999.99", "20000.00", "20000.01", "30000.00", "49999.99",
          "50000.00", "50000.01", "99999.99", "150000.00", "250000.00", "2500000.00"]
STAFF = {  # name: (roles, authority limit)
    "assessor_20k": (("assessor",), "20000"),
    "assessor_100k": (("assessor",), "100000"),
    "supervisor_30k": (("supervisor",), "30000"),
    "supervisor_200k": (("supervisor",), "200000"),
    "supervisor_2m": (("supervisor",), "2000000"),
}
_seq = itertools.count(1)
SEEN: Counter = Counter()   # transitions exercised (printed with -s)

lines_strategy = st.lists(st.tuples(st.sampled_from(PRICES), st.sampled_from(["1", "2"])), min_size=1, max_size=2)


def _lines(spec):
    return [{"kind": "outsourced", "name": f"外加工项目 {i + 1}", "quantity": qty, "unit_price": price}
            for i, (price, qty) in enumerate(spec)]


class Staff:
    def __init__(self, user, headers, limit):
        self.id, self.headers, self.limit, self.roles = user.id, headers, Decimal(limit), set(user.roles)

    def can_approve(self, amount: Decimal) -> bool:
        return amount <= self.limit


class QuoteModel:
    """What the test expects of one quote."""

    def __init__(self, body, color):
        self.id = body["id"]
        self.color = color
        self.status = "draft"
        self.transitions: list[tuple[str, str, str]] = []
        self.first_approver: int | None = None
        self.frozen: dict | None = None
        self.take(body)
        self.approved = {ln["id"]: None for ln in body["lines"]}

    def take(self, body):
        self.version = body["version"]
        self.lines = [(ln["id"], Decimal(ln["quantity"]), Decimal(ln["unit_price"]), Decimal(ln["amount"]))
                      for ln in body["lines"]]

    @property
    def total(self) -> Decimal:
        return quantize(sum((amount for _, _, _, amount in self.lines), Decimal(0)))


def snapshot(body: dict) -> dict:
    keep = ("status", "version", "total_submitted", "total_approved", "desk", "fast_tracked")
    return {**{k: body[k] for k in keep}, "lines": body["lines"], "decisions": body["decisions"]}


def test_quote_workflow_state_machine(app, client, factory):
    from portal.audit.models import AuditEntry
    from portal.extensions import db
    from plugins.garages.models import Decision, Quote

    insurer = factory.insurer()
    staff = {}
    for name, (roles, limit) in STAFF.items():
        user = factory.user(insurer, roles=roles, limit=limit, email=f"prop-{name}-{next(_seq)}@example.com")
        staff[name] = Staff(user, factory.headers(user), limit)
    limits = {s.id: s for s in staff.values()}

    def call(method, path, headers, json=None):
        return getattr(client, method)("/api/v1" + path, json=json, headers=headers)

    class QuoteWorkflow(RuleBasedStateMachine):
        quotes = Bundle("quotes")

        def __init__(self):
            super().__init__()
            garage = factory.org("garage", name=f"属性测试修理厂 {next(_seq)}", grade="A")
            self.garage_headers = factory.headers(factory.user(garage, roles=("partner_user",)))
            self.garage = garage
            self.models: dict[int, QuoteModel] = {}

        # -------------------------------------------------------------- garage

        @initialize(target=quotes, spec=lines_strategy)
        def submitted_quote(self, spec):
            """Every run starts with a quote in review, so decisions have something to act on."""
            return self.create(spec, True, "yellow")

        @rule(target=quotes, spec=lines_strategy, submit=st.booleans(), color=st.sampled_from(["blue", "yellow"]))
        def create(self, spec, submit, color):
            claim = make_claim(self.garage, color=color)
            r = call("post", f"/claims/{claim.claim_no}/quotes", self.garage_headers,
                     {"lines": _lines(spec), "submit": False})
            assert r.status_code == 201, r.get_json()
            body = r.get_json()
            m = QuoteModel(body, color)
            assert body["status"] == "draft" and Decimal(body["total_submitted"]) == m.total
            photo = client.post(f"/api/v1/quotes/{m.id}/photos", headers=self.garage_headers,   # a submission needs one
                                data={"file": (io.BytesIO(photo_bytes(next(_seq))), "damage.jpg"), "kind": "damage"},
                                content_type="multipart/form-data")
            assert photo.status_code == 201, photo.get_json()
            self.models[m.id] = m
            if submit:
                self._submit(m)
            return m.id

        @rule(qid=quotes, spec=lines_strategy)
        def edit_lines(self, qid, spec):
            m = self.models[qid]
            r = call("post", f"/quotes/{qid}/lines", self.garage_headers, {"lines": _lines(spec), "version": m.version})
            if m.status in ("draft", "returned"):
                assert r.status_code == 200, r.get_json()
                body = r.get_json()
                m.take(body)
                m.approved = {ln["id"]: None for ln in body["lines"]}
                assert body["status"] == m.status and Decimal(body["total_submitted"]) == m.total
            else:
                assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state", r.get_json()

        @rule(qid=quotes)
        def submit(self, qid):
            self._submit(self.models[qid])

        def _submit(self, m: QuoteModel):
            if m.status == "returned":   # every line the assessor adjusted is answered first (a comment keeps the figures)
                body = call("get", f"/quotes/{m.id}", self.garage_headers).get_json()
                lines = [{"id": ln["id"], "kind": ln["kind"], "part_no": ln["part_no"], "name": ln["name"],
                          "quality": ln["quality"], "quantity": ln["quantity"], "unit_price": ln["unit_price"],
                          **({"answer": {"comment": "按原报价"}} if ln["approved_amount"] is not None and (
                              ln["approved_amount"] != ln["amount"] or ln["reason"]) else {})}
                         for ln in body["lines"]]
                r = call("post", f"/quotes/{m.id}/lines", self.garage_headers, {"lines": lines, "version": m.version})
                assert r.status_code == 200, r.get_json()
                m.take(r.get_json())
            r = call("post", f"/quotes/{m.id}/submit", self.garage_headers, {"version": m.version})
            if m.status not in ("draft", "returned"):
                assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state", r.get_json()
                return
            assert r.status_code == 200, r.get_json()
            body = r.get_json()
            m.transitions.append(("submit", m.status, "submitted"))
            m.first_approver = None
            m.approved = {lid: None for lid, *_ in m.lines}
            m.take(body)
            if body["status"] == "approved":          # 小额快赔: only small, blue, never major
                assert body["fast_tracked"] and m.color == "blue" and m.total <= FAST_TRACK_LIMIT, body
                auto = body["decisions"][-1]
                assert auto["automatic"] and auto["user_id"] is None and auto["rule"] == "FAST_TRACK"
                event("submitted --fast_track--> approved")
                SEEN[("submitted", "fast_track", "approved")] += 1
                m.transitions.append(("fast_track", "submitted", "approved"))
                m.status = "approved"
                m.approved = {lid: amount for lid, _, _, amount in m.lines}
                m.frozen = snapshot(body)
            else:
                assert body["status"] == "submitted" and not body["fast_tracked"], body
                m.status = "submitted"

        # -------------------------------------------------------------- review

        decisions = dict(who=st.sampled_from(sorted(STAFF)),
                         action=st.sampled_from(["approve", "approve", "approve", "return", "reject", "escalate"]),
                         reduce=st.sampled_from([None, None, "0.50", "0.90"]))

        @rule(qid=quotes, **decisions)
        def decide(self, qid, who, action, reduce):
            self._decide(qid, who, action, reduce)

        @precondition(lambda self: any(m.status in IN_REVIEW for m in self.models.values()))
        @rule(data=st.data(), **decisions)
        def review_open_quote(self, data, who, action, reduce):
            """The queue: a decision on a quote that is in review now."""
            open_ids = sorted(qid for qid, m in self.models.items() if m.status in IN_REVIEW)
            self._decide(data.draw(st.sampled_from(open_ids), label="qid"), who, action, reduce)

        def _decide(self, qid, who, action, reduce):
            m, user = self.models[qid], staff[who]
            adjustments, given = [], {}
            if reduce and action in ("approve", "return"):
                lid, qty, price, _ = m.lines[0]
                new_price = quantize(price * Decimal(reduce))
                adjustments = [{"id": lid, "approved_unit_price": f"{new_price:.2f}", "reason": "PRICE_HIGH"}]
                given[lid] = quantize(qty * new_price)
            r = call("post", f"/quotes/{qid}/decisions", user.headers,
                     {"action": action, "version": m.version, "comment": "核损意见", "lines": adjustments})
            if m.status not in IN_REVIEW:
                assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state", r.get_json()
                return
            values = {}
            for lid, _, _, amount in m.lines:
                if lid in given:
                    values[lid] = given[lid]
                elif m.status != "submitted" and m.approved.get(lid) is not None:
                    values[lid] = m.approved[lid]
                else:
                    values[lid] = amount
            total = quantize(sum(values.values(), Decimal(0)))
            effective = action
            if action == "approve":
                if not user.can_approve(total):
                    effective = "escalate"
                elif total > MAJOR and m.first_approver is None:
                    effective = "first_approve"
                elif total > MAJOR and m.first_approver == user.id:
                    assert r.status_code == 403, r.get_json()      # 四眼原则: not the same person twice
                    return
            if m.status in SUPERVISOR_ONLY and "supervisor" not in user.roles:
                assert r.status_code == 403, r.get_json()
                return
            target = {"approve": "approved", "first_approve": "awaiting_second_approval", "return": "returned",
                      "reject": "rejected", "escalate": "escalated"}[effective]
            assert r.status_code == 200, (m.status, who, action, total, r.get_json())
            body = r.get_json()
            assert body["status"] == target, (m.status, who, action, effective, total, body["status"])
            last = body["decisions"][-1]
            assert (last["action"], last["user_id"], Decimal(last["amount"])) == (effective, user.id, total)
            event(f"{m.status} --{effective}--> {target}")
            SEEN[(m.status, effective, target)] += 1
            m.transitions.append((effective, m.status, target))
            m.status = target
            if effective == "first_approve":
                m.first_approver = user.id
            m.approved = values
            m.take(body)
            if target == "approved":
                assert Decimal(body["total_approved"]) == total
            if target in FINAL:
                m.frozen = snapshot(body)

        @rule(qid=quotes, who=st.sampled_from(sorted(STAFF)))
        def decide_with_stale_version(self, qid, who):
            m = self.models[qid]
            r = call("post", f"/quotes/{qid}/decisions", staff[who].headers,
                     {"action": "approve", "version": m.version - 1, "comment": None, "lines": []})
            assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_version", r.get_json()

        # -------------------------------------------------------------- invariants

        def _rows(self):
            ids = [str(i) for i in self.models]
            db.session.rollback()
            audit = db.session.scalars(db.select(AuditEntry).where(AuditEntry.entity == "quote",
                                                                   AuditEntry.entity_id.in_(ids))
                                       .order_by(AuditEntry.id)).all()
            decisions = db.session.scalars(db.select(Decision).where(Decision.quote_id.in_(list(self.models)))
                                           .order_by(Decision.id)).all()
            db.session.rollback()
            return audit, decisions

        @invariant()
        def audit_and_authority(self):
            if not self.models:
                return
            audit, decisions = self._rows()
            for qid, m in self.models.items():
                rows = [a for a in audit if a.entity_id == str(qid)]
                assert [a.action for a in rows].count("create") == 1
                seen = [(a.action, *a.changes["status"]) for a in rows if a.action in TRANSITIONS]
                assert seen == m.transitions, (qid, seen, m.transitions)
                for a in rows:                        # nobody approves above their authority (audit trail)
                    if a.action in ("approve", "first_approve"):
                        assert a.actor_id in limits and limits[a.actor_id].can_approve(Decimal(a.changes["amount"]))
            for d in decisions:                       # ... nor in the decisions
                if d.action in ("approve", "first_approve") and not d.automatic:
                    assert limits[d.user_id].can_approve(d.amount), (d.user_id, d.amount)
                if d.automatic:
                    assert d.user_id is None and d.amount <= FAST_TRACK_LIMIT
            for qid, m in self.models.items():        # 大要案: two different approvers in the last round
                if m.status != "approved":
                    continue
                mine = [d for d in decisions if d.quote_id == qid]
                last_submit = max(i for i, d in enumerate(mine) if d.action == "submit")
                round_ = mine[last_submit + 1:]
                final = round_[-1]
                assert final.to_status == "approved"
                if final.amount > MAJOR:
                    firsts = [d.user_id for d in round_ if d.action == "first_approve"]
                    assert firsts and firsts[-1] != final.user_id and final.user_id is not None

        @invariant()
        def quote_counts_match_the_quotes(self):
            """The trigger-kept counts (the lists' ``total``) equal a count of the rows."""
            from plugins.garages.models import QuoteCount

            db.session.rollback()
            actual = {(g, s): n for g, s, n in db.session.execute(
                db.select(Quote.garage_id, Quote.status, db.func.count()).group_by(Quote.garage_id, Quote.status))}
            kept = {(c.garage_id, c.status): c.n for c in db.session.scalars(db.select(QuoteCount)) if c.n}
            db.session.rollback()
            assert kept == actual
            by_status = {}
            for (_, status_), n in actual.items():
                by_status[status_] = by_status.get(status_, 0) + n
            for status_, n in by_status.items():
                assert call("get", f"/quotes?status={status_}&per_page=1", next(iter(staff.values())).headers).get_json()["total"] == n

        @invariant()
        def final_quotes_never_change(self):
            for qid, m in self.models.items():
                if m.frozen is None:
                    continue
                r = call("get", f"/quotes/{qid}", self.garage_headers)
                assert r.status_code == 200
                assert snapshot(r.get_json()) == m.frozen, qid

    run_state_machine_as_test(QuoteWorkflow, settings=settings(
        max_examples=20, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    print("\ntransitions exercised:", dict(SEEN))
