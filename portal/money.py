"""Money: ``Decimal`` end to end, stored as integer fen (分), rounded half-up here only.

Every amount in the product passes through :func:`quantize` (the one rounding place),
is stored by :class:`Money` as an integer number of fen, and is written to JSON as a
decimal string with two places (``"1234.50"``).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation  # noqa: F401

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that is not an acceptable amount of money."""


MAX_NUMBER_CHARS = 40


def request_decimal(value) -> Decimal:
    """The ``Decimal`` of a number a request sent (a string or an integer), bounded *before* any
    arithmetic: at most 40 characters, finite, and of a sane magnitude (|x| < 10^21, no more
    than 20 places), so that no rounding can overflow or fail (security review M8). Raises
    ``ValueError`` otherwise."""
    if isinstance(value, bool) or isinstance(value, float) or value is None:
        raise ValueError("Not a valid number.")
    if isinstance(value, int):
        if abs(value) >= 10 ** 21:
            raise ValueError("Too large.")
        return Decimal(value)
    if isinstance(value, Decimal):
        d = value
    else:
        text = str(value).strip()
        if not text or len(text) > MAX_NUMBER_CHARS:
            raise ValueError("Not a valid number.")
        try:
            d = Decimal(text)
        except (DecimalException, ValueError):
            raise ValueError("Not a valid number.") from None
    if not d.is_finite() or d.adjusted() >= 21 or d.as_tuple().exponent < -20:
        raise ValueError("Not a valid number.")
    return d


def quantize(value) -> Decimal:
    """Round to the fen, half-up. The only rounding of money in the product."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_money(value, *, allow_negative: bool = False, allow_zero: bool = True) -> Decimal:
    """Parse a request amount: a decimal string or an integer, at most two places.

    Floats are refused: a JSON number with a fraction is not exact.
    """
    if isinstance(value, bool) or value is None:
        raise MoneyError("Not a valid amount.")
    if isinstance(value, float):
        raise MoneyError("Send amounts as a decimal string, e.g. \"12.50\".")
    if not isinstance(value, (int, str, Decimal)):
        raise MoneyError("Not a valid amount.")
    try:
        d = request_decimal(value)
    except ValueError:
        raise MoneyError("Not a valid amount.") from None
    if abs(d) >= Decimal("100000000000"):
        raise MoneyError("Amount too large.")
    if d.as_tuple().exponent < -2 and d != d.quantize(CENT):
        raise MoneyError("At most two decimal places.")
    if d < 0 and not allow_negative:
        raise MoneyError("Must not be negative.")
    if d == 0 and not allow_zero:
        raise MoneyError("Must be more than zero.")
    if abs(d) >= Decimal("100000000000"):
        raise MoneyError("Amount too large.")
    return quantize(d)


def to_fen(value) -> int:
    return int(quantize(value) * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT)


def format_money(value) -> str | None:
    """JSON form: a string with two places."""
    if value is None:
        return None
    return f"{quantize(value):.2f}"


class Money(TypeDecorator):
    """Column type: ``Decimal`` in Python, integer fen in the database."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return to_fen(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return from_fen(value)

    def coerce_compared_value(self, op, value):
        return self
