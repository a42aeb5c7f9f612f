"""Claim and assignment forms (shape only; the rules are in services)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, DecimalField, HiddenField, IntegerField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..timeutil import as_aware, to_local
from .labels import FLAG_LABELS, ORIGIN_LABELS, REPORTER_LABELS, USE_LABELS
from .models import FLAG_NAMES
from .purposes import purpose_labels

DT_FORMAT = "%Y-%m-%dT%H:%M"


def _choices(labels: dict) -> list:
    """A select of codes with an empty first choice: not known (claims made before the field)."""
    return [("", _l("Not known")), *labels.items()]


class ClaimForm(FlaskForm):
    claim_no = StringField(_l("Claim number"), validators=[DataRequired(), Length(max=64)])
    policy_no = StringField(_l("Policy number"), validators=[DataRequired(), Length(max=64)])
    policy_start = DateField(_l("Policy start"), validators=[DataRequired()])
    policy_end = DateField(_l("Policy end"), validators=[DataRequired()])
    insured_name = StringField(_l("Insured"), validators=[DataRequired(), Length(max=200)])
    policy_cover = DecimalField(_l("Vehicle damage cover (CNY)"), places=2, validators=[Optional()])
    plate = StringField(_l("Plate"), validators=[DataRequired(), Length(max=16)])
    vin = StringField(_l("VIN"), validators=[DataRequired(), Length(max=20)])
    model = StringField(_l("Make and model"), validators=[DataRequired(), Length(max=120)])
    first_registration = DateField(_l("First registration"), validators=[Optional()])
    actual_value = DecimalField(_l("Actual value (CNY)"), places=2, validators=[Optional()])
    vehicle_use = SelectField(_l("Vehicle use"), choices=_choices(USE_LABELS), validators=[Optional()])
    origin = SelectField(_l("Domestic or imported"), choices=_choices(ORIGIN_LABELS), validators=[Optional()])
    rare_model = BooleanField(_l("Rare model"))
    accident_at = DateTimeLocalField(_l("Accident time"), format=DT_FORMAT, validators=[DataRequired()])
    reported_at = DateTimeLocalField(_l("Report time"), format=DT_FORMAT, validators=[DataRequired()])
    reported_by = SelectField(_l("Reported by"), choices=_choices(REPORTER_LABELS), validators=[Optional()])
    place = StringField(_l("Accident place"), validators=[Optional(), Length(max=200)])
    region = StringField(_l("Region"), validators=[DataRequired(), Length(max=64)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    estimated_loss = DecimalField(_l("Estimated vehicle loss (CNY)"), places=2, validators=[Optional()])
    property_loss = DecimalField(_l("Property loss (CNY)"), places=2, validators=[Optional()])
    loss_ratio = DecimalField(_l("Earned loss ratio (%)"), places=2, validators=[Optional()])
    claims_in_year = IntegerField(_l("Claims in the policy year"), validators=[Optional(), NumberRange(min=0)])
    version = HiddenField()


for _name in FLAG_NAMES:
    setattr(ClaimForm, f"flag_{_name}", BooleanField(FLAG_LABELS[_name]))

MONEY = ("policy_cover", "actual_value", "estimated_loss", "property_loss")


def form_values(form: ClaimForm) -> dict:
    """Service values from the form (loss ratio entered in %, times in Asia/Shanghai)."""
    values = {name: getattr(form, name).data for name in (
        "claim_no", "policy_no", "policy_start", "policy_end", "insured_name", "policy_cover", "plate", "vin",
        "model", "first_registration", "actual_value", "place", "region", "description", "estimated_loss",
        "property_loss", "claims_in_year")}
    for name in ("claim_no", "policy_no", "insured_name", "plate", "vin", "model", "place", "region",
                 "description"):
        if isinstance(values[name], str):
            values[name] = values[name].strip() or None
    for name in MONEY:
        if values[name] is not None:
            values[name] = Decimal(values[name]).quantize(Decimal("0.01"))
    values["accident_at"] = as_aware(form.accident_at.data) if form.accident_at.data else None
    values["reported_at"] = as_aware(form.reported_at.data) if form.reported_at.data else None
    ratio = form.loss_ratio.data
    values["loss_ratio"] = (Decimal(ratio) / 100).quantize(Decimal("0.0001")) if ratio is not None else None
    values["flags"] = {name: bool(getattr(form, f"flag_{name}").data) for name in FLAG_NAMES}
    for name in ("vehicle_use", "origin", "reported_by"):
        values[name] = getattr(form, name).data or None
    values["rare_model"] = bool(form.rare_model.data)
    return values


def fill_form(form: ClaimForm, claim) -> None:
    for name in ("claim_no", "policy_no", "policy_start", "policy_end", "insured_name", "policy_cover", "plate",
                 "vin", "model", "first_registration", "actual_value", "place", "region", "description",
                 "estimated_loss", "property_loss", "claims_in_year"):
        getattr(form, name).data = getattr(claim, name)
    form.accident_at.data = to_local(claim.accident_at).replace(tzinfo=None)
    form.reported_at.data = to_local(claim.reported_at).replace(tzinfo=None)
    form.loss_ratio.data = claim.loss_ratio * 100 if claim.loss_ratio is not None else None
    for name in FLAG_NAMES:
        getattr(form, f"flag_{name}").data = claim.flag(name)
    for name in ("vehicle_use", "origin", "reported_by"):
        getattr(form, name).data = getattr(claim, name) or ""
    form.rare_model.data = bool(claim.rare_model)
    form.version.data = str(claim.version)


class AssignmentForm(FlaskForm):
    organization_id = SelectField(_l("Partner"), coerce=int, validators=[DataRequired()])
    purpose = SelectField(_l("Purpose"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose.choices = list(purpose_labels().items())   # the purposes the installed areas serve
