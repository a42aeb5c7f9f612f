"""The admins' working-calendar page (工作日历): a month grid of working days, official
holidays and make-up days (调休), overrides, and a warning for years without data."""
from __future__ import annotations

import calendar as pycal
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..audit.models import AuditEntry
from ..extensions import db
from ..timeutil import local_now
from . import services
from .models import CalendarOverride
from .working_days import days_between, has_official_data

bp = Blueprint("calendar", __name__)

HOLIDAY_LABELS = {
    "New Year's Day": _l("New Year's Day"), "Spring Festival": _l("Spring Festival"),
    "Tomb-sweeping Day": _l("Tomb-sweeping Day"), "Labour Day": _l("Labour Day"),
    "Dragon Boat Festival": _l("Dragon Boat Festival"), "National Day": _l("National Day"),
    "Mid-autumn Festival": _l("Mid-autumn Festival"), "Anti-Fascist 70th Day": _l("Anti-Fascist 70th Day"),
}


@bp.app_template_filter("holiday_name")
def holiday_name(name: str | None) -> str:
    """chinese-calendar's English holiday names in the page's language."""
    if not name:
        return ""
    base, sep, rest = name.partition(" (")
    label = str(HOLIDAY_LABELS.get(base, base))
    if sep:
        return f"{label} · {_('make-up day')}"
    return label if base in HOLIDAY_LABELS else name


class OverrideForm(FlaskForm):
    day = DateField(_l("Day"), validators=[DataRequired()])
    working = SelectField(_l("This day is"), choices=[("1", _l("a working day")), ("0", _l("a day off"))])
    name = StringField(_l("Name (e.g. make-up working day)"), validators=[Optional(), Length(max=100)])


def _month_arg() -> date:
    text = request.args.get("month") or ""
    try:
        year, month = (int(x) for x in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        today = local_now().date()
        return today.replace(day=1)


@bp.route("/admin/calendar", methods=["GET", "POST"])
@login_required
def month():
    if not current_user.is_admin:
        abort(403)
    first = _month_arg()
    form = OverrideForm()
    if request.method == "GET" and not form.day.data:
        form.day.data = first
    if form.validate_on_submit():
        services.set_override(form.day.data, form.working.data == "1", form.name.data, actor=current_user)
        db.session.commit()
        flash(_("%(day)s saved.", day=form.day.data.isoformat()), "success")
        return redirect(url_for("calendar.month", month=form.day.data.strftime("%Y-%m")))
    last = first.replace(day=pycal.monthrange(first.year, first.month)[1])
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    days = days_between(grid_start, grid_end)
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    overrides = db.session.scalars(sa.select(CalendarOverride).order_by(CalendarOverride.day.desc()).limit(50)).all()
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "calendar")
                               .order_by(AuditEntry.id.desc()).limit(20)).all()
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = last + timedelta(days=1)
    return render_template("calendar/month.html", first=first, weeks=weeks, form=form, overrides=overrides,
                           official=has_official_data(first.year), missing=services.years_without_official_data(),
                           prev_month=prev_month, next_month=next_month, audit=list(reversed(audit))), \
        422 if form.errors else 200


@bp.route("/admin/calendar/<day>/clear", methods=["POST"])
@login_required
def clear(day):
    if not current_user.is_admin:
        abort(403)
    d = services.parse_day(day)
    if services.clear_override(d, actor=current_user):
        db.session.commit()
        flash(_("Override of %(day)s removed.", day=d.isoformat()), "success")
    return redirect(url_for("calendar.month", month=d.strftime("%Y-%m")))
