"""Event receivers (after commit): notifications of the parts-suppliers plugin (价格表通知):
pricing staff on an upload or feedback, the supplier on a decision or an answer."""
from __future__ import annotations

from flask_babel import gettext as _

from portal.plugin import notify, term


def on_event(name: str, payload: dict) -> None:
    """Each text in the recipient's language (``notify`` renders the lambdas per language)."""
    if not name.startswith(("price_list.", "price_feedback.")):
        return
    if name == "price_list.uploaded":
        notify(kind=name, title=lambda: _("Price list v%(version)s to review (%(rows)s rows)",
                                          version=payload["list_version"], rows=payload["rows"]),
               url=f"/parts/price-lists/{payload['price_list_id']}", roles=("pricing",))
    elif name in ("price_list.approved", "price_list.rejected"):
        notify(kind=name, title=lambda: _("Price list v%(version)s: %(status)s", version=payload["list_version"],
                                          status=term("price_list.status", "current" if name.endswith("approved")
                                                      else "rejected")),
               body=payload.get("note", ""), url=f"/parts/price-lists/{payload['price_list_id']}",
               organization_id=payload["supplier_id"])
    elif name == "price_list.withdrawn":
        notify(kind=name, title=lambda: _("Price list v%(version)s withdrawn by the supplier",
                                          version=payload["list_version"]),
               url=f"/parts/price-lists/{payload['price_list_id']}", roles=("pricing",))
    elif name == "price_feedback.created":
        notify(kind=name, title=lambda: _("Price feedback: %(part_no)s (%(quality)s)", part_no=payload["part_no"],
                                          quality=term("part.quality", payload["quality"])),
               url="/parts/feedback?status=open", roles=("pricing",))
    elif name == "price_feedback.answered":
        notify(kind=name, title=lambda: _("Price feedback answered: %(part_no)s", part_no=payload["part_no"]),
               url="/parts/feedback", user_ids=[payload["user_id"]])
