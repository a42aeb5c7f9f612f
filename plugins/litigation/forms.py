"""Web forms of the litigation pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DateTimeLocalField, DecimalField, IntegerField, SelectField, StringField, \
    TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .models import COMPLAINT_KINDS, COST_KINDS, OUTCOMES, ROLES

ROLE_LABELS = {"plaintiff": _l("Plaintiff"), "defendant": _l("Defendant"), "third_party": _l("Third party")}
OUTCOME_LABELS = {"won": _l("Won"), "lost": _l("Lost"), "settled": _l("Settled"), "withdrawn": _l("Withdrawn"),
                  "mediated": _l("Mediated")}
COST_LABELS = {"court_fee": _l("Court fee"), "attorney_fee": _l("Attorney fee"), "appraisal_fee": _l("Appraisal fee"),
               "preservation_fee": _l("Preservation fee"), "enforcement_fee": _l("Enforcement fee"),
               "other": _l("Other")}
KIND_LABELS = {"complaint": _l("Complaint"), "dispute": _l("Dispute"), "difficult_case": _l("Difficult case")}


class LawsuitForm(FlaskForm):
    claim_no = StringField(_l("Claim number"), validators=[Optional(), Length(max=64)])
    recovery_id = IntegerField(_l("Recovery case no."), validators=[Optional()])
    court = StringField(_l("Court"), validators=[DataRequired(), Length(max=200)])
    case_no = StringField(_l("Court case number"), validators=[Optional(), Length(max=100)])
    cause = StringField(_l("Cause of action"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Our role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])
    amount_in_dispute = DecimalField(_l("Amount in dispute (CNY)"), places=2, validators=[DataRequired()])
    stage = SelectField(_l("Stage"), choices=[("pre_suit_mediation", _l("Pre-suit mediation")), ("filed", _l("Filed"))])
    counsel = SelectField(_l("Counsel"), validators=[DataRequired()])
    major = BooleanField(_l("Major case (set by staff)"))


class HearingForm(FlaskForm):
    scheduled_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    court_room = StringField(_l("Court room"), validators=[Optional(), Length(max=100)])
    kind = StringField(_l("Kind of hearing"), validators=[Optional(), Length(max=40)])


class HearingResultForm(FlaskForm):
    result = TextAreaField(_l("Hearing result"), validators=[DataRequired(), Length(max=4000)])


class CostForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[(k, COST_LABELS[k]) for k in COST_KINDS])
    amount = DecimalField(_l("Amount (CNY)"), places=2, validators=[DataRequired()])
    incurred_on = DateField(_l("Incurred on"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class StageForm(FlaskForm):
    to = StringField(validators=[DataRequired()])
    outcome = SelectField(_l("Outcome"), choices=[("", "—")] + [(o, OUTCOME_LABELS[o]) for o in OUTCOMES],
                          validators=[Optional()])
    amount = DecimalField(_l("Judgment or settlement amount (CNY)"), places=2, validators=[Optional()])


class ComplaintForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in COMPLAINT_KINDS])
    complainant = StringField(_l("Complainant"), validators=[DataRequired(), Length(max=200)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=200)])
    claim_no = StringField(_l("Claim number"), validators=[Optional(), Length(max=64)])
    against_organization_id = SelectField(_l("Against partner"), coerce=lambda v: int(v) if v else None)
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=8000)])


class ComplaintActionForm(FlaskForm):
    action = StringField(validators=[DataRequired()])
    assignee_user_id = SelectField(_l("Assign to"), coerce=lambda v: int(v) if v else None, validate_choice=False)
    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=8000)])
    verdict = SelectField(_l("Verdict"), choices=[("substantiated", _l("Substantiated")),
                                                  ("not_substantiated", _l("Not substantiated"))],
                          validate_choice=False)
    referrer_feedback = TextAreaField(_l("Feedback sent to the referrer"), validators=[Optional(), Length(max=8000)])
