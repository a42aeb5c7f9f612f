"""Event receivers (after commit): notifications of the salvage plugin (损余通知):
eligible vendors on opening, the winner on award, winner and desk on an overdue pickup,
the desk on a lot without sale."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from flask_babel import gettext as _

from portal.plugin import Organization, db, local_time, money, notify

from .config import barred_grades


def _url(payload) -> str:
    return f"/salvage/lots/{payload['lot_id']}"


def eligible_vendor_ids() -> list[int]:
    barred = barred_grades()
    with Session(db.engine) as session:
        stmt = sa.select(Organization.id).where(Organization.kind == "salvage_vendor", Organization.status == "active")
        if barred:
            stmt = stmt.where(sa.func.coalesce(Organization.grade, "").not_in(barred))
        return list(session.scalars(stmt))


def on_event(name: str, payload: dict) -> None:
    """Each text in the recipient's language (rendered per language by ``notify``), money
    as ¥1,234.50 and times in Beijing time."""
    lot = f"#{payload.get('lot_id')} {payload.get('description', '')}"[:150]
    if name == "salvage.opened":
        for org_id in eligible_vendor_ids():
            notify(kind=name, title=lambda: _("Salvage lot open for bids: %(lot)s", lot=lot),
                   body=lambda: _("Bidding closes %(at)s (Beijing time).",
                                  at=local_time(payload.get("bidding_closes_at"))),
                   url=_url(payload), organization_id=org_id)
    elif name == "salvage.awarded":
        notify(kind=name, title=lambda: _("You won salvage lot %(lot)s", lot=lot),
               body=lambda: _("Price %(amount)s; pick up by %(at)s (Beijing time).",
                              amount=money(payload.get("amount")), at=local_time(payload.get("pickup_due_at"))),
               url=_url(payload), organization_id=payload["winner_id"])
    elif name == "salvage.pickup_overdue":
        notify(kind=name, title=lambda: _("Salvage pickup overdue: %(lot)s", lot=lot),
               body=lambda: _("Pickup was due %(at)s (Beijing time).", at=local_time(payload.get("pickup_due_at"))),
               url=_url(payload), organization_id=payload["winner_id"],
               user_ids=[payload["created_by_id"]] if payload.get("created_by_id") else ())
    elif name == "salvage.no_sale":
        if payload.get("created_by_id"):
            notify(kind=name, title=lambda: _("No bid at or above the reserve: %(lot)s", lot=lot), url=_url(payload),
                   user_ids=[payload["created_by_id"]])
