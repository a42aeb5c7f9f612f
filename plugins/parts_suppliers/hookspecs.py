"""Hooks the parts-suppliers plugin publishes (``portal_addhookspecs``).

The parts-suppliers plugin calls these; other plugins implement them. An implementer that
may be installed without parts suppliers marks its implementation
``@hookimpl(optionalhook=True)``.
"""
from __future__ import annotations

from portal.plugin import hookspec


@hookspec
def portal_quoted_parts(period):
    """The part lines quoted by garages in a period, for catalog figures and metrics.

    :param period: a :class:`portal.plugin.Period`: aware ``period.start`` included,
        ``period.end`` excluded.
    :return: an iterable of ``(garage_id, part_no, quality)`` tuples, one per quoted
        ``part`` line submitted in ``[period.start, period.end)``.
    Called by the parts-suppliers plugin for catalog coverage (本地化率), the
    custom-part rate per garage (配件自定义率) and supplier coverage metrics; with no
    implementer those figures show "no quote data".

    Example::

        @hookimpl
        def portal_quoted_parts(period):
            return db.session.execute(sa.select(Quote.garage_id, QuoteLine.part_no, QuoteLine.quality)
                                      .join(...).where(Quote.submitted_at >= period.start, ...)).all()
    """
