"""Documents of a recovery case (追偿材料): PDF or image scans, stored through the core's
upload helper (type read from the content, size and quota checked), served only to who
may see the case, hidden (never erased) with an audit entry."""
from __future__ import annotations

import sqlalchemy as sa

from portal.plugin import (
    IMAGES,
    PDF,
    Invalid,
    NotFound,
    db,
    record_audit,
    store_upload,
    utcnow,
)

from .models import RecoveryCase, RecoveryDocument
from .services import require_worker

AREA = "subrogation"   # the folder under UPLOAD_FOLDER
REFUSED = "Only PDF, JPEG, PNG or WebP files are accepted."


def add_document(case: RecoveryCase, user, data: bytes, filename: str | None) -> RecoveryDocument:
    """Keep a scan on the case (who works the case only), audited."""
    require_worker(case, user)
    if not data:
        raise Invalid.field("file", "Choose a file to upload.")
    kept = store_upload(data, AREA, organization_id=user.organization_id, accept=(*IMAGES, PDF), refused=REFUSED)
    doc = RecoveryDocument(recovery_id=case.id, stored_name=kept.stored_name,
                           original_name=(filename or "")[:200] or None, content_type=kept.content_type,
                           size=kept.size, uploaded_by_id=user.id, organization_id=user.organization_id)
    db.session.add(doc)
    db.session.flush()
    record_audit("recovery", case.id, "document_added", {"document_id": doc.id, "file": doc.original_name,
                                                         "size": doc.size}, actor=user)
    return doc


def case_documents(case: RecoveryCase) -> list[RecoveryDocument]:
    """The case's documents not hidden, oldest first (the case is already visible)."""
    return list(db.session.scalars(sa.select(RecoveryDocument).where(
        RecoveryDocument.recovery_id == case.id, RecoveryDocument.hidden_at.is_(None)).order_by(RecoveryDocument.id)))


def get_document(case: RecoveryCase, document_id: int) -> RecoveryDocument:
    """A document of the (visible) case; another case's or a hidden one → 404."""
    doc = db.session.scalar(sa.select(RecoveryDocument).where(
        RecoveryDocument.id == document_id, RecoveryDocument.recovery_id == case.id,
        RecoveryDocument.hidden_at.is_(None)))
    if doc is None:
        raise NotFound()
    return doc


def hide_document(case: RecoveryCase, document_id: int, user) -> RecoveryDocument:
    """Delete for the reader: hidden, kept, audited."""
    require_worker(case, user)
    doc = get_document(case, document_id)
    doc.hidden_at, doc.hidden_by_id = utcnow(), user.id
    record_audit("recovery", case.id, "document_hidden", {"document_id": doc.id, "file": doc.original_name},
                 actor=user)
    return doc
