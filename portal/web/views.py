"""Dashboard and notifications."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..notifications.models import Notification
from ..plugins import flatten, hook, once_per_app
from ..timeutil import utcnow

bp = Blueprint("web", __name__)


@bp.route("/")
@login_required
def dashboard():
    widgets = sorted(flatten(hook().portal_dashboard_widgets(user=current_user)), key=lambda w: w.order)
    return render_template("dashboard.html", widgets=widgets)


def notification_kinds() -> dict:
    """``{kind: label}`` of every notification kind an area sends, merged once per app."""
    def merge(app) -> dict:
        kinds: dict = {}
        for table in hook(app).portal_notification_kinds():
            kinds.update(table)
        return kinds

    return once_per_app("notification_kinds", merge)


@bp.route("/notifications")
@login_required
def notifications():
    kinds = notification_kinds()
    kind = request.args.get("kind", "")
    stmt = sa.select(Notification).where(Notification.user_id == current_user.id)
    if kind in kinds:
        stmt = stmt.where(Notification.kind == kind)
    else:
        kind = ""
    rows = db.session.scalars(stmt.order_by(Notification.id.desc()).limit(200)).all()
    received = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == current_user.id)
                                  .distinct()).all()
    choices = sorted(((k, kinds[k]) for k in received if k in kinds), key=lambda kv: str(kv[1]))
    return render_template("notifications.html", notifications=rows, kinds=kinds, kind=kind, choices=choices)


@bp.route("/notifications/<int:note_id>/open", methods=["POST"])
@login_required
def open_notification(note_id):
    note = db.session.scalar(sa.select(Notification).where(Notification.id == note_id,
                                                           Notification.user_id == current_user.id))
    if note is None:
        return redirect(url_for("web.notifications"))
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    target = note.url if note.url and note.url.startswith("/") and not note.url.startswith("//") else None
    return redirect(target or url_for("web.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    db.session.execute(sa.update(Notification).where(Notification.user_id == current_user.id,
                                                     Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return redirect(request.referrer and url_for("web.notifications") or url_for("web.dashboard"))
