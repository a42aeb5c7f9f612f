"""``Idempotency-Key`` on POST: the same key, user and body within 24 hours returns the
first response and creates nothing new; the same key with another body → 422
``idempotency_mismatch``. Bodies are compared as what they mean, so a client's retry that
serialises again still matches: JSON as canonical JSON (sorted keys, no whitespace), a
multipart form as its fields plus each file's name and SHA-256; any other body byte for byte. The key row is claimed in its own committed transaction
before the view runs, so two parallel requests with one key cannot both create; the second
waits for the first's answer and replays it."""
from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, current_app, g, request
from sqlalchemy.exc import IntegrityError

from ..errors import Invalid, InvalidState
from ..extensions import db
from ..timeutil import utcnow
from .models import IdempotencyKey

WINDOW = timedelta(hours=24)


def _canonical_body() -> bytes:
    """The body as it means: canonical JSON, a form's fields and files' digests, else the bytes."""
    mimetype = request.mimetype or ""
    if mimetype == "multipart/form-data" or mimetype == "application/x-www-form-urlencoded":
        fields = sorted([name, value] for name, values in request.form.lists() for value in values)
        files = []
        for name, storage in request.files.items(multi=True):
            digest = hashlib.sha256()
            for chunk in iter(lambda: storage.stream.read(1 << 16), b""):
                digest.update(chunk)
            storage.stream.seek(0)
            files.append([name, storage.filename or "", digest.hexdigest()])
        return json.dumps({"form": fields, "files": sorted(files)}, ensure_ascii=False,
                          separators=(",", ":")).encode()
    raw = request.get_data(cache=True)
    if request.is_json:
        try:
            parsed = json.loads(raw)
        except ValueError:   # the view answers the bad body; compare it as sent
            return raw
        return json.dumps(parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return raw


def _request_hash() -> str:
    h = hashlib.sha256()
    h.update(request.method.encode())
    h.update(request.path.encode())
    h.update(b"\0")
    h.update(_canonical_body())
    return h.hexdigest()


def before_request():
    key = request.headers.get("Idempotency-Key")
    user = g.get("api_user")
    if request.method != "POST" or not key or user is None:
        return None
    if len(key) > 200:
        raise Invalid.field("Idempotency-Key", "At most 200 characters.")
    digest = _request_hash()
    cutoff = utcnow() - WINDOW
    db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.user_id == user.id,
                                                       IdempotencyKey.key == key,
                                                       IdempotencyKey.created_at < cutoff))
    row = IdempotencyKey(user_id=user.id, key=key, request_hash=digest)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(sa.select(IdempotencyKey).where(
            IdempotencyKey.user_id == user.id, IdempotencyKey.key == key))
        if existing is None:  # expired between the two statements: treat as new
            raise InvalidState("Idempotency key is being reused; retry.")
        if existing.request_hash != digest:
            raise Invalid({"Idempotency-Key": ["Used before with a different request."]},
                          message="This Idempotency-Key was used with a different request.",
                          code="idempotency_mismatch")
        if existing.status_code is None:   # the first is still running: wait for its answer, then replay it
            existing = _wait_for_first(user.id, key)
            if existing is None:
                raise InvalidState("A request with this Idempotency-Key is still in progress.")
        response = Response(existing.response_body, status=existing.status_code,
                            content_type=existing.content_type)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    g.idempotency_row_id = row.id
    return None


def _wait_for_first(user_id: int, key: str):
    """Poll (with a growing pause, up to ``IDEMPOTENCY_WAIT_SECONDS``) until the first request
    with this key has answered; None when it has not (or it failed and its row went away)."""
    deadline = time.monotonic() + float(current_app.config.get("IDEMPOTENCY_WAIT_SECONDS", 10))
    pause = 0.02
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
        db.session.rollback()   # a fresh snapshot
        row = db.session.scalar(sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                                IdempotencyKey.key == key))
        if row is None:
            return None
        if row.status_code is not None:
            return row
    return None


def withhold_on_replay(*fields: str) -> None:
    """The answer of this request carries a secret (``fields``) shown once: the stored replay
    holds everything else and says the secret was withheld (security review M7: no secret in
    the idempotency table, nor in a copy of the database)."""
    g.idempotency_withhold = fields


def _stored_body(response) -> bytes:
    fields = g.pop("idempotency_withhold", None)
    body = response.get_data()
    if not fields:
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return b""
    if isinstance(data, dict):
        for name in fields:
            if name in data:
                data[name] = None
        data["withheld_on_replay"] = list(fields)
    return json.dumps(data, ensure_ascii=False).encode()


def after_request(response):
    row_id = g.pop("idempotency_row_id", None)
    if row_id is None:
        return response
    if response.status_code >= 500:
        db.session.rollback()
        db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.id == row_id))
    else:
        db.session.execute(sa.update(IdempotencyKey).where(IdempotencyKey.id == row_id).values(
            status_code=response.status_code, response_body=_stored_body(response),
            content_type=response.content_type))
    db.session.commit()
    return response
