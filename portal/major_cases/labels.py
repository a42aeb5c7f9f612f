"""Words of the register (大案) in the page's language."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..glossary import Labels
from .register import band_bounds

MILESTONE_LABELS = {
    "on_site": _l("On site"),
    "investigation_report": _l("Investigation report"),
    "status": _l("Weekly status"),
}

BASIS_LABELS = {
    "repair": _l("Repair total"),
    "salvage": _l("Salvage value"),
    "recovery": _l("Recovery"),
    "lawsuit": _l("Amount in dispute"),
}

STATUS_LABELS = Labels("major_case.status")   # the glossary's words (portal/glossary.py)


def band_label(band: int) -> str:
    """"50,000–120,000" or "above 120,000" from the configured bands."""
    lower, upper = band_bounds(band)
    if upper is None:
        return _("above %(amount)s", amount=_grouped(lower))
    return f"{_grouped(lower)}–{_grouped(upper)}"


def _grouped(amount) -> str:
    whole = f"{amount:,.2f}"
    return whole[:-3] if whole.endswith(".00") else whole
