"""Property tests of money (金额): round-trips through JSON text and the ``Money`` column,
the one half-up rounding, and a line amount rounded once (数量 × 单价)."""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portal.money import CENT, MoneyError, format_money, from_fen, parse_money, quantize, to_fen

LIMIT = Decimal("99999999999.99")          # parse_money refuses |x| >= 100,000,000,000
PROPS = settings(max_examples=50, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])

# any Decimal with at most two places, in range (both signs)
two_places = st.decimals(min_value=-LIMIT, max_value=LIMIT, places=2, allow_nan=False, allow_infinity=False)
# more places than money has: what quantize must round
many_places = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=6,
                          allow_nan=False, allow_infinity=False)
_seq = itertools.count(1)


@pytest.mark.no_db
@PROPS
@given(two_places)
@example(Decimal("0.00")).via("zero")
@example(Decimal("-0.01")).via("smallest negative")
@example(LIMIT).via("largest")
def test_format_then_parse_is_the_identity(x):
    text = format_money(x)
    assert text is not None and text.count(".") == 1 and len(text.split(".")[1]) == 2
    assert parse_money(text, allow_negative=True) == x
    assert parse_money(x, allow_negative=True) == x              # a Decimal passes through unchanged
    assert format_money(parse_money(text, allow_negative=True)) == text


@pytest.mark.no_db
@PROPS
@given(two_places)
def test_fen_round_trip_is_exact(x):
    fen = to_fen(x)
    assert isinstance(fen, int) and fen == int(x * 100)
    assert from_fen(fen) == x and from_fen(fen).as_tuple().exponent == -2


@pytest.mark.no_db
@PROPS
@given(st.decimals(min_value=Decimal("-100"), max_value=Decimal("100"), places=4, allow_nan=False,
                   allow_infinity=False).filter(lambda d: d != d.quantize(CENT)))
def test_more_than_two_places_is_refused_never_rounded_silently(x):
    with pytest.raises(MoneyError):
        parse_money(str(x), allow_negative=True)


@pytest.mark.no_db
@PROPS
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_refused(f):
    with pytest.raises(MoneyError):
        parse_money(f, allow_negative=True)


@pytest.mark.no_db
@pytest.mark.parametrize("raw, expected", [
    ("0.005", "0.01"), ("0.015", "0.02"), ("0.025", "0.03"), ("-0.005", "-0.01"), ("-0.015", "-0.02"),
    ("0.004999", "0.00"), ("1.234", "1.23"), ("2.675", "2.68"), ("-2.675", "-2.68"),
])
def test_quantize_is_half_up_away_from_zero(raw, expected):
    assert quantize(Decimal(raw)) == Decimal(expected)
    assert quantize(raw) == Decimal(expected)                    # text is read exactly, no float on the way


@pytest.mark.no_db
@PROPS
@given(many_places)
def test_quantize_matches_the_half_up_definition(x):
    """Half-up by arithmetic: the nearest fen, ties away from zero; at most half a fen off."""
    q = quantize(x)
    assert q.as_tuple().exponent == -2
    sign = -1 if x < 0 else 1
    fen = int((abs(x) * 100 + Decimal("0.5")).to_integral_value(rounding="ROUND_FLOOR"))
    assert q == sign * Decimal(fen) / 100
    assert abs(q - x) <= Decimal("0.005")
    assert quantize(q) == q                                      # idempotent


@pytest.mark.no_db
@PROPS
@given(quantity=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
       unit_price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2))
def test_line_amount_is_rounded_once(quantity, unit_price):
    from plugins.garages.services import line_amount

    amount = line_amount(quantity, unit_price)
    exact = quantity * unit_price                                # Decimal product: exact, 4 places at most
    assert amount == exact.quantize(CENT, rounding="ROUND_HALF_UP")
    assert abs(amount - exact) <= Decimal("0.005")
    # rounding the factors first (a second rounding) is never what is stored when it differs
    assert amount == quantize(exact)


def test_money_column_stores_and_reads_back_exactly(factory):
    """Through the app's database: ``users.authority_limit`` is a ``Money`` column (integer fen)."""
    from portal.auth.models import User
    from portal.extensions import db

    org = factory.insurer()
    ids = [factory.user(org, roles=("assessor",), limit="1", email=f"money{next(_seq)}@example.com").id
           for _ in range(5)]

    @PROPS
    @given(limits=st.lists(two_places, min_size=1, max_size=5))
    def check(limits):
        for uid, limit in zip(ids, limits):
            db.session.get(User, uid).authority_limit = limit
        db.session.commit()
        db.session.expire_all()
        for uid, limit in zip(ids, limits):
            stored = db.session.get(User, uid).authority_limit
            assert stored == limit and stored.as_tuple().exponent == -2
            raw = db.session.execute(sa.text("SELECT authority_limit FROM users WHERE id = :id"),
                                     {"id": uid}).scalar_one()
            assert raw == int(limit * 100)                        # integer fen in the table
        # comparisons in SQL use the same fen: the exact value matches, one fen more does not
        uid, limit = ids[0], limits[0]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)
                                 .where(User.id == uid, User.authority_limit == limit)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)
                                 .where(User.id == uid, User.authority_limit == limit + CENT)) == 0
        db.session.rollback()

    check()
