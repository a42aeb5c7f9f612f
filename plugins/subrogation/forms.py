"""Web forms of the subrogation pages (shape only; rules in services)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .models import CLOSED_AS, RECEIPT_METHODS

METHOD_LABELS = {"bank_transfer": _l("Bank transfer"), "cheque": _l("Cheque"), "cash": _l("Cash"),
                 "offset": _l("Offset against a payable"), "other": _l("Other")}
CLOSED_AS_LABELS = {"recovered": _l("Fully recovered"), "partially_recovered": _l("Partially recovered"),
                    "written_off": _l("Written off")}


class RecoveryForm(FlaskForm):
    claim_no = StringField(_l("Claim number"), validators=[DataRequired(), Length(max=64)])
    amount_paid = DecimalField(_l("Amount paid (CNY)"), places=2, validators=[DataRequired()])
    amount_sought = DecimalField(_l("Amount sought (CNY)"), places=2, validators=[DataRequired()])
    counterparty_name = StringField(_l("Liable party"), validators=[DataRequired(), Length(max=200)])
    counterparty_insurer = StringField(_l("Liable party's insurer"), validators=[Optional(), Length(max=200)])
    counterparty_contact = StringField(_l("Contact"), validators=[Optional(), Length(max=200)])
    basis = TextAreaField(_l("Basis of the recovery"), validators=[Optional(), Length(max=4000)])
    limitation_starts_on = DateField(_l("Limitation period starts on"), validators=[DataRequired()])
    handler = SelectField(_l("Handler"), validators=[DataRequired()])


class HandlerForm(FlaskForm):
    handler = SelectField(_l("Handler"), validators=[DataRequired()])


class ReceiptForm(FlaskForm):
    amount = DecimalField(_l("Amount (CNY)"), places=2, validators=[DataRequired()])
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    method = SelectField(_l("Method"), choices=[(m, METHOD_LABELS[m]) for m in RECEIPT_METHODS])
    reference = StringField(_l("Bank reference"), validators=[Optional(), Length(max=100)])


class TransitionForm(FlaskForm):
    to = StringField(validators=[DataRequired()])
    closed_as = SelectField(_l("Closed as"), choices=[("", "—")] + [(c, CLOSED_AS_LABELS[c]) for c in CLOSED_AS],
                            validators=[Optional()])


class TargetForm(FlaskForm):
    period = StringField(_l("Period (YYYY-MM or YYYY-Qn)"), validators=[DataRequired(), Length(max=7)])
    amount = DecimalField(_l("Target (CNY)"), places=2, validators=[DataRequired()])


def handler_choices():
    from .services import handler_options

    users, firms = handler_options()
    return ([(f"u{u.id}", f"{u.name}（{_l('in-house')}）") for u in users]
            + [(f"o{o.id}", f"{o.name}（{_l('law firm')}）") for o in firms])


def parse_handler(value: str) -> dict:
    value = value or ""
    if value[:1] == "u" and value[1:].isdigit():
        return {"handler_user_id": int(value[1:])}
    if value[:1] == "o" and value[1:].isdigit():
        return {"handler_organization_id": int(value[1:])}
    return {}
