"""Hooks the garages plugin publishes (``portal_addhookspecs``) and the types they use.

The garages plugin calls these; other plugins implement them. An implementer that may be
installed without garages marks its implementation ``@hookimpl(optionalhook=True)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.plugin import hookspec


@dataclass
class Finding:
    """What an automatic check (核损规则) found on a quote, as the API shows it:
    ``{code, severity, line_id, message, suggested_unit_price}``; ``severity`` is
    ``info``, ``warn`` or ``block``; ``line_id`` is ``None`` for the whole quote."""

    code: str
    severity: str
    line_id: int | None
    message: str
    suggested_unit_price: Decimal | None = None
    params: dict | None = None   # the numbers and names of its sentence (finding_texts.py)


@hookspec
def portal_quote_checks(quote):
    """Automatic checks (核损规则) on a repair quote.

    :param quote: the quote; exposes ``id``, ``claim``, ``garage``,
        ``total_submitted`` and ``lines`` (each with ``id, kind, part_no, name,
        quality, quantity, unit_price, amount``).
    :return: an iterable of findings, each a :class:`Finding` (this module) or a
        dict ``{code, severity, line_id, message, suggested_unit_price}``;
        severity is ``info``, ``warn`` or ``block``.
    Called by the garages plugin on submission and on a draft's pre-check; a ``block``
    finding stops fast track. The eleven built-in checks answer through this hook too.

    Example::

        @hookimpl
        def portal_quote_checks(quote):
            for line in quote.lines:
                if line.kind == "part" and line.quantity > 4:
                    yield {"code": "MANY_PARTS", "severity": "warn",
                           "line_id": line.id, "message": "Unusual quantity",
                           "suggested_unit_price": None}
    """


@hookspec
def portal_partner_complaints(period):
    """Substantiated complaints (投诉, verdict 有责) registered against partner organizations in a
    period, for scorecards; not substantiated (无责) or withdrawn (撤回) ones do not count.

    :param period: a :class:`portal.plugin.Period`: aware ``period.start`` included,
        ``period.end`` excluded.
    :return: a mapping ``{organization_id: count}`` of the complaints registered in
        ``[period.start, period.end)`` against each organization (organizations without one
        may be left out).
    Called by the garages plugin for the garage complaints metric; the answers of several
    implementers are added up; with no implementer the metric has no value ("no data").

    Example::

        @hookimpl
        def portal_partner_complaints(period):
            return dict(db.session.execute(sa.select(Complaint.against_id, sa.func.count())
                                           .where(Complaint.created_at >= period.start,
                                                  Complaint.created_at < period.end)
                                           .group_by(Complaint.against_id)).all())
    """
