"""An API error's ``message`` speaks the language ``Accept-Language`` asks; its ``code`` never
changes (portal/api/errors.py, portal/glossary.py)."""
from __future__ import annotations

import re

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_an_error_message_follows_accept_language_and_the_code_stays(client, factory):
    headers = factory.headers(factory.user(factory.org("garage")))
    answers = {lang: client.get("/api/v1/quotes/999999", headers={**headers, "Accept-Language": lang})
               for lang in ("zh", "en")}
    zh, en = (answers[lang].get_json()["error"] for lang in ("zh", "en"))
    assert answers["zh"].status_code == answers["en"].status_code == 404
    assert zh["code"] == en["code"] == "not_found"
    assert CJK.search(zh["message"]), zh
    assert not CJK.search(en["message"]), en


def test_a_validation_error_is_localized_too(client, factory):
    headers = factory.headers(factory.user(factory.org("garage")))
    answers = {lang: client.get("/api/v1/quotes?per_page=0", headers={**headers, "Accept-Language": lang})
               for lang in ("zh", "en")}
    zh, en = (answers[lang].get_json()["error"] for lang in ("zh", "en"))
    assert answers["zh"].status_code == 422 and zh["code"] == en["code"] == "invalid"
    assert CJK.search(zh["message"]) and not CJK.search(en["message"]), (zh, en)
