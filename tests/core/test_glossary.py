"""The glossary (portal/glossary.py): every status, code and kind every area declares
(``portal_terms``) has a Chinese and an English word by its context, and the words that
were borrowed from another area (D-9 of the December walkthrough) are gone."""
from __future__ import annotations

import collections

import pytest
from flask_babel import force_locale

from portal.glossary import lookup, registered_terms, term

# the areas' meanings that leaked into others through shared msgids
WRONG_WORDS = {
    ("price_list.status", "pending"): "待复勘",
    ("price_list.status", "rejected"): "拒赔",
    ("salvage_lot.status", "settled"): "和解",
    ("salvage_lot.status", "open"): "未结",
    ("complaint.status", "assigned"): "派工时间",
    ("complaint.status", "answered"): "答复时间",
}


@pytest.fixture
def declared(app):
    with app.test_request_context():
        yield registered_terms()


def test_every_area_declares_its_terms(declared):
    for ctx in ("quote.status", "price_list.status", "salvage_lot.status", "recovery.status", "lawsuit.stage",
                "complaint.status", "finding.code", "organization.kind", "audit.action", "claim.status"):
        assert declared.get(ctx), ctx


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_declared_value_has_a_word_in_its_context(app, declared, locale):
    missing = []
    with app.test_request_context(), force_locale(locale):
        for ctx, values in declared.items():
            missing += [f"{ctx}:{v}" for v in values if lookup(ctx, v) is None]
    assert missing == []


def test_chinese_words_are_chinese_and_one_per_term(app, declared):
    ascii_only, clashes = [], []
    with app.test_request_context(), force_locale("zh"):
        for ctx, values in declared.items():
            words = {v: term(ctx, v) for v in values}
            ascii_only += [f"{ctx}:{v}={w}" for v, w in words.items() if w.isascii()]
            # within one context two different terms never read the same
            clashes += [f"{ctx}:{w}" for w, n in collections.Counter(words.values()).items() if n > 1]
    assert ascii_only == [] and clashes == []


def test_the_borrowed_words_are_gone(app):
    with app.test_request_context(), force_locale("zh"):
        assert {key: term(*key) for key in WRONG_WORDS if term(*key) == WRONG_WORDS[key]} == {}
        assert term("price_list.status", "pending") == "待审核"
        assert term("price_list.status", "rejected") == "已驳回"
        assert term("salvage_lot.status", "settled") == "已结算"


def test_a_value_nobody_declared_shows_as_it_is_and_none_as_a_dash(app):
    with app.test_request_context(), force_locale("zh"):
        assert term("quote.status", "no_such_status") == "no_such_status"
        assert term("quote.status", None) == "—"
        assert term("anything", True) == "是"
