"""A recovery's amount sought puts its claim in the major-case register (docs/review-controls.md) at the
threshold, never below it (portal_claim_exposures)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("sought, major", [("50000.00", True), ("49999.99", False)])
def test_a_recovery_at_the_threshold_makes_the_claim_major(api_as, legal, factory, open_case, sought, major):
    case = open_case(amount_paid="60000.00", amount_sought=sought)
    sup = api_as(factory.user(roles=("supervisor",), limit=200000))
    found = [c for c in sup.get("/major-cases").get_json()["items"] if c["claim_no"] == case["claim_no"]]
    assert bool(found) is major
    if major:
        assert found[0]["basis"] == "recovery" and found[0]["amount"] == sought
