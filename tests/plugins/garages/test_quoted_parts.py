"""``portal_quoted_parts``: the part lines of the quotes submitted in a period (配件报价明细)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from portal.timeutil import LOCAL_TZ, Period
from tests.querycount import count_queries

from .conftest import make_claim


def _quote(garage, submitted_at, lines, status="submitted"):
    """A quote built by hand with the model, submitted at a chosen moment."""
    from plugins.garages.models import Quote, QuoteLine
    from portal.extensions import db

    claim = make_claim(garage)
    quote = Quote(claim_id=claim.id, garage_id=garage.id, status=status, submitted_at=submitted_at,
                  first_submitted_at=submitted_at, desk="assessor" if status == "submitted" else None)
    db.session.add(quote)
    db.session.flush()
    for pos, (kind, part_no, quality) in enumerate(lines):
        db.session.add(QuoteLine(quote_id=quote.id, position=pos, kind=kind, part_no=part_no, name=f"line {pos}",
                                 quality=quality, quantity=Decimal("1"), unit_price=Decimal("100.00"),
                                 amount=Decimal("100.00")))
    db.session.commit()
    return quote


def at(day, hour=0):
    return datetime(2026, 3, day, hour, tzinfo=LOCAL_TZ)


def test_part_lines_of_quotes_submitted_in_the_period_in_one_query(app, people):
    from portal.plugins import get_pm

    g1, g2 = people.garage, people.other_garage
    _quote(g1, at(2), [("part", "1K0807221", "genuine"), ("labor", None, None), ("part", "5G0941005", "equivalent")])
    _quote(g2, at(9, 23), [("part", "ASSY01", "recycled"), ("paint", None, None),
                           ("repair", "REPAIRME", None), ("part", None, "genuine")])   # a custom part without no.
    _quote(g1, at(1), [("part", "START01", "genuine")])                     # on the first moment: counted
    _quote(g2, at(10), [("part", "END01", "genuine")])                      # on the end: excluded
    _quote(g1, datetime(2026, 2, 28, 23, tzinfo=LOCAL_TZ), [("part", "EARLY01", "genuine")])  # before
    _quote(g1, None, [("part", "DRAFT01", "genuine")], status="draft")     # never submitted
    _quote(g2, at(5), [("material", None, None)], status="approved")       # no part line
    _quote(g2, at(6), [("part", "RET01", "equivalent")], status="returned")  # submitted, then returned: counted

    with count_queries() as q:
        rows = [tuple(r) for impl in get_pm(app).hook.portal_quoted_parts(period=Period(at(1), at(10))) for r in impl]
    assert q.count == 1, q
    assert sorted(rows, key=repr) == sorted([
        (g1.id, "1K0807221", "genuine"), (g1.id, "5G0941005", "equivalent"), (g2.id, "ASSY01", "recycled"),
        (g2.id, None, "genuine"), (g1.id, "START01", "genuine"), (g2.id, "RET01", "equivalent"),
    ], key=repr)


def test_an_empty_period_gives_no_rows(app, people):
    from portal.plugins import get_pm

    _quote(people.garage, at(2), [("part", "1K0807221", "genuine")])
    results = get_pm(app).hook.portal_quoted_parts(period=Period(at(20), at(25)))
    assert [r for impl in results for r in impl] == []
