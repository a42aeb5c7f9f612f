"""The review queue's rows, dumped fast, equal the quotes dumped by marshmallow."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from portal.api.dump import dump_many

from .conftest import make_claim


def test_the_quote_summaries_of_the_review_queue(app, factory):
    from plugins.garages.models import Quote
    from plugins.garages.schemas import QuoteSummary
    from plugins.garages.services import quote_summaries_page, visible_quotes_stmt
    from portal.extensions import db

    garage = factory.org("garage")
    claim = make_claim(garage, color="red")
    for status in ("submitted", "approved", "draft"):
        db.session.add(Quote(claim_id=claim.id, garage_id=garage.id, status=status, total_submitted=Decimal("99.5"),
                             due_at=datetime(2026, 1, 5, 9, tzinfo=timezone.utc) if status == "submitted" else None))
    db.session.commit()
    staff = factory.user(factory.insurer())
    stmt = visible_quotes_stmt(staff).order_by(Quote.id)
    with app.test_request_context("/api/v1/quotes"):
        rows = quote_summaries_page(stmt)["items"]
    objects = db.session.scalars(stmt).all()
    assert dump_many(QuoteSummary(), rows) == QuoteSummary().dump(objects, many=True)
    assert [r["overdue"] for r in dump_many(QuoteSummary(), rows)] == [True, False, False]
