"""Uploaded files (上传文件): stored by content, within quota, beside the change that keeps them.

:func:`store_upload` is the one way an area keeps a file a person sent: the type is read
from the file's first bytes (never from its name or the client's claim), an image is opened
by Pillow before it is kept, the organization's quota is checked, and the file is written
under the area's folder with a random name. :func:`send_upload` serves it back with headers
that stop a browser from reading it as anything else.

Files written beside a change live only if the change commits (security review M6): a
service that writes an uploaded file calls :func:`written` with its path; if the session's
transaction rolls back (a refused change, a failed insert, a lost race), the file is removed, so
no orphan fills the disk. Images are opened by Pillow before they are kept: one above the pixel
budget (a decompression bomb for whoever views it) or that Pillow cannot read is refused.
"""
from __future__ import annotations

import io
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from .timeutil import AwareDateTime, utcnow

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


# --------------------------------------------------------------------------- storing and serving

SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)
IMAGES = ("image/jpeg", "image/png", "image/webp")
PDF = "application/pdf"


def sniff(head: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` from a file's first bytes; ``None``: not a kept type."""
    for signature, content_type, ext in SIGNATURES:
        if head.startswith(signature):
            return content_type, ext
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


@dataclass(frozen=True)
class StoredUpload:
    """A file kept under an area's folder: its random name, type and size."""

    stored_name: str
    content_type: str
    size: int


class StoredFileColumns:
    """The columns of a kept file's row (a plugin's photo or document model mixes it in):
    the random stored name, the sender's file name, the type read from the content, the
    size, who sent it and for which organization, and when."""

    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    original_name: Mapped[str | None] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(32))
    size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    @declared_attr
    def uploaded_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))

    @declared_attr
    def organization_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("organizations.id"))


def upload_folder(area: str) -> Path:
    from flask import current_app

    path = Path(current_app.config["UPLOAD_FOLDER"]) / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(data: bytes, area: str, *, organization_id: int | None, accept=IMAGES,
                 max_pixels: int | None = None, refused: str = "Only JPEG, PNG or WebP photos are accepted.",
                 session=None) -> StoredUpload:
    """Keep ``data`` under ``area``'s folder if it is one of the ``accept``-ed types (read from
    its bytes), a readable image within ``max_pixels`` (default ``UPLOAD_MAX_PIXELS``), and
    within the organization's quota; removed again if the change does not commit. Raises
    :class:`Invalid` on ``file`` (empty, refused type, unreadable image) or ``TooLarge``."""
    from flask import current_app

    from .errors import Invalid
    from .extensions import db

    if not data:
        raise Invalid({"file": ["The file is empty."]})
    sniffed = sniff(data[:16])
    if sniffed is None or sniffed[0] not in accept:
        raise Invalid({"file": [refused]})
    content_type, ext = sniffed
    if content_type in IMAGES:
        problem = image_problem(data, int(max_pixels or current_app.config["UPLOAD_MAX_PIXELS"]))
        if problem:
            raise Invalid({"file": [problem]})
    check_quota(organization_id, len(data))
    name = f"{secrets.token_hex(16)}.{ext}"
    path = upload_folder(area) / name
    path.write_bytes(data)
    written(session or db.session, path)   # removed again if the change does not commit
    return StoredUpload(name, content_type, len(data))


def upload_path(area: str, stored_name: str) -> Path:
    """Where a kept file is; ``NotFound`` when it is gone."""
    from .errors import NotFound

    path = upload_folder(area) / stored_name
    if not path.is_file():
        raise NotFound()
    return path


def send_upload(area: str, stored_name: str, content_type: str, download_name: str | None = None):
    """Serve a kept file to someone the caller has checked may see it: images inline, other
    files as a download, never cached by a proxy, never sniffed or run by the browser."""
    from flask import send_file

    inline = content_type in IMAGES
    response = send_file(upload_path(area, stored_name), mimetype=content_type, as_attachment=not inline,
                         download_name=download_name or stored_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
