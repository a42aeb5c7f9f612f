"""The claim's net cost tab shows what is paid against what is approved (直赔 payments)."""
from __future__ import annotations

import re

from tests.core.test_invoices_api import approved_quote, invoice_data, send_invoice
from tests.core.test_payments_api import pay


def test_net_cost_shows_paid_against_approved(client, factory, web_login):
    from portal.claims.models import Claim
    from portal.extensions import db

    garage = factory.org("garage")
    h = factory.headers(factory.user(garage))
    admin = factory.headers(factory.admin())
    quote = approved_quote(garage, "800.00")
    inv = send_invoice(client, h, invoice_data("800.00", [("quote", quote.id)])).json
    assert pay(client, admin, inv["id"], "300.00", "NC-1").status_code == 201
    claim_no = db.session.get(Claim, quote.claim_id).claim_no
    staff = factory.user()
    db.session.commit()
    web_login(staff)
    db.session.commit()
    html = client.get(f"/claims/{claim_no}").get_data(as_text=True)
    table = re.search(r'data-testid="net-cost-payments".*?</table>', html, re.DOTALL).group(0)
    assert "800.00" in table and "500.00" in table
    assert re.search(r'data-testid="net-cost-paid">[^<]*300\.00<', table)
    assert pay(client, admin, inv["id"], "-300.00", "NC-1").status_code == 201
    html = client.get(f"/claims/{claim_no}").get_data(as_text=True)
    assert re.search(r'data-testid="net-cost-paid">[^<]*0\.00<', html)


def test_a_claim_without_approved_work_has_no_payments_table(client, factory, web_login):
    from portal.extensions import db
    from tests.plugins.garages.conftest import make_claim

    claim_no = make_claim(factory.org("garage")).claim_no
    staff = factory.user()
    db.session.commit()
    web_login(staff)
    db.session.commit()
    r = client.get(f"/claims/{claim_no}")
    assert r.status_code == 200 and "net-cost-payments" not in r.get_data(as_text=True)
