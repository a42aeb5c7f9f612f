"""A finding's sentence in the reader's language (核损规则提示), written at display time
from its code and parameters (``Finding.params``, set by ``checks.py``): the pages and
the API (with ``Accept-Language``) show the same sentence in Chinese or English, money as
¥1,234.50 and times in Beijing time. A finding without parameters (a third party's, or
one stored before parameters were kept) keeps its own message."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from portal.plugin import asked_language, in_language, local_time, money, term


def _pct(value) -> str:
    return f"{Decimal(str(value)) * 100:.0f}%"


def _list(values) -> str:
    return "、".join(str(v) for v in values or ())


SENTENCES = {
    "PRICE_ABOVE_REFERENCE": lambda p: _(
        "Unit price %(price)s is above the reference price %(reference)s by more than %(tolerance)s.",
        price=money(p["price"]), reference=money(p["reference"]), tolerance=_pct(p["tolerance"])),
    "PART_NOT_IN_CATALOG": lambda p: _("Part %(part_no)s is in no approved price list (custom part).",
                                       part_no=p["part_no"]),
    "REPAIR_COSTS_MORE_THAN_REPLACE": lambda p: _(
        "Repair costs %(amount)s, replacing part %(part_no)s costs %(price)s: replace instead.",
        amount=money(p["amount"]), part_no=p["part_no"], price=money(p["price"])),
    "REPLACE_WHERE_REPAIRABLE": lambda p: _(
        "%(name)s (%(family)s) can usually be repaired: route it to a specialist repairer instead of replacing it.",
        name=p["name"], family=term("part.family", p["family"])),
    "ASSEMBLY_WHERE_COMPONENT": lambda p: _(
        "Assembly %(part_no)s is replaced, but the catalogue lists its components separately: %(components)s.",
        part_no=p["part_no"], components=_list(p["components"])),
    "LABOR_RATE_ABOVE_AGREED": lambda p: _("Hourly rate %(rate)s is above the agreed rate %(agreed)s.",
                                           rate=money(p["rate"]), agreed=money(p["agreed"])),
    "MATERIAL_OVER_STANDARD": lambda p: _(
        "%(name)s: %(quantity)s %(unit)s is above the standard quantity of %(limit)s %(unit)s.",
        name=p["name"], quantity=p["quantity"], unit=p.get("unit", ""), limit=p["limit"]),
    "DUPLICATE_PART_HISTORY": lambda p: _(
        "Part %(part_no)s was already approved for replacement on this vehicle (claim %(claims)s).",
        part_no=p["part_no"], claims=_list(p["claims"])),
    "RESCUE_ABOVE_SCHEDULE": lambda p: _("Towing %(amount)s is above the regional fee schedule %(fee)s.",
                                         amount=money(p["amount"]), fee=money(p["fee"])),
    "TOTAL_LOSS_SUSPECTED": lambda p: _(
        "Claim repair total %(total)s (this quote %(own)s) is at or above %(ratio)s of the vehicle's actual value "
        "%(value)s: treat as a constructive total loss and open a salvage lot.",
        total=money(p["total"]), own=money(p["own"]), ratio=_pct(p["ratio"]), value=money(p["value"])),
    "POLICY_LIMIT_EXCEEDED": lambda p: _("Quote total %(total)s is above the remaining cover %(remaining)s.",
                                         total=money(p["total"]), remaining=money(p["remaining"])),
    "PHOTO_REUSED": lambda p: _(
        "Photo %(photo)s matches a photo already filed on another claim, another vehicle or another garage's quote.",
        photo=p["photo"]),
    "PHOTO_BEFORE_ACCIDENT": lambda p: _("Photo %(photo)s was taken on %(taken)s, before the accident (%(accident)s).",
                                         photo=p["photo"], taken=local_time(p["taken_at"]),
                                         accident=local_time(p["accident_at"])),
}


def finding_text(finding) -> str:
    """The finding's sentence in the current language (its stored message when it has no
    parameters or its code has no sentence here)."""
    params = getattr(finding, "params", None)
    sentence = SENTENCES.get(getattr(finding, "code", None))
    if not params or sentence is None:
        return finding.message
    try:
        return sentence(params)
    except (KeyError, TypeError, ValueError, ArithmeticError):   # parameters of another rules version
        return finding.message


def api_message(finding) -> str:
    """The API's ``message``: in the language asked by ``Accept-Language`` (``zh`` or
    ``en``), else the finding's English message as before; ``code`` never changes."""
    asked = asked_language()
    return finding.message if asked is None else in_language(asked, lambda: finding_text(finding))
