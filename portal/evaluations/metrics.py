"""What a plugin returns from ``portal_evaluation_metrics``.

A bracket table turns a metric's value into points, as in the insurer's quality
assessment: ``[Bracket(lower, upper, points), ...]`` — the first bracket with
``lower <= value < upper`` (``None`` = unbounded) gives the points.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from ..timeutil import Period


@dataclass(frozen=True)
class Bracket:
    lower: Decimal | None
    upper: Decimal | None
    points: Decimal

    def contains(self, value: Decimal) -> bool:
        return (self.lower is None or value >= self.lower) and (self.upper is None or value < self.upper)


def bracket_points(value: Decimal | None, brackets: list[Bracket], missing_points: Decimal = Decimal(100)) -> Decimal:
    """Points out of 100 for ``value``; a metric with no data scores ``missing_points``."""
    if value is None:
        return missing_points
    for b in brackets:
        if b.contains(value):
            return b.points
    return Decimal(0)


@dataclass(frozen=True)
class MetricDefinition:
    code: str                     # "garage.reduction_rate"
    org_kind: str                 # "garage", "parts_supplier", "salvage_vendor", "law_firm", ...
    label: str                    # shown to people (translated by the page)
    # compute(period, org_ids): period is a Period (aware start, end excluded; the engine
    # passes the month); compare timestamps with period.start/end, dates with first_day/last_day
    compute: Callable[[Period, list[int]], dict[int, Decimal | None]]
    brackets: list[Bracket]       # default brackets (points out of 100)
    weight: Decimal               # default weight (weights of a kind add up to 100)
    unit: str = "ratio"           # "ratio" (shown as %), "count", "days", "money"
    higher_is_better: bool = False
    description: str = ""
    # drilldown(org_id, period): the records behind one organization's value, same Period
    drilldown: Callable[[int, Period], list[dict]] | None = field(default=None, compare=False)
    # volume(period, org_ids): how many records (claims, quotes, lots, cases) are behind each
    # organization's value; below EVALUATION_MIN_VOLUME the metric does not count. None: not reported
    volume: Callable[[Period, list[int]], dict[int, int]] | None = field(default=None, compare=False)
