"""The answer to a change (变更的应答), read and dumped inside the change's transaction.

A view that changes a record and answers with the record would otherwise commit, then
read it back in a second transaction — on SQLite a second wait for the write lock, under
load the larger part of a write's time. :func:`committed` dumps the answer first, then
commits: one transaction per change, and an answer that is exactly what was committed.
"""
from __future__ import annotations

from flask import current_app

from ..extensions import db


def committed(schema, obj, status: int = 200):
    """Dump ``obj`` with ``schema``, commit the session, answer the JSON with ``status``.
    A failing commit raises before anything is answered (the error envelope follows)."""
    body = schema.dump(obj)
    db.session.commit()
    response = current_app.json.response(body)
    response.status_code = status
    return response
