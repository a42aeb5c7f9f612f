"""A salvage lot's estimated value puts its claim in the major-case register (docs/review-controls.md) at
the threshold, never below it (portal_claim_exposures)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("value, major", [("50000.00", True), ("49999.99", False)])
def test_a_salvage_lot_at_the_threshold_makes_the_claim_major(api_as, desk, open_lot, value, major):
    lot = open_lot(estimated_value=value, reserve_price="20000")
    found = [c for c in api_as(desk).get("/major-cases").get_json()["items"] if c["claim_no"] == lot["claim_no"]]
    assert bool(found) is major
    if major:
        assert found[0]["basis"] == "salvage" and found[0]["amounts"] == {"salvage": value}
