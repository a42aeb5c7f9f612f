"""Hook implementations of the core's claims area: routes, menu, dashboard, the
assignment notification and the demo claims."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..hookspecs import hookimpl
from ..web.nav import NavItem, Widget
from . import models  # noqa: F401  (tables known to the metadata)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@hookimpl
def portal_blueprints(app):
    from . import views

    return [views.bp]


@hookimpl
def portal_api_blueprints(app):
    from . import api

    return [api.blp]


@hookimpl
def portal_translation_dirs():
    return [str(TRANSLATIONS)]


@hookimpl
def portal_nav_items(user):
    if user.is_insurer:
        return [NavItem(_l("Claims"), "claims.index", order=10)]
    if user.org_kind in ("garage", "specialist_repairer", "salvage_vendor", "law_firm"):
        return [NavItem(_l("My claims"), "claims.mine", order=10)]
    return []


@hookimpl
def portal_dashboard_widgets(user):
    import sqlalchemy as sa

    from ..extensions import db
    from .access import visible_claims_stmt
    from .models import Claim
    from .services import color_counts

    if user.is_insurer:
        counts = color_counts(sa.select(Claim).where(Claim.status == "open"))
        labels = {"red": _l("Red"), "yellow": _l("Yellow"), "blue": _l("Blue")}
        return [
            Widget(_l("Open red claims"), value=counts["red"], url="/claims?color=red&status=open", tone="danger",
                   subtitle=_l("never fast-tracked"), order=10),
            Widget(_l("Open claims by risk colour"), value=sum(counts.values()), kind="bar",
                   data=[(str(labels[c]), counts[c], f"chart-risk-{c}") for c in ("red", "yellow", "blue")], url="/claims?status=open",
                   order=11),
        ]
    if user.org_kind in ("garage", "specialist_repairer", "salvage_vendor", "law_firm"):
        stmt = visible_claims_stmt(user).where(Claim.status == "open")
        n = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        return [Widget(_l("Open claims assigned to us"), value=n, url="/my/claims", order=10)]
    return []


@hookimpl
def portal_audit_entities():
    return ["claim"]


@hookimpl
def portal_code_lists():
    from ..glossary import term
    from .risk import RED_REASONS

    return {"risk-reasons": [(code, lambda code=code: term("risk.reason", code)) for code in RED_REASONS]}


@hookimpl
def portal_notification_kinds():
    return {"claim.assigned": _l("A claim was assigned to your organization"),
            "claim.unassigned": _l("A claim assignment ended")}


@hookimpl
def portal_event(name, payload):
    if name not in ("claim.assigned", "claim.unassigned"):
        return None
    from flask_babel import gettext

    from ..notifications import services as notifications
    from .purposes import purpose_label

    # rendered in each recipient's language by notify (portal/notifications/services.py)
    no = payload["claim_no"]
    if name == "claim.assigned":
        def title():
            return gettext("Claim %(no)s assigned to you (%(purpose)s)", no=no,
                           purpose=purpose_label(payload["purpose"]))

        def body():
            return gettext("The insurer assigned claim %(no)s to your organization for %(purpose)s.",
                           no=no, purpose=purpose_label(payload["purpose"]))
        url = f"/claims/{no}"
    else:
        def title():
            return gettext("Assignment of claim %(no)s ended", no=no)

        def body():
            return gettext("Your organization no longer works on claim %(no)s (%(purpose)s).",
                           no=no, purpose=purpose_label(payload["purpose"]))
        url = None
    return notifications.notify(kind=name, title=title, body=body, url=url,
                                organization_id=payload["organization_id"])


@hookimpl(tryfirst=True)  # the core's claims exist before any plugin's demo data needs them
def portal_demo_data(demo):
    from .demo import load_demo_claims

    return load_demo_claims(demo)
