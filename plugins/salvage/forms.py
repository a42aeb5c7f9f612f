"""Web forms of the salvage pages; the rules are in ``services``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.plugin import MoneyError, as_aware, parse_money

from .facts import FACT_FIELDS


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


class YesNoUnknown(SelectField):
    """是 / 否 / 不详 → True / False / None."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("choices", [("", _l("Unknown")), ("yes", _l("Yes")), ("no", _l("No"))])
        super().__init__(label, **kwargs)
        self.type = "SelectField"   # drawn as a select by the form macros

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        self.data = {"yes": True, "no": False}.get(raw)
        self.raw = raw

    def pre_validate(self, form):
        if getattr(self, "raw", "") not in ("", "yes", "no"):
            raise ValidationError(_l("Yes, no or unknown."))

    def iter_choices(self):
        current = {True: "yes", False: "no"}.get(self.data, "")
        for value, label in self.choices:
            yield value, label, value == current, {}


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
    # what a bidder needs (facts.py)
    vin = StringField(_l("VIN"), validators=[Optional(), Length(max=17)])
    mileage_km = IntegerField(_l("Mileage (km)"), validators=[Optional(), NumberRange(min=0, max=2_000_000)])
    keys_present = YesNoUnknown(_l("Keys with the vehicle"))
    driving_licence = YesNoUnknown(_l("Vehicle licence (行驶证) present"))
    registration_certificate = YesNoUnknown(_l("Registration certificate (登记证书) present"))
    starts = YesNoUnknown(_l("Starts"))
    drives = YesNoUnknown(_l("Drives"))
    damage = TextAreaField(_l("Damage"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})

    def facts(self) -> dict:
        return {name: getattr(self, name).data for name in FACT_FIELDS}


class BidForm(FlaskForm):
    amount = MoneyInput(_l("Your bid (CNY)"), validators=[InputRequired()])


class ReopenForm(FlaskForm):
    bidding_closes_at = LocalDateTimeField(_l("New closing time"), validators=[DataRequired()])
    reserve_price = MoneyInput(_l("New reserve price (CNY, optional)"), validators=[Optional()])


class PhotoForm(FlaskForm):
    file = FileField(_l("Photo (JPEG, PNG or WebP)"))


class PickupForm(FlaskForm):
    picked_up_at = LocalDateTimeField(_l("Picked up at"), validators=[Optional()])


class DisposalForm(FlaskForm):
    kind = SelectField(_l("Disposal"), choices=[("sold", _l("Sold")), ("dismantled", _l("Dismantled"))])
    at = LocalDateTimeField(lazy_pgettext("salvage_lot.disposal", "Date and time"), validators=[Optional()])


class ProceedsForm(FlaskForm):
    amount = MoneyInput(_l("Amount booked (CNY)"), validators=[InputRequired()])
    booked_on = DateField(_l("Booked on"), validators=[DataRequired()])
    costs = MoneyInput(_l("Costs (CNY)"), validators=[Optional()])
