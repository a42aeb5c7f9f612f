"""The insurer's glossary (业务术语表): one word per term and per area, in every language.

A status, a reason code, an organization kind or an audit action is shown through
``term(context, value)``, which looks ``value`` up by its *context* (``pgettext``): the
price list's ``pending`` (待审核) can no longer borrow the quote's or the claim's word for
the same English msgid. The contexts and their values are declared once, by their owners:
the core's below, each plugin's through ``portal_terms`` (``docs/hooks.md``); the
translations live in one glossary, ``portal/translations/<locale>/LC_MESSAGES/messages.po``
(the entries with a ``msgctxt``). ``tests/i18n/test_glossary.py`` renders every declared
value in Chinese and English and fails on one left out.

Money and times are written for the reader with Babel, in the language being rendered:
``money`` (¥1,234.50) and ``local_time`` (Beijing time, to the minute).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale, get_locale, gettext, pgettext

from .claims.risk import RED_REASONS
from .money import quantize
from .timeutil import LOCAL_TZ, as_aware

# The core's own terms; the plugins add theirs through ``portal_terms``.
CORE_TERMS: dict[str, tuple[str, ...]] = {
    "claim.status": ("open", "closed"),
    "major_case.status": ("open", "closed"),
    "major_case.basis": ("repair", "salvage", "recovery", "lawsuit"),
    "metric_dispute.status": ("open", "answered"),
    # why a grade or a metric line is not a scorecard's: onboarding grade, too little volume
    "evaluation.basis": ("onboarding", "insufficient_activity"),
    "organization.kind": ("insurer", "garage", "parts_supplier", "salvage_vendor", "law_firm",
                          "specialist_repairer"),
    "organization.status": ("active", "suspended"),
    "risk.reason": RED_REASONS,
    # the core's own audit actions; each plugin adds its state machines' actions
    "audit.action": ("create", "update", "close", "reopen", "open", "assign", "assigned", "unassign",
                     "reassign", "set", "override", "clear_override", "grade_changed", "computed",
                     "published", "answer", "major_set", "login_delayed", "password_change", "token_revoked",
                     "webhook_created", "webhook_disabled", "webhook_replayed", "webhook_secret_rotated",
                     "enter", "amount", "on_site", "investigation_report"),
    "audit.field": ("status", "grade", "reason", "comment", "amount", "total", "organization_id",
                    "handler_organization_id", "user_id", "assigned_to", "deadline", "closes_at",
                    "bidding_closes_at", "flags", "risk_color", "risk_reasons", "note", "version",
                    "claim_no", "claim", "estimated_value", "reserve_price", "pickup_due_at", "picked_up_at",
                    "disposed_at", "disposal", "proceeds_due_on", "proceeds_amount", "booked_on", "costs", "late",
                    "winner_id", "bids", "by", "closed_at", "kind", "size", "photo_id", "purpose", "stage", "result",
                    "scheduled_at", "period", "total_submitted", "total_approved", "assignee_id", "closed_as",
                    "counterparty", "line_id", "lines", "desk", "description", "part_no", "quality", "region",
                    "rows", "file", "amount_paid", "method", "received_on", "vendor_id",
                    "amount_in_dispute", "counsel_organization_id", "counsel_user_id", "handler_user_id",
                    "assignee_user_id", "against_organization_id", "receipt_id", "cost_id", "hearing_id", "incurred_on",
                    "court", "case_no", "role", "outcome", "limitation_deadline", "reference", "via", "lawsuit_id",
                    "recovery_id", "counsel", "amount_sought", "lawsuit_filed", "claim_id", "court_room", "labor_rate",
                    "recovered", "outstanding", "basis", "band", "amounts", "status_due", "report_at",
                    "responsible_id", "net_recovery"),
    # who or what moved a record: a person, the clock, another case
    "audit.value": ("staff", "schedule", "system", "lawsuit", "recovery case"),
    "yes_no": ("yes", "no"),
}

EMPTY = "—"


def registered_terms(app=None) -> dict[str, tuple[str, ...]]:
    """Every context and its values: the core's and every plugin's (``portal_terms``)."""
    from .plugins import hook, once_per_app

    def build(a):
        merged = {ctx: list(values) for ctx, values in CORE_TERMS.items()}
        for declared in hook(a).portal_terms():
            for ctx, values in (declared or {}).items():
                bucket = merged.setdefault(ctx, [])
                bucket.extend(v for v in values if v not in bucket)
        return {ctx: tuple(values) for ctx, values in merged.items()}

    return once_per_app("terms", build, app)


def lookup(context: str, value: str) -> str | None:
    """The glossary's word for ``value`` in ``context`` in the current language, or None."""
    text = pgettext(context, value)
    return None if text == value else text


def term(context: str, value) -> str:
    """``value`` (a status, code, kind…) in the reader's language, by ``context``.

    A value the glossary lacks is shown as it is (the glossary test keeps that from
    happening to a declared one); ``None`` is a dash."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        value = "yes" if value else "no"
        context = "yes_no"
    value = str(value)
    return lookup(context, value) or value


class Labels(Mapping):
    """A context of the glossary as a read-only mapping, for code that reads labels from a
    dict (``STATUS_LABELS = Labels("recovery.status")``; ``STATUS_LABELS[s]``, ``.get(s)``):
    each word is looked up when read, in the reader's language."""

    def __init__(self, context: str):
        self.context = context

    def __getitem__(self, value):
        return term(self.context, value)

    def get(self, value, default=None):
        return term(self.context, value) if value not in (None, "") else default

    def __iter__(self):
        return iter(registered_terms().get(self.context, ()))

    def __len__(self):
        return len(registered_terms().get(self.context, ()))


def terms(context: str, values) -> str:
    """A list of codes as words, joined as the language joins them (、 or , )."""
    joiner = "、" if str(get_locale()).startswith("zh") else ", "
    return joiner.join(term(context, v) for v in (values or ())) or EMPTY


def money(value) -> str:
    """¥1,234.50 in the current language's digits (Babel), a dash for nothing. The
    pattern keeps the yuan sign in English too (Babel's own CNY symbol there is CN¥)."""
    if value is None or value == "":
        return EMPTY
    return format_decimal(quantize(value), format="¥#,##0.00", locale=str(get_locale() or "zh"))


def local_time(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """An aware time (or its ISO text) in Beijing time, to the minute; a date as a date (Babel)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):   # a date alone stays a date
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_date(value, "yyyy-MM-dd", locale=str(get_locale() or "zh"))
    return format_datetime(as_aware(value), fmt, tzinfo=LOCAL_TZ, locale=str(get_locale() or "zh"))


def shown(value) -> str:
    """Any value as the reader reads it: money (Decimal) as ¥1,234.50, a time in Beijing
    time, yes/no, nothing as a dash; the rest as it is."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return term("yes_no", value)
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, (date, datetime)):
        return local_time(value)
    return str(value)


class Message(str):
    """A service's message with parameters: the English text as a ``str`` (what the API and
    the logs read), kept with its msgid and parameters so that a page writes it in the
    reader's language (``translated``; ``portal/web/forms.py`` does so for form errors).
    Decimal parameters are money (¥1,234.50 in the reader's digits).

    ``Message("Raise above your current bid of %(amount)s.", amount=Decimal("72000"))``"""

    def __new__(cls, msgid: str, **params):
        english = {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in params.items()}
        text = super().__new__(cls, msgid % english if params else msgid)
        text.msgid, text.params = msgid, params
        return text

    def translated(self) -> str:
        shown = {k: (money(v) if isinstance(v, Decimal) else v) for k, v in self.params.items()}
        return gettext(self.msgid, **shown)


def for_reader(message) -> str:
    """A service's message in the current language: a ``Message`` with its parameters, a
    plain English message through the catalogs (unchanged when they lack it)."""
    return message.translated() if hasattr(message, "translated") else gettext(str(message))


def asked_language() -> str | None:
    """The language an API caller asked for with ``Accept-Language`` (None: not asked)."""
    from flask import has_request_context, request

    if not has_request_context() or not request.headers.get("Accept-Language"):
        return None
    return request.accept_languages.best_match(current_app.config.get("LANGUAGES") or ("zh",))


def in_caller_language(message: str, details: dict | None):
    """``(message, details)`` in the ``Accept-Language`` asked, else as they are (English)."""
    asked = asked_language()
    if asked is None:
        return message, details

    def render():
        out = {k: [for_reader(m) for m in v] if isinstance(v, list) and all(isinstance(m, str) for m in v) else v
               for k, v in (details or {}).items()}
        return for_reader(message), out
    return in_language(asked, render)


def in_language(locale: str | None, render):
    """``render()`` with ``locale`` as the current language (a notification's recipient's)."""
    languages = current_app.config.get("LANGUAGES") or ("zh",)
    chosen = locale if locale in languages else current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")
    with force_locale(chosen):
        return render() if callable(render) else render


def rendered(text) -> str:
    """A plain string from a string, a lazy string or a callable (rendered now)."""
    if callable(text):
        text = text()
    return "" if text is None else str(text)


__all__ = ["CORE_TERMS", "Labels", "Message", "gettext", "in_language", "local_time", "lookup", "money",
           "registered_terms", "rendered", "shown", "term", "terms", "for_reader", "asked_language",
           "in_caller_language"]
