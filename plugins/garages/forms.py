"""Web forms of the garages pages: their shape (required, lengths, the listed choices, figures of
at most two places within the API's limits); the rules are in ``services``. Fields keep the
names the pages post: the editor's rows ``lines-3-quantity``, the review's ``qty-<line id>``,
the re-inspection's ``outcome-<line id>``; the forms with a field per line of a quote are made
per quote (``decision_form``, ``reinspection_form``)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (BooleanField, FieldList, Form, FormField, IntegerField, SelectChoice, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from portal.plugin import quantize, request_decimal

from .models import LINE_KINDS, PHOTO_KINDS, QUALITIES
from .reinspection import OUTCOMES
from .services.review import REVIEW_ACTIONS
from .services.sampling import INSPECTION_RESULTS

FORM_LEVEL = "__form__"   # a service's field no input stands for: shown above the form
LINE_FIELDS = ("id", "kind", "part_no", "name", "quality", "quantity", "unit_price", "comment", "source_line_id")
MAX_ID = 2 ** 31 - 1      # a row id the database can compare


def _chars(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters."))


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def plain_figure(value):
    """A typed figure without thousands separators or a currency sign ("¥3,200" → "3200")."""
    if isinstance(value, str):
        for mark in (",", "，", " ", "\u3000", "¥", "￥"):
            value = value.replace(mark, "")
    return value


class Figure:
    """A filter: the typed text as a ``Decimal`` within the limits of the API's fields — an amount
    as ``MoneyField`` (below 10^11, to the fen), a quantity as ``DecimalString`` (below 10^9),
    both with at most two places. Left empty: ``None`` (the validators say if it is needed)."""

    def __init__(self, *, money: bool = False, positive: bool = False):
        self.money, self.positive = money, positive

    def __call__(self, value):
        if not isinstance(value, str):
            return value          # the quote's own figure, or nothing
        if value == "":
            return None
        try:
            d = request_decimal(value)   # bounded before any arithmetic
        except ValueError:
            raise ValueError(_l("Enter an amount such as 1280.00.") if self.money
                             else _l("Enter a number such as 1.5.")) from None
        if abs(d) >= (Decimal("100000000000") if self.money else Decimal("1000000000")):
            raise ValueError(_l("Too large."))
        if d != d.quantize(Decimal("0.01")):
            raise ValueError(_l("At most two decimal places."))
        if d < 0:
            raise ValueError(_l("Must not be negative."))
        if d == 0 and self.positive:
            raise ValueError(_l("Must be more than zero."))
        return quantize(d) if self.money else d


AMOUNT, PRICE = Figure(money=True), Figure(money=True, positive=True)
QUANTITY, APPROVED_QUANTITY = Figure(positive=True), Figure()


class FigureField(StringField):
    """A figure typed by a person (``inputmode=decimal``); a page shown again shows it as typed."""

    def __init__(self, label=None, validators=None, figure: Figure = AMOUNT, **kwargs):
        kwargs["filters"] = (plain_figure, figure)
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format(self.data, "f")


def _id_field(*validators, **kwargs) -> IntegerField:
    return IntegerField(widget=HiddenInput(), validators=[*validators, NumberRange(1, MAX_ID)], **kwargs)


def _choice(label, values, message, *, blank: bool = False, required: bool = True, **kwargs) -> SelectField:
    """A select of ``values`` (shown in the reader's language) and, with ``blank``, "—" first (left
    so: no value, unless ``required``); another value reads ``message``."""
    choices = ([SelectChoice("", "—")] if blank else []) + [SelectChoice(v, _l(v)) for v in values]
    validators = ([] if required else [Optional()]) + [AnyOf(values, message=message)]
    return SelectField(label, choices=choices, validate_choice=False, validators=validators, **kwargs)


class _DottedNames:
    """``apply_errors`` finds a field by its name on the form: here also a field of a row by
    a dotted name, ``lines.3.quantity`` (the fourth row's quantity)."""

    def __getattr__(self, name):
        head, _, rest = name.partition(".")
        index, _, field = rest.partition(".")
        if rest and index.isdigit():
            try:
                return self._fields[head].entries[int(index)].form[field]
            except (KeyError, IndexError, AttributeError):
                pass
        raise AttributeError(name)


# ------------------------------------------------------------------ the quote editor


OPTIONAL_ROW = {"required": False}   # a row may stay empty: no ``required`` in its HTML


NUMBERED_KINDS = ("part", "repair")   # a part, or the part a repair line repairs


class LineForm(Form):
    """One row of the editor; a row left empty is not a line and is not checked."""

    id = _id_field(Optional())
    source_line_id = _id_field(Optional())
    kind = _choice(_l("Kind"), LINE_KINDS, _l("Choose the kind of the line."), default="part")
    part_no = StringField(_l("Part no."), filters=[stripped], validators=[Optional(), _chars(64)])
    name = StringField(_l("Name"), filters=[stripped], render_kw=OPTIONAL_ROW,
                       validators=[DataRequired(_l("Name the item of the line.")), _chars(200)])
    quality = _choice(_l("Quality"), QUALITIES, _l("Choose a quality from the list."), blank=True, required=False)
    quantity = FigureField(_l("Qty / hours"), [InputRequired(_l("Enter the quantity or the hours."))],
                           figure=QUANTITY, render_kw={**OPTIONAL_ROW, "inputmode": "decimal"})
    unit_price = FigureField(_l("Unit price / rate"), [InputRequired(_l("Enter the unit price or the rate."))],
                             figure=PRICE, render_kw={**OPTIONAL_ROW, "inputmode": "decimal"})
    comment = StringField(_l("Our comment"), filters=[stripped], validators=[Optional(), _chars(2000)])
    accept = BooleanField(_l("Accept the adjustment"))   # a returned quote: take the assessor's figures

    @property
    def blank(self) -> bool:
        return not any(str(f._value() or "").strip()
                       for f in (self.part_no, self.name, self.quantity, self.unit_price, self.comment))

    def validate(self, extra_validators=None):
        return True if self.blank else super().validate(extra_validators)

    def line(self) -> dict:
        """The line as ``services.create_quote`` and ``replace_lines`` take it (as ``LineIn`` loads it)."""
        numbered = self.kind.data in NUMBERED_KINDS   # a part number only where the editor offers one
        return {"id": self.id.data, "kind": self.kind.data, "part_no": (self.part_no.data or None) if numbered else None,
                "name": self.name.data, "quality": self.quality.data or None, "quantity": self.quantity.data,
                "unit_price": self.unit_price.data, "comment": self.comment.data or None,
                "source_line_id": self.source_line_id.data,
                **({"answer": {"accept": True}} if self.accept.data else {})}


class QuoteForm(_DottedNames, FlaskForm):
    """The editor: its rows, the version it was read at, and what to do (save, pre-check, submit)."""

    lines = FieldList(FormField(LineForm))
    version = _id_field(Optional())
    supplement_to = _id_field(Optional())
    action = _choice(None, ("save", "precheck", "submit"), _l("Choose a button of the form."), default="save")

    def filled(self) -> list[int]:
        """The positions of the rows with a line in them (a service counts its ``lines.N`` over these)."""
        return [i for i, entry in enumerate(self.lines.entries) if not entry.form.blank]

    def line_dicts(self) -> list[dict]:
        return [self.lines.entries[i].form.line() for i in self.filled()]

    def field_name(self, key: str) -> str:
        """A service's field (``lines.2.quantity``: the third filled row) as this form names it."""
        head, _, rest = key.partition(".")
        index, _, field = rest.partition(".")
        filled = self.filled()
        if head == "lines" and index.isdigit() and int(index) < len(filled):
            if field.startswith("answer"):   # the answer (accept or comment) sits in the comment's cell
                field = "comment"
            return f"lines.{filled[int(index)]}.{field if field in LINE_FIELDS else 'name'}"
        return key if key in ("version", "action") else FORM_LEVEL

    def leave_room(self) -> None:
        """Empty rows to write lines in: three on a page of none, else one at the end (the
        script adds more)."""
        if not self.lines.entries:
            for _ in range(3):
                self.lines.append_entry()
        elif not self.lines.entries[-1].form.blank:
            self.lines.append_entry()


def template_row() -> LineForm:
    """The editor's empty row for the script to copy (``__i__`` becomes the row's index)."""
    return LineForm(prefix="lines-__i__-")


class PhotoForm(FlaskForm):
    file = FileField(_l("File (JPEG, PNG, WebP, PDF)"), validators=[FileRequired(_l("Choose a file."))])
    kind = _choice(_l("Kind"), PHOTO_KINDS, _l("Choose the kind of photo."), default="damage")
    line_id = IntegerField(_l("Line"), validators=[Optional(), NumberRange(1, MAX_ID)])


class VersionForm(FlaskForm):
    """Withdraw or delete: the version the page showed (none: the quote as it is)."""

    version = _id_field(Optional())


class ConfirmForm(FlaskForm):
    """A button and nothing else to fill in (the CSRF token is checked)."""


class _PerLine:
    """A form with fields for each line of a quote, ``<part>_<line id>`` (made by ``_per_line``)."""

    PARTS: tuple[str, ...] = ()
    line_ids: tuple[int, ...] = ()

    def line(self, line_id: int) -> tuple:
        return tuple(self[f"{part}_{line_id}"] for part in self.PARTS)


def _per_line(form_class, lines, fields, **kwargs):
    """An instance of ``form_class`` with the fields ``fields(line)`` (``{part: field}``) of every line."""
    per_line = {f"{part}_{ln.id}": field for ln in lines for part, field in fields(ln).items()}
    form = type(form_class.__name__, (form_class,), per_line)(**kwargs)
    form.line_ids = tuple(ln.id for ln in lines)
    return form


# ------------------------------------------------------------------ the review (核损)


class DecisionForm(_PerLine, FlaskForm):
    action = _choice(None, REVIEW_ACTIONS, _l("Choose a decision."))
    version = _id_field(InputRequired())
    comment = TextAreaField(_l("Comment to the garage"), filters=[stripped], validators=[Optional(), _chars(4000)])
    hold_reason = StringField(_l("Hold reason"), filters=[stripped], validators=[Optional(), _chars(32)])
    assignee_id = IntegerField(_l("Reassign to"), validators=[Optional(), NumberRange(1, MAX_ID)])
    PARTS = ("qty", "price", "reason")   # a line's approved quantity, approved unit price, reduction reason
    _adjusted: tuple[int, ...] = ()      # the lines of the last ``adjustments()``, in their order

    def adjustments(self) -> list[dict]:
        """The lines the reviewer changed (as ``AdjustmentIn`` loads them); the others stand."""
        out = []
        for line_id in self.line_ids:
            qty, price, reason = self.line(line_id)
            if qty.data is not None or price.data is not None or reason.data:
                out.append({"id": line_id, "approved_quantity": qty.data, "approved_unit_price": price.data,
                            "reason": reason.data or None})
        self._adjusted = tuple(a["id"] for a in out)
        return out

    def field_name(self, key: str) -> str:
        """A service's field (``lines.0.approved_unit_price``: the first adjusted line) as this form names it."""
        head, _, rest = key.partition(".")
        index, _, field = rest.partition(".")
        adjusted = self._adjusted
        prefix = {"approved_quantity": "qty", "approved_unit_price": "price", "reason": "reason"}.get(field)
        if head == "lines" and index.isdigit() and int(index) < len(adjusted) and prefix:
            return f"{prefix}_{adjusted[int(index)]}"
        if key == "reason":
            return "hold_reason"
        return key if key in ("action", "comment", "assignee_id") else FORM_LEVEL


def decision_form(quote, **kwargs) -> DecisionForm:
    """The review form of ``quote``: per line ``qty-<id>``, ``price-<id>`` and ``reason-<id>``."""
    return _per_line(DecisionForm, quote.lines, lambda ln: {
        "qty": FigureField(_l("Approved qty"), [Optional()], figure=APPROVED_QUANTITY, name=f"qty-{ln.id}"),
        "price": FigureField(_l("Approved price"), [Optional()], figure=AMOUNT, name=f"price-{ln.id}"),
        "reason": StringField(_l("Reduction reason"), filters=[stripped], validators=[Optional(), _chars(32)],
                              name=f"reason-{ln.id}")}, **kwargs)


class InspectionForm(FlaskForm):
    """The result of an audit sample's re-inspection (稽查), on the sampling page."""

    sample_id = _id_field(InputRequired())
    result = _choice(_l("Result"), INSPECTION_RESULTS, _l("Choose a result from the list."))
    note = StringField(_l("Note"), filters=[stripped], validators=[Optional(), _chars(4000)])


# ------------------------------------------------------------------ re-inspection (复勘)


class ReinspectionForm(_PerLine, FlaskForm):
    fraud_suspected = BooleanField(_l("Fraud suspected"))
    note = StringField(_l("Overall note"), filters=[stripped], validators=[Optional(), _chars(4000)])
    PARTS = ("outcome", "fair_amount", "note")   # what was found, what the repair done is worth, a note

    def lines_in(self) -> list[dict]:
        """Every replaced line, in the page's order (as ``ReinspectionLineIn`` loads them)."""
        out = []
        for line_id in self.line_ids:
            outcome, fair, note = self.line(line_id)
            out.append({"line_id": line_id, "outcome": outcome.data, "fair_amount": fair.data,
                        "note": note.data or None})
        return out

    def field_name(self, key: str) -> str:
        """A service's field (``lines.1.fair_amount``: the second replaced line) as this form names it."""
        head, _, rest = key.partition(".")
        index, _, field = rest.partition(".")
        if head == "lines" and index.isdigit() and int(index) < len(self.line_ids) \
                and field in self.PARTS:
            return f"{field}_{self.line_ids[int(index)]}"
        return key if key in ("note", "fraud_suspected") else FORM_LEVEL


def reinspection_form(lines, **kwargs) -> ReinspectionForm:
    """The re-inspection form of the replaced ``lines``: ``outcome-<id>``, ``fair_amount-<id>``, ``note-<id>``."""
    return _per_line(ReinspectionForm, lines, lambda ln: {
        "outcome": _choice(_l("Found"), OUTCOMES, _l("Choose what was found."), blank=True, name=f"outcome-{ln.id}"),
        "fair_amount": FigureField(_l("Repair worth"), [Optional()], figure=AMOUNT, name=f"fair_amount-{ln.id}"),
        "note": StringField(_l("Note"), filters=[stripped], validators=[Optional(), _chars(2000)],
                            name=f"note-{ln.id}")}, **kwargs)


class ReinspectionPhotoForm(FlaskForm):
    file = MultipleFileField(_l("Add photos"), validators=[FileRequired(_l("Choose a file."))])
    line_id = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])
