"""The pages: garage editor → submit; assessor queue (counts, export) → review → decide; garage sees it."""
from __future__ import annotations

import io

from .conftest import create, make_claim, part

from tests.images import PNG


class As:
    """A browser of one user. The suite runs inside one app context, so Flask-Login's
    per-context user cache is cleared before each request of a different client."""

    def __init__(self, app, user):
        from tests.conftest import login

        self.client = app.test_client()
        self._forget()
        assert login(self.client, user).status_code == 302

    @staticmethod
    def _forget():
        from flask import g

        g.pop("_login_user", None)

    def get(self, *a, **kw):
        self._forget()
        return self.client.get(*a, **kw)

    def post(self, *a, **kw):
        self._forget()
        return self.client.post(*a, **kw)


def test_garage_writes_and_assessor_decides_through_the_pages(app, people, factory):
    from tests.conftest import login

    claim = make_claim(people.garage, color="yellow")
    g = As(app, people.garage_user)
    page = g.get("/garages/quotes")
    assert page.status_code == 200 and claim.claim_no.encode() in page.data
    r = g.post(f"/garages/claims/{claim.claim_no}/quotes/new", data={
        "lines-0-kind": "part", "lines-0-part_no": "1K0807221", "lines-0-name": "前保险杠", "lines-0-quality": "genuine",
        "lines-0-quantity": "0", "lines-0-unit_price": "800"})
    assert r.status_code == 422 and "invalid-feedback".encode() in r.data
    r = g.post(f"/garages/claims/{claim.claim_no}/quotes/new", data={
        "lines-0-kind": "part", "lines-0-part_no": "1K0807221", "lines-0-name": "前保险杠", "lines-0-quality": "genuine",
        "lines-0-quantity": "1", "lines-0-unit_price": "800",
        "lines-1-kind": "labor", "lines-1-name": "拆装", "lines-1-quantity": "2", "lines-1-unit_price": "100"})
    assert r.status_code == 302
    from portal.extensions import db
    from plugins.garages.models import Quote

    quote = db.session.query(Quote).one()
    qid = quote.id
    r = g.post(f"/garages/quotes/{qid}/photos", data={"file": (io.BytesIO(PNG), "d.png"), "kind": "damage"},
               content_type="multipart/form-data")
    assert r.status_code == 302
    edit = g.get(f"/garages/quotes/{qid}/edit")
    assert edit.status_code == 200
    form = {f"lines-{i}-{k}": str(getattr(ln, k) or "") for i, ln in enumerate(quote.lines)
            for k in ("id", "kind", "part_no", "name", "quality", "quantity", "unit_price")}
    r = g.post(f"/garages/quotes/{qid}/edit", data={**form, "action": "submit", "version": quote.version})
    assert r.status_code == 302, r.data[:2000]
    db.session.expire_all()
    quote = db.session.get(Quote, qid)
    assert quote.status == "submitted"

    a = As(app, people.assessor)
    q = a.get("/garages/queue")
    assert q.status_code == 200, q.data.decode()[q.data.decode().find("<main"):][:1500]
    assert q.status_code == 200 and f"#{qid}".encode() in q.data
    x = a.get("/garages/queue?export=xlsx")
    assert x.status_code == 200 and x.data[:2] == b"PK"
    review = a.get(f"/garages/quotes/{qid}")
    assert review.status_code == 200 and claim.vin.encode() in review.data
    line_id = quote.lines[0].id
    r = a.post(f"/garages/quotes/{qid}/decide", data={"action": "approve", "version": quote.version,
                                                      f"price-{line_id}": "700", f"reason-{line_id}": "PRICE_HIGH"})
    assert r.status_code == 302
    db.session.expire_all()
    quote = db.session.get(Quote, qid)
    assert quote.status == "approved" and str(quote.total_approved) == "900.00"

    seen = g.get(f"/garages/quotes/{qid}")
    assert seen.status_code == 200 and 'data-testid="approved-total">¥900.00'.encode() in seen.data
    assert "价格偏高".encode() in seen.data     # the reason code, in Chinese
    assert g.get(f"/garages/quotes/{qid}/photos/{quote.photos[0].id}").status_code == 200
    assert a.get("/garages/samples").status_code == 200
    # another garage sees nothing
    o = As(app, people.other_user)
    assert o.get(f"/garages/quotes/{qid}").status_code == 404
    assert o.get("/garages/queue").status_code == 404


def test_dashboard_and_nav(app, people, garage_api):
    from tests.conftest import login

    claim = make_claim(people.garage, color="yellow")
    create(garage_api, claim, [part()], submit=True)
    a = As(app, people.assessor)
    home = a.get("/")
    assert home.status_code == 200 and b"/garages/queue" in home.data


def test_findings_are_named_in_the_readers_language(app, people, garage_api):
    """The checks' codes have Chinese names on the pages; the detail stays the check's words;
    an English reader (and a third-party code without a name) sees the code."""
    from portal.extensions import db
    from plugins.garages.models import Finding

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    line_id = q["lines"][0]["id"]
    db.session.add_all([
        Finding(quote_id=q["id"], line_id=line_id, code="PRICE_ABOVE_REFERENCE", severity="warn",
                message="800.00 is above the reference price 700.00", rules_version="test"),
        Finding(quote_id=q["id"], line_id=line_id, code="ACME_CUSTOM_CHECK", severity="info",
                message="a third-party check", rules_version="test")])
    db.session.commit()
    a = As(app, people.assessor)
    zh = a.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "<strong>单价高于参考价</strong>" in zh and "800.00 is above the reference price 700.00" in zh
    assert "<code>ACME_CUSTOM_CHECK</code>" in zh
    garage_zh = As(app, people.garage_user).get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "单价高于参考价" in garage_zh
    a.post("/lang/en", data={})
    en = a.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "单价高于参考价" not in en and "<strong>Price above the reference</strong>" in en   # the glossary's English


def test_the_garages_quotes_badge_counts_its_returned_quotes_from_the_counts(app, people, garage_api, api_as):
    """The nav badge of a garage's 报价 entry: its quotes returned to it, read from the quote
    counts (plugins/garages/quote_stats.py) — one row, never its quotes counted."""
    import re

    from portal.extensions import db
    from tests.querycount import count_queries

    def badge(browser) -> str | None:
        with count_queries(db.engine) as counter:
            html = browser.get("/garages/quotes").get_data(as_text=True)
        found = re.search(r'href="/garages/quotes">[^<]*<span class="badge rounded-pill text-bg-warning">(\d+)</span>',
                          html)
        counted = [" ".join(s.split()) for s in counter.statements]
        assert not any("count(*)" in s and "FROM garages_quotes WHERE garages_quotes.garage_id = ? AND "
                       "garages_quotes.status = ?" in s for s in counted), counter
        return found.group(1) if found else None

    from tests.plugins.garages.test_review import decide

    staff = api_as(people.assessor)
    quotes = [create(garage_api, make_claim(people.garage, color="yellow"), [part()], submit=True) for _ in range(3)]
    create(api_as(people.other_user), make_claim(people.other_garage, color="yellow"), [part()], submit=True)
    browser = As(app, people.garage_user)
    assert badge(browser) is None
    returned = [decide(staff, q, "return", comment="请补充拆检照片").get_json() for q in quotes[:2]]
    assert badge(browser) == "2"
    r = garage_api.post(f"/quotes/{returned[0]['id']}/withdraw", json={"version": returned[0]["version"]})
    assert r.status_code == 200, r.get_json()
    assert badge(browser) == "1"
