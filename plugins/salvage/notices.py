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


def eligible_vendor_ids(session=None) -> list[int]:
    """The vendors that may bid; in ``session`` (the change's own, for its event's audience)
    or, after the commit, in a session of its own."""
    barred = barred_grades()
    stmt = sa.select(Organization.id).where(Organization.kind == "salvage_vendor", Organization.status == "active")
    if barred:
        stmt = stmt.where(sa.func.coalesce(Organization.grade, "").not_in(barred))
    if session is not None:
        return list(session.scalars(stmt))
    with Session(db.engine) as own:
        return list(own.scalars(stmt))


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
    elif name == "salvage_lot.awarded":
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
