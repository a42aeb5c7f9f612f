"""The insurer's report card pages (保险公司成绩单): a partner's own figures beside its region's
peers (never one peer's, never an assessor's name), and staff's per-team figures."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from .report_card import FIGURES, MIN_PEERS, partner_card, team_cards
from .services import PARTNER_KINDS_INVOICING

bp = Blueprint("report_card", __name__, url_prefix="/payments/report-card")


@bp.route("/")
@login_required
def mine():
    if current_user.is_insurer:
        return redirect(url_for("report_card.teams"))
    if current_user.organization.kind not in PARTNER_KINDS_INVOICING:
        abort(404)
    return render_template("payments/report_card.html", card=partner_card(current_user.organization),
                           figures=FIGURES)


@bp.route("/teams")
@login_required
def teams():
    if not current_user.is_insurer:
        abort(404)
    return render_template("payments/report_card_teams.html", rows=team_cards(), figures=FIGURES,
                           min_peers=MIN_PEERS)
