"""Fixtures of the litigation tests (claims made directly with the models)."""
from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest

from portal.timeutil import LOCAL_TZ

_seq = itertools.count(1)


@pytest.fixture
def make_claim():
    from portal.claims.models import Claim
    from portal.extensions import db

    def make():
        n = next(_seq)
        claim = Claim(claim_no=f"LC{n:06d}", policy_no=f"P{n:06d}", policy_start=date(2025, 1, 1),
                      policy_end=date(2025, 12, 31), insured_name="张三", plate="沪A12345", vin="LSVAU2180N2183294",
                      model="大众 帕萨特", accident_at=datetime(2025, 6, 1, 10, 0, tzinfo=LOCAL_TZ),
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
    return factory.org("law_firm")


@pytest.fixture
def new_suit(api_as, legal, make_claim):
    def make(**overrides):
        body = {"claim_no": make_claim().claim_no, "court": "上海市浦东新区人民法院", "case_no": "(2025)沪0115民初1号",
                "cause": "保险人代位求偿权纠纷", "role": "plaintiff", "amount_in_dispute": "80000.00",
                "counsel_user_id": legal.id}
        body.update(overrides)
        if "counsel_organization_id" in overrides:
            body.pop("counsel_user_id", None)
        r = api_as(legal).post("/lawsuits", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    return make
