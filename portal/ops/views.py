"""Signed webhooks for people (``docs/operations.md``, "Webhooks"): register an endpoint,
rotate its secret, disable it, read its delivery log and replay a delivery. The rules are the service's
(``portal.ops.webhooks``), the same the API (``portal.ops.api``) uses; the signing secret
is shown once, from what the service returns, and never read back from the endpoint."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..api.pagination import count_rows
from ..auth.models import Organization
from ..auth.services import confirm_password
from ..errors import Forbidden, Invalid
from ..extensions import db
from ..web.forms import apply_errors
from . import webhooks
from .event_catalogue import UNKNOWN, catalogue
from .webhooks import WebhookDelivery, WebhookEndpoint

bp = Blueprint("ops_web", __name__)
PER_PAGE = 25
DELIVERY_STATUSES = ("pending", "delivered", "failed")
DELIVERY_LABELS = {"pending": _l("Waiting to send"), "delivered": _l("Delivered"), "failed": _l("Failed")}


class EndpointForm(FlaskForm):
    organization_id = SelectField(_l("Organization"), coerce=int)
    url = StringField(_l("Endpoint URL"), validators=[DataRequired(), Length(max=500)])
    events = StringField(_l("Events"), validators=[Optional(), Length(max=2000)])
    password = PasswordField(_l("Your password"), validators=[DataRequired()])


def _manager():
    if not (current_user.is_admin or current_user.has_role("partner_admin")):
        raise Forbidden()
    return current_user


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _endpoint_form(blank: bool = False) -> EndpointForm:
    form = EndpointForm(formdata=None) if blank else EndpointForm()
    if not current_user.is_admin:
        del form.organization_id
        return form
    orgs = db.session.scalars(sa.select(Organization).order_by(Organization.kind, Organization.name)).all()
    form.organization_id.choices = [(o.id, o.name) for o in orgs]
    if blank or request.method == "GET":
        form.organization_id.data = current_user.organization_id
    return form


def _events(text: str | None) -> list[str]:
    known = {e["name"] for e in catalogue()}
    names = [n for n in re.split(r"[\s,，;；]+", text or "") if n]
    if any(len(n) > 100 for n in names):
        raise Invalid.field("events", "An event name has at most 100 characters.")
    if any(name not in known for name in names):
        raise Invalid.field("events", UNKNOWN)
    return names


def _messages(exc: Invalid) -> dict:
    """The service's English messages in the page's language."""
    return {k: [_(str(m)) for m in (v if isinstance(v, list) else [v])] for k, v in exc.details.items()}


def _listing(form, secret=None, secret_for=None, rotate_errors=None, status=200):
    stmt = sa.select(WebhookEndpoint, Organization.name) \
        .join(Organization, Organization.id == WebhookEndpoint.organization_id).order_by(WebhookEndpoint.id.desc())
    if not current_user.is_admin:
        stmt = stmt.where(WebhookEndpoint.organization_id == current_user.organization_id)
    page = _page()
    rows = db.session.execute(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    counts = {}
    if rows:
        counts = {(e, s): n for e, s, n in db.session.execute(
            sa.select(WebhookDelivery.endpoint_id, WebhookDelivery.status, sa.func.count())
            .where(WebhookDelivery.endpoint_id.in_([row[0].id for row in rows]))
            .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status))}
    total = count_rows(stmt)
    return render_template("ops/webhooks.html", rows=rows, counts=counts, form=form, secret=secret,
                           secret_for=secret_for, rotate_errors=rotate_errors or {}, page=page, per_page=PER_PAGE,
                           total=total, statuses=DELIVERY_STATUSES, labels=DELIVERY_LABELS), status


@bp.route("/settings/webhooks", methods=["GET", "POST"])
@login_required
def endpoints():
    user = _manager()
    form = _endpoint_form()
    if form.validate_on_submit():
        try:
            confirm_password(current_user, form.password.data)
            org_id = form.organization_id.data if user.is_admin else user.organization_id
            endpoint, secret = webhooks.create_endpoint(organization_id=org_id, url=form.url.data,
                                                        events=_events(form.events.data), actor=user)
            db.session.commit()
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Endpoint registered."), "success")
            return _listing(_endpoint_form(blank=True), secret=secret, secret_for=endpoint)
    return _listing(form, status=422 if form.errors else 200)


@bp.route("/settings/webhooks/<int:endpoint_id>/rotate", methods=["GET", "POST"])
@login_required
def rotate(endpoint_id):
    user = _manager()
    endpoint = webhooks.visible_endpoint(endpoint_id, user)  # another organization's: 404 before anything
    if request.method == "GET":  # e.g. the language switch on the page this POST rendered
        return redirect(url_for("ops_web.endpoints"))
    try:
        confirm_password(current_user, request.form.get("password"))
    except Invalid as exc:
        return _listing(_endpoint_form(blank=True), rotate_errors={endpoint.id: _messages(exc)["password"]},
                        status=422)
    secret = webhooks.rotate_secret(endpoint, user)
    db.session.commit()
    flash(_("A new signing secret was made; the old one no longer verifies."), "success")
    return _listing(_endpoint_form(blank=True), secret=secret, secret_for=endpoint)


@bp.route("/settings/webhooks/<int:endpoint_id>/disable", methods=["POST"])
@login_required
def disable(endpoint_id):
    user = _manager()
    webhooks.disable_endpoint(webhooks.visible_endpoint(endpoint_id, user), user)
    db.session.commit()
    flash(_("Endpoint disabled: it receives no more deliveries."), "success")
    return redirect(url_for("ops_web.endpoints"))


@bp.route("/settings/webhooks/<int:endpoint_id>/deliveries")
@login_required
def deliveries(endpoint_id):
    user = _manager()
    endpoint = webhooks.visible_endpoint(endpoint_id, user)
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id) \
        .order_by(WebhookDelivery.id.desc())
    page = _page()
    items = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("ops/webhook_deliveries.html", endpoint=endpoint, deliveries=items, page=page,
                           per_page=PER_PAGE, total=count_rows(stmt), labels=DELIVERY_LABELS)


@bp.route("/settings/webhooks/deliveries/<int:delivery_id>/replay", methods=["POST"])
@login_required
def replay(delivery_id):
    user = _manager()
    copy = webhooks.replay(delivery_id, user)  # another organization's delivery: NotFound (404)
    db.session.commit()
    flash(_("Delivery %(id)s queued again as delivery %(copy)s.", id=delivery_id, copy=copy.id), "success")
    return redirect(url_for("ops_web.deliveries", endpoint_id=copy.endpoint_id))
