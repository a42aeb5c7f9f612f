"""Web forms of the salvage pages; the rules are in ``services``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.plugin import MoneyError, as_aware, parse_money


class MoneyInput(StringField):
    """A CNY amount typed by a person: ``12,500.00`` is fine; at most two places."""

    def process_formdata(self, valuelist):
        self.data = None
        self.raw = valuelist[0].strip().replace(",", "").replace("¥", "") if valuelist else ""
        if self.raw:
            try:
                self.data = parse_money(self.raw)
            except MoneyError as exc:
                self.data = None
                self.parse_error = str(exc)

    def pre_validate(self, form):
        if getattr(self, "parse_error", None):
            raise ValidationError(_l("Enter an amount such as 12500.00 (at most two decimal places)."))

    def _value(self):
        return getattr(self, "raw", None) or (f"{self.data:.2f}" if self.data is not None else "")


class LocalDateTimeField(DateTimeLocalField):
    """``<input type=datetime-local>``; the time is Asia/Shanghai."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    @property
    def aware(self):
        return as_aware(self.data) if self.data else None


class LotForm(FlaskForm):
    claim_no = StringField(_l("Claim number"), validators=[DataRequired(), Length(max=64)])
    source = SelectField(_l("Source"), choices=[("total_loss", _l("Total-loss vehicle")),
                                               ("parts", _l("Replaced parts of value"))])
    description = TextAreaField(_l("What it is"), validators=[DataRequired(), Length(max=2000)],
                                render_kw={"rows": 3})
    location = StringField(_l("Where it stands"), validators=[Optional(), Length(max=200)])
    estimated_value = MoneyInput(_l("Estimated residual value (CNY)"), validators=[InputRequired()])
    reserve_price = MoneyInput(_l("Reserve price (CNY)"), validators=[InputRequired()])
    bidding_closes_at = LocalDateTimeField(_l("Bidding closes at"), validators=[DataRequired()])


class BidForm(FlaskForm):
    amount = MoneyInput(_l("Your bid (CNY)"), validators=[InputRequired()])


class ReopenForm(FlaskForm):
    bidding_closes_at = LocalDateTimeField(_l("New closing time"), validators=[DataRequired()])
    reserve_price = MoneyInput(_l("New reserve price (CNY, optional)"), validators=[Optional()])


class PhotoForm(FlaskForm):
    file = FileField(_l("Pickup photo (JPEG, PNG or WebP)"))


class PickupForm(FlaskForm):
    picked_up_at = LocalDateTimeField(_l("Picked up at"), validators=[Optional()])


class DisposalForm(FlaskForm):
    kind = SelectField(_l("Disposal"), choices=[("sold", _l("Sold")), ("dismantled", _l("Dismantled"))])
    at = LocalDateTimeField(lazy_pgettext("salvage_lot.disposal", "Date and time"), validators=[Optional()])


class ProceedsForm(FlaskForm):
    amount = MoneyInput(_l("Amount booked (CNY)"), validators=[InputRequired()])
    booked_on = DateField(_l("Booked on"), validators=[DataRequired()])
    costs = MoneyInput(_l("Costs (CNY)"), validators=[Optional()])
