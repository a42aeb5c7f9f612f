"""Photo evidence (证据完整性): what an uploaded image says of itself, and what the checks make
of it. On upload: the camera's time (EXIF ``DateTimeOriginal``, Beijing time unless the camera
wrote its offset), a thumbnail (kept like the original, removed again if the change rolls
back) and a perceptual hash (ImageHash ``phash``, 64 bits). The hash is kept whole and in four
16-bit bands, each an indexed column: two hashes within Hamming distance 3 always share a
band, and most within the configured ``photo_match_distance`` do, so the candidates of every
photo of a submission come from ONE indexed query and the distance is checked here.

At submission (and pre-check): ``PHOTO_REUSED`` when a photo matches a photo (not deleted) on
another claim, another VIN or another garage's quote; ``PHOTO_BEFORE_ACCIDENT`` when the
camera's time is before the claim's accident. A finding's message never names another
organization's claim, photo or garage: the matching photo is shown to the insurer's staff only
(:func:`matches`). A submission needs ``min_damage_photos`` damage photos (default 1)."""
from __future__ import annotations

import io
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.plugin import (IMAGES, LOCAL_TZ, Claim, Forbidden, Invalid, InvalidState, NotFound, db, record_audit,
                          store_upload, utcnow)

from .. import rules as R
from ..hookspecs import Finding
from ..models import Photo, Quote

log = logging.getLogger(__name__)

AREA = "garages"
THUMB_SIZE = (480, 480)
BAND_BITS = 16
BANDS = 4
FEATURELESS_BITS = 8   # a flat image (fewer bits of one value than this) matches nothing


@dataclass(frozen=True)
class Evidence:
    taken_at: datetime | None
    thumbnail: bytes | None
    phash: str | None
    bands: tuple[int | None, ...]


def exif_time(img) -> datetime | None:
    """``DateTimeOriginal`` (the Exif IFD; the camera's local time, Beijing unless the camera
    wrote ``OffsetTimeOriginal``) as an aware time; ``None`` when absent or nonsense."""
    try:
        exif = img.getexif()
        ifd = exif.get_ifd(0x8769)
        raw = ifd.get(36867) or exif.get(36867)
        offset = ifd.get(36881)
    except Exception:  # noqa: BLE001 - a camera's broken EXIF is no reason to refuse a photo
        return None
    if not raw:
        return None
    try:
        text = (raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)).strip("\x00 ")
        value = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
        if offset:
            zone = datetime.strptime(str(offset).strip("\x00 "), "%z").tzinfo
            return value.replace(tzinfo=zone)
        return value.replace(tzinfo=LOCAL_TZ)
    except (ValueError, TypeError):
        return None


def bands_of(phash: str | None) -> tuple[int | None, ...]:
    """The hash's four 16-bit bands, most significant first; all ``None`` for a featureless image."""
    if not phash:
        return (None,) * BANDS
    value = int(phash, 16)
    ones = bin(value).count("1")
    if ones < FEATURELESS_BITS or ones > 64 - FEATURELESS_BITS:
        return (None,) * BANDS
    mask = (1 << BAND_BITS) - 1
    return tuple((value >> (BAND_BITS * (BANDS - 1 - i))) & mask for i in range(BANDS))


def distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


_STRICT = threading.Lock()


@contextmanager
def strict_decoding():
    """A photo's body decodes whole or is refused, whatever the process has set: WeasyPrint
    (the assessment sheet) turns Pillow's ``LOAD_TRUNCATED_IMAGES`` on for the whole process
    when it is imported, which would pad a cut-off upload with grey and keep it."""
    from PIL import ImageFile

    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def read_evidence(data: bytes, content_type: str) -> Evidence:
    """What an image kept by ``store_upload`` (readable, within the pixel budget) says of
    itself; a PDF says nothing."""
    if content_type not in IMAGES:
        return Evidence(None, None, None, (None,) * BANDS)
    import imagehash
    from PIL import Image, ImageOps

    try:   # the header was read before (store_upload); a body that does not decode is refused here
        with strict_decoding(), Image.open(io.BytesIO(data)) as img:
            taken_at = exif_time(img)
            upright = ImageOps.exif_transpose(img)
            upright.load()
        rgb = upright.convert("RGB")
        phash = str(imagehash.phash(rgb))
        thumb = rgb.copy()
        thumb.thumbnail(THUMB_SIZE)
        buf = io.BytesIO()
        thumb.save(buf, format="JPEG", quality=80, optimize=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise Invalid({"file": ["The image cannot be read."]}) from None
    return Evidence(taken_at, buf.getvalue(), phash, bands_of(phash))


def keep_evidence(photo: Photo, data: bytes) -> None:
    """Fill ``photo``'s evidence and keep its thumbnail beside it (removed on rollback)."""
    found = read_evidence(data, photo.content_type)
    photo.taken_at = found.taken_at
    photo.phash = found.phash
    photo.phash_0, photo.phash_1, photo.phash_2, photo.phash_3 = found.bands
    if found.thumbnail is not None:
        # derived from the photo the quota just admitted: the organization is charged the photo
        # (its ``size``), never its thumbnail
        photo.thumb_name = store_upload(found.thumbnail, AREA, organization_id=None,
                                        accept=("image/jpeg",)).stored_name


# ------------------------------------------------------------------ matching


def _bands(photo: Photo) -> tuple:
    return (photo.phash_0, photo.phash_1, photo.phash_2, photo.phash_3)


def matches(quote: Quote, photos=None) -> dict[int, list[tuple[Photo, Quote, Claim]]]:
    """For each photo of ``quote`` (or ``photos``), the photos it matches on another claim,
    another VIN or another garage's quote, never deleted: ``{photo_id: [(photo, quote, claim)]}``.
    Staff only may be shown what is in it. One indexed query for all the photos."""
    photos = [p for p in (quote.photos if photos is None else photos) if p.phash and any(_bands(p))]
    if not photos:
        return {}
    columns = (Photo.phash_0, Photo.phash_1, Photo.phash_2, Photo.phash_3)
    cond = sa.or_(*[col.in_(sorted({_bands(p)[i] for p in photos if _bands(p)[i] is not None}))
                    for i, col in enumerate(columns)])
    claim = quote.claim
    rows = db.session.execute(
        sa.select(Photo, Quote, Claim).join(Quote, Quote.id == Photo.quote_id).join(Claim, Claim.id == Quote.claim_id)
        .where(cond, Photo.deleted_at.is_(None), Photo.quote_id != quote.id, Quote.status != "deleted",
               sa.or_(Quote.claim_id != quote.claim_id, Quote.garage_id != quote.garage_id,
                      Claim.vin != claim.vin if claim.vin else sa.false()))
        .order_by(Photo.id)).all()
    limit = int(R.rules()["photo_match_distance"])
    out: dict[int, list] = {}
    for mine in photos:
        for other, other_quote, other_claim in rows:
            if other.phash and distance(mine.phash, other.phash) <= limit:
                out.setdefault(mine.id, []).append((other, other_quote, other_claim))
    return out


def _label(photo: Photo) -> str:
    return f"#{photo.id} {photo.original_name}"


def photo_findings(quote: Quote) -> list[Finding]:
    """``PHOTO_REUSED`` and ``PHOTO_BEFORE_ACCIDENT`` for the quote's photos (the garage's own:
    the insurer's re-inspection photos are not the garage's evidence)."""
    photos = [p for p in quote.photos if p.kind != "reinspection"]
    out: list[Finding] = []
    for photo_id in matches(quote, photos):
        photo = next(p for p in photos if p.id == photo_id)
        out.append(Finding("PHOTO_REUSED", R.severity("PHOTO_REUSED"), photo.line_id,
                           f"Photo {_label(photo)} matches a photo already filed on another claim, another "
                           "vehicle or another garage's quote.", None, {"photo": _label(photo)}))
    accident = quote.claim.accident_at
    for photo in photos:
        if accident is not None and photo.taken_at is not None and photo.taken_at < accident:
            out.append(Finding("PHOTO_BEFORE_ACCIDENT", R.severity("PHOTO_BEFORE_ACCIDENT"), photo.line_id,
                               f"Photo {_label(photo)} was taken on "
                               f"{photo.taken_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}, before the accident "
                               f"({accident.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}).", None,
                               {"photo": _label(photo), "taken_at": photo.taken_at.isoformat(),
                                "accident_at": accident.isoformat()}))
    return out


def before_accident(quote: Quote, photo: Photo) -> bool:
    accident = quote.claim.accident_at
    return bool(accident is not None and photo.taken_at is not None and photo.taken_at < accident)


# ------------------------------------------------------------------ rules of submission and deletion


def damage_photos(quote: Quote) -> tuple[int, int]:
    """``(needed, present)``: the ``min_damage_photos`` rule and the quote's damage photos (not deleted)."""
    return int(R.rules()["min_damage_photos"]), sum(1 for p in quote.photos if p.kind == "damage")


MISSING_PHOTOS = "Add at least %(need)d damage photo(s) before submitting (this quote has %(have)d)."


def require_damage_photos(quote: Quote) -> None:
    """A submission needs ``min_damage_photos`` damage photos (not deleted): 422 on ``photos``
    otherwise (:data:`MISSING_PHOTOS`, which a page shows in its reader's language)."""
    need, have = damage_photos(quote)
    if have < need:
        raise Invalid({"photos": [MISSING_PHOTOS % {"need": need, "have": have}]})


def deletable(quote: Quote, photo: Photo, user) -> bool:
    """The garage that took it may delete a photo it added since the last submission, while the
    quote is a draft or returned (the evidence it submitted stays)."""
    return bool(not user.is_insurer and photo.deleted_at is None and quote.status in ("draft", "returned")
                and quote.garage_id == user.organization_id and photo.kind != "reinspection"
                and (quote.submitted_at is None or photo.created_at > quote.submitted_at))


def delete_photo(quote: Quote, photo_id: int, user) -> Photo:
    """Hide a photo (kept, never erased; audited)."""
    if user.is_insurer:
        raise Forbidden("Only the garage that took a photo may delete it.")
    if quote.garage_id != user.organization_id:
        raise NotFound()
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.quote_id != quote.id or photo.deleted_at is not None or photo.kind == "reinspection":
        raise NotFound()
    if not deletable(quote, photo, user):
        raise InvalidState("A photo can be deleted only while the quote is a draft or returned, and only if it "
                           "was added after the last submission.", {"status": quote.status})
    photo.deleted_at, photo.deleted_by_id = utcnow(), user.id
    db.session.flush()
    db.session.expire(quote, ["photos"])
    record_audit("quote", quote.id, "delete_photo", {"photo_id": photo.id, "kind": photo.kind,
                                                      "line_id": photo.line_id}, actor=user)
    return photo


# ------------------------------------------------------------------ what a gallery shows


@dataclass
class Gallery:
    """What the photo cards of a quote's page show beside each photo: its line as the reader
    sees it, who took it, whether it is flagged, whether the reader may delete it, and — to the
    insurer's staff only — the photos it matches elsewhere."""

    lines: dict       # line id → (its number, its name)
    uploaders: dict   # user id → name
    before: set       # photo ids taken before the accident
    matches: dict     # photo id → [(photo, quote, claim)]; empty for a partner
    deletable: set    # photo ids the reader may delete

    def line_label(self, line_id):
        return self.lines.get(line_id)


def gallery(quote: Quote, user, photos=None) -> Gallery:
    from portal.plugin import User

    photos = list(quote.shown_photos if photos is None else photos)
    ids = {p.uploaded_by_id for p in photos if p.uploaded_by_id}
    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return Gallery(lines={ln.id: (i, ln.name) for i, ln in enumerate(quote.lines, start=1)}, uploaders=names,
                   before={p.id for p in photos if before_accident(quote, p)},
                   matches=matches(quote, [p for p in photos if p.kind != "reinspection"]) if user.is_insurer else {},
                   deletable={p.id for p in photos if deletable(quote, p, user)})
