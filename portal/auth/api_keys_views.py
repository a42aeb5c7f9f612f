"""System credentials for people (``/settings/api-keys``): a partner admin (or an insurer
admin) lists its organization's API keys, makes one — shown this once, with a copy
button — and revokes one. The rules are ``portal.auth.api_keys``, the same the API uses."""
from __future__ import annotations

import re
from datetime import time

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from ..api.pagination import count_rows
from ..errors import Forbidden, Invalid
from ..extensions import db
from ..timeutil import local_datetime
from ..web.forms import apply_errors
from . import api_keys
from .models import Organization

bp = Blueprint("api_keys_web", __name__)
PER_PAGE = 25
SCOPE_LABELS = {
    "read": _l("Read everything the organization may see"),
    "quotes:write": _l("Write repair quotes"),
    "price_lists:write": _l("Upload price lists"),
    "salvage:write": _l("Bid on and collect salvage lots"),
    "legal:write": _l("Write recovery and litigation records"),
    "webhooks": _l("Register webhooks"),
    "invoices:write": _l("Send invoices with their scans"),
    "payments:write": _l("Record payments (insurer)"),
}


class KeyForm(FlaskForm):
    name = StringField(_l("Name of the system"), validators=[DataRequired(), Length(max=100)])
    scopes = SelectMultipleField(_l("Scopes"), widget=widgets.ListWidget(prefix_label=False),
                                 option_widget=widgets.CheckboxInput())
    allowed_ips = TextAreaField(_l("Allowed addresses"), validators=[Optional(), Length(max=3000)])
    expires_on = DateField(_l("Expires on"), validators=[Optional()])


def _manager():
    if not (current_user.is_admin or current_user.has_role("partner_admin")):
        raise Forbidden()
    return current_user


def _form(blank: bool = False) -> KeyForm:
    form = KeyForm(formdata=None) if blank else KeyForm()
    allowed = api_keys.INSURER_SCOPES if current_user.is_insurer else api_keys.SCOPES
    form.scopes.choices = [(s, Markup("{} <code>{}</code>").format(SCOPE_LABELS[s], s)) for s in allowed]
    if blank or request.method == "GET":
        form.scopes.data = ["read"]
    return form


def _listing(form, made=None, key=None, status=200):
    stmt = api_keys.keys_stmt(current_user)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    orgs = dict(db.session.execute(sa.select(Organization.id, Organization.name).where(
        Organization.id.in_({k.organization_id for k in rows})))) if current_user.is_admin and rows else {}
    return render_template("auth/api_keys.html", rows=rows, orgs=orgs, form=form, made=made, key=key, page=page,
                           per_page=PER_PAGE, total=count_rows(stmt), labels=SCOPE_LABELS), status


@bp.route("/settings/api-keys", methods=["GET", "POST"])
@login_required
def keys():
    user = _manager()
    form = _form()
    if form.validate_on_submit():
        expires = local_datetime(form.expires_on.data, time(0)) if form.expires_on.data else None
        try:
            row, key = api_keys.create_key(actor=user, name=form.name.data, scopes=form.scopes.data,
                                           allowed_ips=[a for a in re.split(r"[\s,，;；]+", form.allowed_ips.data or "")
                                                        if a],
                                           expires_at=expires)
            db.session.commit()
        except Invalid as exc:
            db.session.rollback()
            if "expires_at" in exc.details:
                exc.details["expires_on"] = exc.details.pop("expires_at")
            apply_errors(form, exc)
        else:
            flash(_("API key made."), "success")
            return _listing(_form(blank=True), made=row, key=key)
    return _listing(form, status=422 if form.errors else 200)


@bp.route("/settings/api-keys/<int:key_id>/revoke", methods=["POST"])
@login_required
def revoke(key_id):
    row = api_keys.revoke_key(key_id, _manager())   # another organization's key: 404
    db.session.commit()
    flash(_("API key %(name)s revoked: it is refused from now on.", name=row.name), "success")
    return redirect(url_for("api_keys_web.keys"))
