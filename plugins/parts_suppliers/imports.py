"""Large price files go to the background worker (后台导入): the upload is kept in the upload
folder, a :class:`PriceImport` records its progress, and the worker parses (no lock), then
stores the version in one transaction. The page polls the progress; the API answers 202 to
``Prefer: respond-async``. Files up to ``PARTS_SUPPLIERS_IMPORT_BACKGROUND_BYTES`` are imported in the
request as before."""
from __future__ import annotations

import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.plugin import (Invalid, NotFound, Organization, PortalError, db, enqueue, record_audit, setting,
                          task, utcnow)

from .models import PriceImport
from .price_import import parse_price_file, store_price_list

from flask_babel import lazy_gettext as _l

TASK = "parts_suppliers.import_price_list"
IMPORT_LABELS = {"queued": _l("Waiting for the worker"), "parsing": _l("Checking every row"),
                 "writing": _l("Storing the new version"), "done": _l("Done: pending approval"),
                 "failed": _l("Refused: nothing was stored")}
MAX_KEPT_ERRORS = 1000


def background_threshold() -> int:
    return int(setting("PARTS_SUPPLIERS_IMPORT_BACKGROUND_BYTES"))


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "price-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stream_size(stream) -> int:
    here = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(here)
    return size


def start(supplier: Organization, stream, filename: str | None, actor) -> PriceImport:
    """Keep the file, record the import and queue it (the caller commits, then :func:`queue`)."""
    if supplier is None or supplier.kind != "parts_supplier":
        raise Invalid.field("supplier", "Not a parts supplier.")
    from portal.plugin import check_quota

    size = stream_size(stream)
    check_quota(supplier.id, size)
    name = secrets.token_hex(16) + ".upload"
    path = _folder() / name
    stream.seek(0)
    with open(path, "wb") as out:
        while chunk := stream.read(1024 * 1024):
            out.write(chunk)
    job = PriceImport(supplier_id=supplier.id, uploaded_by_id=getattr(actor, "id", None),
                      filename=(filename or "")[:255] or None, stored_name=name, size=size, status="queued")
    db.session.add(job)
    db.session.flush()
    record_audit("price_list", f"import-{job.id}", "import_queued", {"file": job.filename, "size": size}, actor=actor)
    from portal.plugin import written

    written(db.session, path)      # removed again if this transaction does not commit
    return job


def queue(job: PriceImport) -> None:
    enqueue(TASK, job.id)


def visible(job_id: int, user) -> PriceImport:
    job = db.session.get(PriceImport, job_id)
    if job is None or not (user.is_insurer or job.supplier_id == user.organization_id):
        raise NotFound()
    return job


def _set(job_id: int, **values) -> None:
    """Progress in a short transaction of its own (no lock held between updates)."""
    db.session.execute(sa.update(PriceImport).where(PriceImport.id == job_id).values(**values))
    db.session.commit()


@task(TASK)
def run(job_id: int) -> str:
    """The worker's side: parse with progress, then store in one transaction."""
    job = db.session.get(PriceImport, job_id)
    if job is None or job.status not in ("queued", "parsing"):
        return "nothing to do"
    supplier, actor = job.supplier_id, job.uploaded_by_id
    path = _folder() / job.stored_name
    _set(job_id, status="parsing", started_at=utcnow())
    try:
        with open(path, "rb") as stream:
            parsed = parse_price_file(stream, progress=lambda n: _set(job_id, rows_read=n))
        try:
            _set(job_id, status="writing", rows_read=parsed.count)
            from portal.plugin import User

            pl = store_price_list(db.session.get(Organization, supplier), parsed, job.filename,
                                  db.session.get(User, actor) if actor else None)
            db.session.execute(sa.update(PriceImport).where(PriceImport.id == job_id).values(
                status="done", price_list_id=pl.id, finished_at=utcnow(), message=None))
            db.session.commit()
        finally:
            parsed.close()
    except PortalError as exc:
        db.session.rollback()
        details = dict(exc.details or {})
        if isinstance(details.get("rows"), list):
            details["rows"] = details["rows"][:MAX_KEPT_ERRORS]
        _set(job_id, status="failed", message=exc.message[:500], errors=details, finished_at=utcnow())
        return f"failed: {exc.message}"
    except Exception as exc:   # noqa: BLE001 - recorded for the supplier, then raised for the log
        db.session.rollback()
        _set(job_id, status="failed", message="The file could not be imported; nothing was stored.",
             finished_at=utcnow())
        raise exc
    finally:
        path.unlink(missing_ok=True)
    return f"price list {pl.id}"


def as_dict(job: PriceImport) -> dict:
    return {"id": job.id, "status": job.status, "rows_read": job.rows_read, "size": job.size,
            "filename": job.filename, "price_list_id": job.price_list_id, "message": job.message,
            "errors": job.errors, "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}
