"""A lawsuit's amount in dispute puts its claim in the major-case register (docs/review-controls.md) at the
threshold, never below it (portal_claim_exposures)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("amount, major", [("50000.00", True), ("49999.99", False)])
def test_a_lawsuit_at_the_threshold_makes_the_claim_major(api_as, legal, factory, new_suit, amount, major):
    supervisor = factory.user(roles=("supervisor",), limit=200000)
    suit = new_suit(amount_in_dispute=amount)
    sup = api_as(supervisor)
    found = [c for c in sup.get("/major-cases").get_json()["items"] if c["claim_no"] == suit["claim_no"]]
    assert bool(found) is major
    if major:
        assert found[0]["basis"] == "lawsuit" and found[0]["responsible_id"] == supervisor.id
