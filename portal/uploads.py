"""Files written beside a change: they live only if the change commits (security review M6).

A service that writes an uploaded file calls :func:`written` with its path; if the session's
transaction rolls back (a refused change, a failed insert, a lost race), the file is removed, so
no orphan fills the disk. Images are opened by Pillow before they are kept: one above the pixel
budget (a decompression bomb for whoever views it) or that Pillow cannot read is refused.
"""
from __future__ import annotations

import io
import logging
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
KEY = "portal_written_files"


def written(session, path: Path) -> None:
    """Remember ``path`` as written by the transaction of ``session``."""
    session.info.setdefault(KEY, []).append(Path(path))


@event.listens_for(Session, "after_commit")
def _kept(session) -> None:
    session.info.pop(KEY, None)


@event.listens_for(Session, "after_soft_rollback")
def _removed(session, previous_transaction) -> None:
    for path in session.info.pop(KEY, []):
        try:
            path.unlink(missing_ok=True)
        except OSError:   # never mask the rollback's own reason
            log.warning("could not remove %s after a rollback", path)


def image_problem(data: bytes, max_pixels: int) -> str | None:
    """Why an image may not be kept (None: it may): unreadable, or above ``max_pixels``."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:   # reads the header only
            width, height = img.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return "The image cannot be read."
    if width * height > max_pixels:
        return f"The image is too large ({width} × {height} pixels; at most {max_pixels:,} pixels)."
    return None


# --------------------------------------------------------------------------- disk use per organization


def organization_usage(organization_id: int) -> int:
    """Bytes of files the organization's people have stored, summed over every area
    (``portal_organization_storage``)."""
    from .plugins import flatten, hook

    return sum(int(n or 0) for n in flatten(hook().portal_organization_storage(organization_id=organization_id)))


def quota() -> int:
    from flask import current_app

    return int(current_app.config["ORGANIZATION_STORAGE_QUOTA_BYTES"])


def check_quota(organization_id: int | None, adding: int) -> None:
    """Refuse (413 ``too_large``) a file that would take the organization beyond its quota.
    Insurer staff (no partner organization to charge) are not capped."""
    if organization_id is None:
        return
    from .auth.models import Organization
    from .errors import TooLarge
    from .extensions import db

    org = db.session.get(Organization, organization_id)
    if org is None or org.kind == "insurer":
        return
    used, cap = organization_usage(organization_id), quota()
    if used + adding > cap:
        raise TooLarge(f"Your organization's storage is full ({used // (1024 * 1024)} of {cap // (1024 * 1024)} MiB "
                       "used): delete drafts' photos or ask the insurer to raise the quota.",
                       {"used": used, "quota": cap, "adding": adding})
