from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..glossary import term
from .models import GRADES, ORG_KINDS


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])


class OrganizationForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[(k, LazyString(term, "organization.kind", k)) for k in ORG_KINDS[1:]])
    name = StringField(_l("Legal name"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(_l("Unified Social Credit Code"), validators=[DataRequired(), Length(max=40)])
    region = StringField(_l("Region"), validators=[DataRequired(), Length(max=64)])


class OrganizationStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[("active", _l("active")), ("suspended", _l("suspended"))])
    grade = SelectField(_l("Grade"), choices=[("", "—")] + [(g, g) for g in GRADES])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])
    organization_id = SelectField(_l("Organization"), coerce=int)
    roles = SelectMultipleField(_l("Roles"), validators=[DataRequired()])
    authority_limit = DecimalField(_l("Authority limit (CNY)"), places=2, validators=[Optional()])
    region = StringField(_l("Region (reviewers)"), validators=[Optional(), Length(max=64)])
    active = BooleanField(_l("Active"), default=True)
