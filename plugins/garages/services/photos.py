"""Photos of a quote: the garage's (damage, teardown, after repair) and the insurer's
re-inspection photos (复勘); the type is read from the file's magic bytes."""
from __future__ import annotations

import uuid
from pathlib import Path

from flask import current_app

from portal.plugin import (Forbidden, Invalid, InvalidState, NotFound, TooLarge, check_quota, db, image_problem,
                          record_audit, written)

from .. import rules as R
from ..models import PHOTO_KINDS, Photo, Quote
from .answers import append_loaded
from .quotes import require_owner

MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type by magic bytes (the client's claim is never trusted)."""
    for magic, ctype, ext in MAGIC:
        if head.startswith(magic):
            return ctype, ext
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def photo_dir() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "garages"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    if not data:
        raise Invalid({"file": ["The file is empty."]})
    sniffed = sniff(data[:16])
    if sniffed is None:
        raise Invalid({"file": ["Only JPEG, PNG, WebP images or PDF documents."]})
    ctype, ext = sniffed
    if ctype.startswith("image/"):
        problem = image_problem(data, int(R.rules()["photo_max_pixels"]))
        if problem:
            raise Invalid({"file": [problem]})
    check_quota(user.organization_id, len(data))
    stored = f"{uuid.uuid4().hex}.{ext}"
    (photo_dir() / stored).write_bytes(data)
    written(db.session, photo_dir() / stored)   # removed again if the change does not commit
    photo = Photo(quote_id=quote.id, line_id=line_id, kind=kind, stored_name=stored,
                  original_name=Path(file.filename).name[:255], content_type=ctype, size=len(data),
                  uploaded_by_id=user.id)
    db.session.add(photo)
    append_loaded(quote, "photos", photo)
    db.session.flush()
    record_audit("quote", quote.id, "add_photo", {"photo_id": photo.id, "kind": kind, "line_id": line_id}, actor=user)
    return photo


def get_photo(quote: Quote, photo_id: int, user=None) -> tuple[Photo, Path]:
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.quote_id != quote.id:
        raise NotFound()
    if photo.kind == "reinspection" and not (user is not None and user.is_insurer):
        raise NotFound()   # the insurer's evidence
    path = photo_dir() / photo.stored_name
    if not path.is_file():
        raise NotFound()
    return photo, path
