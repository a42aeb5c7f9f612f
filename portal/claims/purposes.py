"""Why a claim is assigned to a partner (委托用途): registered by the areas that do the work.

The core knows no partner area by name: each area registers the purposes it serves through
``portal_assignment_purposes`` — which kinds of organization may take it, how people read
it, and which of the core's partner views of a claim (``repair``, ``salvage``, ``counsel``:
what such a partner may see of it) its partners get. A purpose whose area is not
installed is refused for new assignments and shown by its code on old ones.
"""
from __future__ import annotations

from dataclasses import dataclass

CLAIM_VIEWS = ("repair", "salvage", "counsel")


@dataclass(frozen=True)
class AssignmentPurpose:
    name: str                         # "repair"
    org_kinds: tuple[str, ...]        # the kinds of organization that may take it
    label: object                     # shown to people (a lazy translation)
    claim_view: str = "salvage"       # what its partners see of the claim: one of CLAIM_VIEWS

    def __post_init__(self):
        if self.claim_view not in CLAIM_VIEWS:
            raise ValueError(f"{self.name}: claim_view must be one of {CLAIM_VIEWS}")


def purposes(app=None) -> dict[str, AssignmentPurpose]:
    """Every registered purpose by name, merged once per app (a name registered twice stops)."""
    from ..plugins import flatten, hook, once_per_app

    def merge(app) -> dict:
        known: dict = {}
        for purpose in flatten(hook(app).portal_assignment_purposes()):
            if purpose.name in known:
                raise RuntimeError(f"assignment purpose {purpose.name!r} is registered twice")
            known[purpose.name] = purpose
        return known

    return once_per_app("assignment_purposes", merge, app)


def purpose_labels() -> dict[str, object]:
    return {name: p.label for name, p in purposes().items()}


def purpose_label(name: str) -> str:
    purpose = purposes().get(name)
    return str(purpose.label) if purpose is not None else name


def purpose_fits(name: str, org_kind: str) -> bool:
    purpose = purposes().get(name)
    return purpose is not None and org_kind in purpose.org_kinds


def claim_view_for(org_kind: str) -> str:
    """The partner view of a claim for an organization kind (the narrowest when none fits)."""
    for purpose in purposes().values():
        if org_kind in purpose.org_kinds:
            return purpose.claim_view
    return "salvage"
