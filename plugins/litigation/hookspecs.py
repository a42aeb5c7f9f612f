"""Hooks the litigation plugin publishes (``portal_addhookspecs``) and the type they use.

Litigation calls these; the area that keeps recovery cases (追偿) implements them. An
implementer that may be installed without litigation marks its implementation
``@hookimpl(optionalhook=True)``.
"""
from __future__ import annotations

from dataclasses import dataclass

from portal.plugin import hookspec


@dataclass(frozen=True)
class RecoveryCaseRef:
    """What litigation may know of a recovery case: its claim, its handler, its page."""

    id: int
    claim_id: int
    handler_organization_id: int | None
    url: str


@hookspec
def portal_recovery_cases(ids=None, handler_organization_id=None):
    """Recovery cases (追偿案件) a lawsuit may be filed for.

    :param ids: the cases wanted by id (an iterable of int), or ``None``.
    :param handler_organization_id: the cases a law firm handles, or ``None``.
    :return: an iterable of :class:`RecoveryCaseRef` (or dicts with its fields, for an
        implementer that cannot import this module) matching every filter given.
    Called by the litigation plugin to check a lawsuit's recovery case (same claim), to link
    to it from the lawsuit's page, and for its demo data; with no implementer a lawsuit
    cannot name a recovery case.

    Example::

        @hookimpl(optionalhook=True)
        def portal_recovery_cases(ids=None, handler_organization_id=None):
            stmt = sa.select(RecoveryCase.id, RecoveryCase.claim_id, RecoveryCase.handler_organization_id)
            if ids is not None:
                stmt = stmt.where(RecoveryCase.id.in_(list(ids)))
            return [{"id": i, "claim_id": c, "handler_organization_id": h, "url": f"/subrogation/cases/{i}"}
                    for i, c, h in db.session.execute(stmt)]
    """
