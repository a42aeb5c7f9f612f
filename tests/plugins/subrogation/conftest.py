"""Fixtures of the subrogation tests: claims made directly with the models."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest

from portal.timeutil import LOCAL_TZ

_seq = itertools.count(1)


@pytest.fixture
def make_claim():
    from portal.claims.models import Claim
    from portal.extensions import db

    def make(claim_no=None):
        n = next(_seq)
        claim = Claim(claim_no=claim_no or f"RC{n:06d}", policy_no=f"P{n:06d}", policy_start=date(2025, 1, 1),
                      policy_end=date(2025, 12, 31), insured_name="张三", plate="沪A12345",
                      vin="LSVAU2180N2183294", model="大众 帕萨特",
                      accident_at=datetime(2025, 6, 1, 10, 0, tzinfo=LOCAL_TZ),
                      reported_at=datetime(2025, 6, 1, 10, 30, tzinfo=LOCAL_TZ), region="上海")
        db.session.add(claim)
        db.session.commit()
        return claim

    return make


@pytest.fixture
def legal(factory):
    return factory.user(roles=("legal",))


@pytest.fixture
def firm(factory):
    return factory.org("law_firm", name="申衡律师事务所")


@pytest.fixture
def open_case(api_as, legal, make_claim):
    """``open_case(**overrides)`` → the API's 201 body."""

    def make(**overrides):
        body = {"claim_no": make_claim().claim_no, "amount_paid": "10000.00", "amount_sought": "8000.00",
                "counterparty": {"name": "李四", "insurer": "某某财险"},
                "limitation_starts_on": (date.today() - timedelta(days=30)).isoformat(),
                "handler_user_id": legal.id}
        body.update(overrides)
        if "handler_organization_id" in overrides:
            body.pop("handler_user_id", None)
        r = api_as(legal).post("/recoveries", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    return make
