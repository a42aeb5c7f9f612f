"""Web forms; the services enforce the rules (money, grades, garages)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

QUALITY_CHOICES = [("genuine", _l("genuine")), ("equivalent", _l("equivalent")), ("recycled", _l("recycled"))]


class UploadForm(FlaskForm):
    file = FileField(_l("Price list file (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))])


class DecisionForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    lock_version = HiddenField()


class LocalizedPriceForm(FlaskForm):
    part_no = StringField(_l("Part number"), validators=[DataRequired(), Length(max=64)])
    quality = SelectField(_l("Quality"), choices=QUALITY_CHOICES)
    region = StringField(_l("Region"), validators=[DataRequired(), Length(max=64)])
    price = StringField(_l("Localized price"), validators=[DataRequired()])


class LaborRateForm(FlaskForm):
    garage_id = SelectField(_l("Garage"), coerce=int)
    rate = StringField(_l("Hourly labour rate"), validators=[DataRequired()])
    effective_from = DateField(_l("Effective from"), validators=[Optional()])


class StandardForm(FlaskForm):
    region = StringField(_l("Region"), validators=[DataRequired(), Length(max=64)])
    labor_rate = StringField(_l("Standard labour rate"), validators=[Optional()])
    towing_fee = StringField(_l("Towing fee (per rescue)"), validators=[Optional()])


class FeedbackForm(FlaskForm):
    part_no = StringField(_l("Part number"), validators=[DataRequired(), Length(max=64)])
    quality = SelectField(_l("Quality"), choices=QUALITY_CHOICES)
    region = StringField(_l("Region"), validators=[DataRequired(), Length(max=64)])
    quote_id = IntegerField(_l("Quote"), validators=[Optional()])
    suggested_price = StringField(_l("Suggested price"), validators=[Optional()])
    comment = TextAreaField(_l("What is wrong with the price"), validators=[Optional(), Length(max=2000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=2000)])
    version = HiddenField()
