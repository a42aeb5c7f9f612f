"""Marshmallow fields for money (decimal strings, exact) and times (with offset)."""
from __future__ import annotations

from datetime import datetime

from marshmallow import ValidationError, fields

from ..money import MoneyError, format_money, parse_money
from ..timeutil import as_aware, isoformat


class MoneyField(fields.Field):
    """In: a decimal string or an integer, at most two places. Out: ``"1234.50"``."""

    def __init__(self, *, allow_negative: bool = False, allow_zero: bool = True, **kwargs):
        self.allow_negative = allow_negative
        self.allow_zero = allow_zero
        kwargs.setdefault("metadata", {}).update({"type": "string", "format": "decimal", "example": "1234.50"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return format_money(value)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_money(value, allow_negative=self.allow_negative, allow_zero=self.allow_zero)
        except MoneyError as exc:
            raise ValidationError(str(exc)) from None


class DecimalString(fields.Field):
    """A non-money decimal (quantities, ratios) as a string; refuses floats."""

    def __init__(self, *, places: int = 2, minimum=None, **kwargs):
        self.places = places
        self.minimum = minimum
        kwargs.setdefault("metadata", {}).update({"type": "string", "format": "decimal"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return format(value, "f")

    def _deserialize(self, value, attr, data, **kwargs):
        from decimal import Decimal

        from ..money import request_decimal

        if isinstance(value, bool) or isinstance(value, float) or value is None:
            raise ValidationError("Send a decimal string or an integer.")
        try:
            d = request_decimal(value)   # bounded before any rounding (review M8)
        except ValueError:
            raise ValidationError("Not a valid number.") from None
        if abs(d) >= Decimal("1000000000"):
            raise ValidationError("Too large.")
        if -d.as_tuple().exponent > self.places and d != round(d, self.places):
            raise ValidationError(f"At most {self.places} decimal places.")
        if self.minimum is not None and d < self.minimum:
            raise ValidationError(f"Must be at least {self.minimum}.")
        if abs(d) >= Decimal("1000000000"):
            raise ValidationError("Too large.")
        return d


class PlausibleDate(fields.Date):
    """A calendar date within a plausible range (1900–2200): ``0001-01-01`` or ``9999-12-31`` is
    a mistake or a probe, never a fact of a claim (security review L9)."""

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if not 1900 <= result.year <= 2200:
            raise ValidationError("The year must be between 1900 and 2200.")
        return result


class LocalDateTime(fields.DateTime):
    """ISO 8601; a time without offset is Asia/Shanghai; output carries +08:00."""

    def _serialize(self, value, attr, obj, **kwargs):
        return isoformat(value)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if isinstance(result, datetime):
            if not 1970 <= result.year <= 2200:
                raise ValidationError("The year must be between 1970 and 2200.")
            return as_aware(result)
        return result
