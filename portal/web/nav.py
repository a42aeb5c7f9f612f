"""Data that hooks return and the core renders (no plugin HTML in core pages)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class NavItem:
    label: str
    endpoint: str
    order: int = 50
    icon: str | None = None          # a Bootstrap icon name, optional
    badge: int | None = None         # a count shown beside the label (queue sizes)
    url_args: dict = field(default_factory=dict)
    group: str | None = None         # items of one group are shown in a drop-down


@dataclass
class Widget:
    title: str
    value: str | int | Decimal | None = None
    url: str | None = None
    subtitle: str | None = None
    kind: str = "stat"               # "stat", "bar", "donut", "table"
    data: list = field(default_factory=list)   # charts: [(label, value)], tables: rows
    columns: list = field(default_factory=list)
    tone: str = "primary"            # Bootstrap contextual colour
    order: int = 50


@dataclass
class ClaimAction:
    """A button of a claim section: a link (``method="get"``), or a small form posted with the
    CSRF token and ``fields`` as hidden inputs, asking ``confirm`` first when given."""

    label: str
    url: str
    method: str = "get"
    fields: dict = field(default_factory=dict)
    confirm: str | None = None
    tone: str = "outline-primary"    # Bootstrap button colour
    name: str | None = None          # data-action, for tests and scripts


@dataclass
class ClaimSection:
    title: str
    rows: list = field(default_factory=list)      # list of dicts; "url" links the first column,
    columns: list = field(default_factory=list)   # [(key, label)]   "actions" a list of ClaimAction
    url: str | None = None
    empty: str | None = None
    order: int = 50
    actions: list = field(default_factory=list)   # ClaimAction of the section (e.g. "new quote")
    note: str | None = None                        # one sentence under the title
