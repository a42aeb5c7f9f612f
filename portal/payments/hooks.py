"""Hook implementations of the core's payments area (直赔结算): routes, audit, notifications."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..hookspecs import hookimpl
from . import models  # noqa: F401 - the tables belong to the core's metadata


@hookimpl
def portal_blueprints(app):
    from . import views, weekly_views  # noqa: F401 - the weekly list's routes are on views.bp
    from .report_card_views import bp as report_card_bp

    return [views.bp, report_card_bp]


@hookimpl
def portal_nav_items(user):
    from ..web.nav import NavItem
    from .services import PARTNER_KINDS_INVOICING

    if user.is_insurer:
        return [NavItem(_l("Invoices & payments"), "payments.clock", order=60),
                NavItem(_l("Approved unpaid"), "payments.unpaid", order=61),
                NavItem(_l("Insurer report card by team"), "report_card.teams", order=62)]
    if user.organization.kind in PARTNER_KINDS_INVOICING:
        return [NavItem(_l("Invoices & payments"), "payments.clock", order=60)]
    return []


@hookimpl
def portal_api_blueprints(app):
    from . import api, report_card_api

    return [api.blp, report_card_api.blp]


@hookimpl
def portal_audit_entities():
    return ["invoice", "payment"]


@hookimpl
def portal_notification_kinds():
    return {"invoice.paid": _l("Your invoice was paid")}


@hookimpl
def portal_event(name, payload):
    from ..notifications.services import notify

    if name == "invoice.paid":
        notify(kind=name, organization_id=payload["organization_id"],
               title=f"发票已付款:{payload['number']}({payload['amount']})",
               body=f"付款参考 {payload['reference']},起息日 {payload['value_date']}。",
               url=f"/api/v1/invoices/{payload['invoice_id']}")


@hookimpl
def portal_claim_partner_work(claim, user):
    """The net cost's payments: on each approved item of the claim, what is paid against approved."""
    from ..web.nav import ClaimSection
    from .clock import claim_payments

    if not user.is_insurer:
        return []
    from ..glossary import money, term

    rows = [{"item": f"{term('payable.kind', r['kind'])} #{r['id']}", "approved": money(r["approved"]),
             "invoiced": money(r["invoiced"]), "paid": money(r["paid"]),
             "unpaid": money(r["approved"] - r["paid"])} for r in claim_payments(claim.claim_no)]
    return [ClaimSection(_l("Payments against approved"), rows=rows, order=80,
                         columns=[("item", _l("Item")), ("approved", _l("Approved")), ("invoiced", _l("Invoiced")),
                                  ("paid", _l("Paid")), ("unpaid", _l("Not yet paid"))],
                         empty=_l("No approved work to pay on this claim."))]


@hookimpl
def portal_terms():
    from .report_card import FIGURES

    return {"report_card.figure": FIGURES, "payable.kind": ("quote", "legal_cost"),
            "invoice.status": ("submitted", "partly_paid", "paid"),
            "audit.action": ("submit", "record", "reverse", "pay_part", "pay_full", "reverse_part", "reverse_all")}


@hookimpl(wrapper=True)  # after the plugins' demo data: their approved work exists before its invoices
def portal_demo_data(demo):
    results = yield
    from .demo import load

    return [*results, *load(demo)]


@hookimpl
def portal_scheduled_jobs():
    from .weekly import weekly_job

    return [("payments.weekly_unpaid_list", weekly_job)]


@hookimpl
def portal_cli_commands():
    from .weekly_views import unpaid_list_command

    return [unpaid_list_command]


@hookimpl
def portal_webhook_events():
    from ..ops.event_catalogue import event as ev

    paid = dict(invoice_id="int", organization_id="int", amount="money", reference="str", value_date="str")
    return [
        ev("invoice.submitted", "Your organization sent an invoice against approved work.", invoice_id="int",
           organization_id="int", amount="money", number="str"),
        ev("payment.recorded", "The insurer's payment system recorded a payment on your invoice.", **paid),
        ev("payment.reversed", "A payment on your invoice was reversed (negative amount).", **paid),
        ev("invoice.paid", "Your invoice is paid in full.", **paid, number="str"),
    ]


@hookimpl
def portal_dashboard_widgets(user):
    """Staff's figure: days from approval to payment (median, p90; portal/payments/weekly.py)."""
    if not user.is_insurer:
        return []
    from ..web.nav import Widget
    from .weekly import payment_days

    days = payment_days()
    if not days["count"]:
        return []
    return [Widget(_l("Days from approval to payment"), value=f"{days['median']} / p90 {days['p90']}",
                   subtitle=_l("%(n)s paid items", n=days["count"]), url="/payments/unpaid", order=40)]
