"""A supplier's own price-list steps (on blueprint ``parts_suppliers``, see ``register``):
withdraw a pending version, and download the file template the importer accepts (CSV and XLSX)."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.plugin import NotFound, PortalError, xlsx_response

from . import services
from .pricefile import TEMPLATE_HEADERS


def withdraw(list_id, step):
    """The supplier takes back its pending version; another organization's list → 404."""
    if current_user.org_kind != "parts_supplier":
        abort(403)
    try:
        pl = services.get_visible_price_list(list_id, current_user)
    except (NotFound, PortalError):
        abort(404)
    lock = request.form.get("lock_version", type=int)
    return step(pl, lambda: services.withdraw_price_list(pl, current_user, expected_version=lock),
                _("Version %(v)s withdrawn; your current version stays in force.", v=pl.list_version))


def price_list_template(kind):
    """An empty price file with the Chinese headers the importer accepts (one header row)."""
    if kind == "xlsx":
        return xlsx_response("price-list-template.xlsx", [(h, "text") for h in TEMPLATE_HEADERS], [],
                             title="price list")
    out = io.StringIO()
    csv.writer(out).writerow(TEMPLATE_HEADERS)
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",   # a BOM: Excel opens it as UTF-8
                    headers={"Content-Disposition": "attachment; filename=price-list-template.csv"})


def register(bp, step) -> None:
    """Add these pages to ``bp``; ``step`` runs a list's transition and answers (views._step)."""
    bp.add_url_rule("/price-lists/<int:list_id>/withdraw", "withdraw",
                    login_required(lambda list_id: withdraw(list_id, step)), methods=["POST"])
    bp.add_url_rule("/price-lists/template.<any(csv, xlsx):kind>", "price_list_template",
                    login_required(price_list_template))
