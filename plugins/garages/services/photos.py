"""Photos of a quote: the garage's (damage, teardown, after repair) and the insurer's
re-inspection photos (复勘); kept and served by the core's uploads (type read from the
file's bytes, images opened before they are kept, within the organization's quota)."""
from __future__ import annotations

from pathlib import Path

from portal.plugin import (IMAGES, PDF, Forbidden, Invalid, InvalidState, NotFound, TooLarge, db, record_audit,
                          send_upload, store_upload, upload_path)

from .. import rules as R
from ..models import PHOTO_KINDS, Photo, Quote
from .answers import append_loaded
from .evidence import keep_evidence
from .quotes import require_owner

AREA = "garages"   # the folder under UPLOAD_FOLDER


def add_photo(quote: Quote, user, file, kind: str, line_id: int | None = None) -> Photo:
    """The garage's photos (damage, teardown, after repair); the insurer's re-inspection photos
    (复勘), by staff only and only on a quote under re-inspection."""
    if user.is_insurer:
        if kind != "reinspection":
            raise Forbidden("Staff add re-inspection photos only; the garage adds its own.")
        from ..reinspection import require_reinspection

        require_reinspection(quote, user)
    else:
        require_owner(quote, user)
        if kind == "reinspection":
            raise Forbidden("Re-inspection photos are taken by the insurer (复勘), never by the garage.")
    if quote.status == "rejected":
        raise InvalidState("A rejected quote takes no more photos.", {"status": quote.status})
    errors = {}
    if kind not in PHOTO_KINDS:
        errors["kind"] = [f"One of: {', '.join(PHOTO_KINDS)}."]
    if line_id is not None and line_id not in {ln.id for ln in quote.lines}:
        errors["line_id"] = ["No such line on this quote."]
    if file is None or not getattr(file, "filename", None):
        errors["file"] = ["Choose a file."]
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in file.filename):   # NUL, CR/LF: never into a header
        errors["file"] = ["The file name has control characters: rename the file."]
    if errors:
        raise Invalid(errors)
    limit = int(R.rules()["photo_max_bytes"])
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"A photo may be at most {limit // (1024 * 1024)} MiB.")
    kept = store_upload(data, AREA, organization_id=user.organization_id, accept=(*IMAGES, PDF),
                        max_pixels=int(R.rules()["photo_max_pixels"]),
                        refused="Only JPEG, PNG, WebP images or PDF documents.")
    photo = Photo(quote_id=quote.id, line_id=line_id, kind=kind, stored_name=kept.stored_name,
                  original_name=Path(file.filename).name[:255], content_type=kept.content_type, size=kept.size,
                  uploaded_by_id=user.id)
    keep_evidence(photo, data)   # EXIF time, thumbnail, perceptual hash
    db.session.add(photo)
    append_loaded(quote, "photos", photo)
    db.session.flush()
    record_audit("quote", quote.id, "add_photo", {"photo_id": photo.id, "kind": kind, "line_id": line_id}, actor=user)
    return photo


def get_photo(quote: Quote, photo_id: int, user=None) -> Photo:
    """A photo of ``quote`` that ``user`` may see (the insurer's re-inspection photos are
    the insurer's); ``NotFound`` otherwise, or when its file is gone."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.quote_id != quote.id or photo.deleted_at is not None:   # deleted: hidden
        raise NotFound()
    if photo.kind == "reinspection" and not (user is not None and user.is_insurer):
        raise NotFound()   # the insurer's evidence
    upload_path(AREA, photo.stored_name)     # NotFound when the file is gone
    return photo


def photo_response(photo: Photo):
    """A quote's photo, to someone :func:`get_photo` let through (page and API alike)."""
    return send_upload(AREA, photo.stored_name, photo.content_type, photo.original_name)


def thumbnail_response(photo: Photo):
    """The photo's thumbnail (a JPEG of at most 480 px); a PDF has none (404)."""
    if not photo.thumb_name:
        raise NotFound()
    return send_upload(AREA, photo.thumb_name, "image/jpeg", f"thumb-{photo.id}.jpg")
