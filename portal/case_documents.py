"""Documents kept on a case (案件材料): the PDF or image scans a recovery, a lawsuit — any
record a plugin keeps papers for — carries (a demand letter, a judgment, a bank slip).

A file is stored through :func:`portal.uploads.store_upload` (type read from the content,
size and the organization's quota checked, written with the change's transaction), served
only to who may see the case, and deleting hides it (``hidden_at``) with an audit entry:
the file stays for the record. A plugin declares one :class:`CaseDocuments` per kind of
case and mounts the API operations with :func:`document_api`; its page shows the card of
``templates/_documents.html``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from marshmallow import Schema, fields
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .api.access import api_user, authenticated
from .api.fields import LocalDateTime
from .audit.services import record_audit
from .errors import Invalid, NotFound, PortalError
from .extensions import db
from .timeutil import AwareDateTime, utcnow
from .uploads import IMAGES, PDF, StoredFileColumns, send_upload, store_upload

_VARIABLE = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
REFUSED = "Only PDF, JPEG, PNG or WebP files are accepted."


class DocumentColumns(StoredFileColumns):
    """A kept file's columns plus who hid it and when (hidden, never erased)."""

    hidden_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    @declared_attr
    def hidden_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))


class DocumentSchema(Schema):
    """A document as the API answers it (a plugin's schema adds the case's id)."""

    id = fields.Integer(required=True)
    original_name = fields.String(allow_none=True, required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    uploaded_by_id = fields.Integer(allow_none=True, required=True)
    created_at = LocalDateTime(required=True)


class CaseDocuments:
    """The documents of one kind of case: ``model`` (a :class:`DocumentColumns` model) points
    at its case by ``case_key``; ``entity`` names the case in the audit trail; ``area`` is
    the folder under ``UPLOAD_FOLDER``; ``require_worker(case, user)`` raises unless the
    user may change the case's papers."""

    def __init__(self, model, case_key: str, entity: str, area: str, require_worker: Callable):
        self.model, self.case_key, self.entity, self.area = model, case_key, entity, area
        self.require_worker = require_worker

    def add(self, case, user, data: bytes, filename: str | None):
        """Keep a scan on the case, audited."""
        self.require_worker(case, user)
        if not data:
            raise Invalid.field("file", "Choose a file to upload.")
        kept = store_upload(data, self.area, organization_id=user.organization_id, accept=(*IMAGES, PDF),
                            refused=REFUSED)
        doc = self.model(**{self.case_key: case.id}, stored_name=kept.stored_name,
                         original_name=(filename or "")[:200] or None, content_type=kept.content_type,
                         size=kept.size, uploaded_by_id=user.id, organization_id=user.organization_id)
        db.session.add(doc)
        db.session.flush()
        record_audit(self.entity, case.id, "document_added",
                     {"document_id": doc.id, "file": doc.original_name, "size": doc.size}, actor=user)
        return doc

    def _shown(self, case):
        return sa.select(self.model).where(getattr(self.model, self.case_key) == case.id,
                                           self.model.hidden_at.is_(None))

    def listed(self, case) -> list:
        """The case's documents not hidden, oldest first (the case is already visible)."""
        return list(db.session.scalars(self._shown(case).order_by(self.model.id)))

    def get(self, case, document_id: int):
        """A document of the (visible) case; another case's or a hidden one → 404."""
        doc = db.session.scalar(self._shown(case).where(self.model.id == document_id))
        if doc is None:
            raise NotFound()
        return doc

    def hide(self, case, document_id: int, user):
        """Delete for the reader: hidden, kept, audited."""
        self.require_worker(case, user)
        doc = self.get(case, document_id)
        doc.hidden_at, doc.hidden_by_id = utcnow(), user.id
        record_audit(self.entity, case.id, "document_hidden", {"document_id": doc.id, "file": doc.original_name},
                     actor=user)
        return doc

    def send(self, doc):
        return send_upload(self.area, doc.stored_name, doc.content_type, doc.original_name)


def document_api(blp, rule: str, documents: CaseDocuments, visible_case: Callable, schema) -> None:
    """Mount ``POST``/``GET`` ``<rule>`` and ``GET``/``DELETE`` ``<rule>/<document_id>`` on an
    API blueprint; ``rule`` ends with the case's id (``/recoveries/<int:recovery_id>/documents``:
    its one variable); ``visible_case(case_id, user)`` answers the case or raises 404."""
    (case_param,) = _VARIABLE.findall(rule)

    @blp.route(rule, methods=["POST"])
    @blp.response(201, schema)
    @authenticated
    def upload_document(**ids):
        """Multipart ``file``: a PDF or an image (checked by content) kept on the case."""
        user = api_user()
        case = visible_case(ids[case_param], user)
        upload = request.files.get("file")
        if upload is None:
            raise Invalid.field("file", "Send the document as multipart field 'file'.")
        doc = documents.add(case, user, upload.read(), upload.filename)
        db.session.commit()
        return doc

    @blp.route(rule, methods=["GET"])
    @blp.response(200, schema(many=True))
    @authenticated
    def list_documents(**ids):
        """The case's documents (hidden ones left out)."""
        return documents.listed(visible_case(ids[case_param], api_user()))

    @blp.route(rule + "/<int:document_id>", methods=["GET"])
    @blp.response(200, {"format": "binary", "type": "string"}, content_type="application/octet-stream",
                  description="the file (PDF or image)")
    @authenticated
    def get_document(document_id, **ids):
        """The file, to who may see the case only."""
        return documents.send(documents.get(visible_case(ids[case_param], api_user()), document_id))

    @blp.route(rule + "/<int:document_id>", methods=["DELETE"])
    @blp.response(204)
    @authenticated
    def delete_document(document_id, **ids):
        """Hide the document (kept for the record, audited)."""
        user = api_user()
        documents.hide(visible_case(ids[case_param], user), document_id, user)
        db.session.commit()
        return ""


def document_pages(bp, rule: str, documents: CaseDocuments, case_or_404: Callable, case_endpoint: str) -> None:
    """Mount the page routes of a case's documents on a web blueprint: ``POST <rule>`` adds one
    (endpoint ``add_document``), ``POST <rule>/<document_id>/hide`` hides one
    (``hide_document``), ``GET <rule>/<document_id>`` serves the file (``document_file``).
    ``case_or_404(case_id)`` answers the visible case (or aborts 404); a refusal is a message
    on the case's page (``case_endpoint``), where ``templates/_documents.html`` shows the card."""
    (case_param,) = _VARIABLE.findall(rule)

    def _step(case_id, run, done):
        return case_step(run, done, url_for(case_endpoint, **{case_param: case_id}))

    @bp.route(rule, methods=["POST"], endpoint="add_document")
    @login_required
    def add_document(**ids):
        """A scan kept on the case; a refused file is a message on the case page."""
        case = case_or_404(ids[case_param])
        upload = request.files.get("file")
        return _step(case.id, lambda: documents.add(case, current_user, upload.read() if upload else b"",
                                                    upload.filename if upload else None), gettext("Document kept."))

    @bp.route(rule + "/<int:document_id>/hide", methods=["POST"], endpoint="hide_document")
    @login_required
    def hide_document(document_id, **ids):
        case = case_or_404(ids[case_param])
        return _step(case.id, lambda: documents.hide(case, document_id, current_user),
                     gettext("Document deleted (kept in the audit trail)."))

    @bp.route(rule + "/<int:document_id>", endpoint="document_file")
    @login_required
    def document_file(document_id, **ids):
        try:
            return documents.send(documents.get(case_or_404(ids[case_param]), document_id))
        except PortalError:
            abort(404)


def case_step(run: Callable, done: str, back_to: str):
    """Run one change of a case from a page and commit, then go back to ``back_to`` with
    ``done`` as the message; a refusal rolls back and is the message instead (404 stays 404)."""
    try:
        run()
        db.session.commit()
    except PortalError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        fields_ = [gettext(str(m)) for ms in (exc.details or {}).values() if isinstance(ms, list) for m in ms]
        flash(" ".join(fields_) or gettext(exc.message), "warning")
    else:
        flash(done, "success")
    return redirect(back_to)
