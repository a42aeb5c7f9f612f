"""The error envelope: ``{"error": {"code", "message", "details"}}``, never a 500 for bad input."""
from __future__ import annotations

import logging

from flask import Response, jsonify, render_template, request
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from ..errors import PortalError
from .blueprint import API_PREFIX

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "invalid_state", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "rate_limited", 503: "unavailable",
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX + "/") or request.path == API_PREFIX


def envelope(status: int, code: str, message: str, details: dict | None = None, headers=None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def _flatten_messages(messages) -> dict:
    """webargs: ``{"json": {"lines": {"3": {"unit_price": [...]}}}}`` → ``{"lines.3.unit_price": [...]}``:
    one shape of ``details`` everywhere, dotted field paths as the services' rules give them."""
    out: dict = {}
    for location, fields in (messages or {}).items():
        if isinstance(fields, dict):
            _dotted(fields, "", out)
        else:
            out[location] = fields if isinstance(fields, list) else [fields]
    return out


def _dotted(messages: dict, prefix: str, out: dict) -> None:
    for name, msgs in messages.items():
        path = prefix if name == "_schema" and prefix else f"{prefix}{name}"
        if isinstance(msgs, dict):
            _dotted(msgs, path + ".", out)
        else:
            out.setdefault(path.rstrip("."), []).extend(msgs if isinstance(msgs, list) else [msgs])


def _web_error(status: int, message: str):
    from ..glossary import for_reader
    from ..web.i18n import status_title

    return render_template("errors/error.html", status=status, title=status_title(status),
                           message=for_reader(message)), status


def handle_portal_error(exc: PortalError):
    from ..extensions import db

    db.session.rollback()
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    if exc.status == 429 and (exc.details or {}).get("retry_after_seconds"):
        headers["Retry-After"] = str(int(exc.details["retry_after_seconds"]))
    if is_api_request():   # the message in the Accept-Language asked (portal/glossary.py), the code never
        from ..glossary import in_caller_language

        return envelope(exc.status, exc.code, *in_caller_language(exc.message, exc.details), headers or None)
    body, status = _web_error(exc.status, exc.message)
    return body, status, headers


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    if isinstance(exc, SecurityError):  # an untrusted Host: no URL can be built for it
        return Response("Unknown host.", status=400, mimetype="text/plain")
    if not is_api_request():
        if status in (301, 302, 303, 307, 308):
            return exc
        return _web_error(status, exc.description)
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:
        from ..glossary import in_caller_language

        return envelope(422, "invalid", *in_caller_language("The data is not valid.", _flatten_messages(data["messages"])))
    if status == 400:
        message = "The request body is not valid JSON." if "JSON" in (exc.description or "") else exc.description
        return envelope(400, "bad_request", message)
    if status == 413:
        return envelope(413, "too_large", "The upload is larger than the limit.")
    code = HTTP_CODES.get(status, "error")
    allow = {"Allow": ", ".join(exc.valid_methods)} if status == 405 and getattr(exc, "valid_methods", None) else None
    return envelope(status, code, exc.description or exc.name, headers=allow)


UNAVAILABLE_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>503</title>
<body style="font-family:sans-serif;margin:4rem;text-align:center"><h1>系统暂时无法使用</h1>
<p>数据库暂时无法连接，请稍后再试。</p><p lang="en">The database is unavailable; please try again shortly.</p>
</body></html>"""


def handle_conflict(exc: IntegrityError):
    """Two requests raced to create the same thing (a unique key): 409, nothing written."""
    from ..extensions import db

    db.session.rollback()
    if is_api_request():
        return envelope(409, "invalid_state", "This conflicts with a record that exists already; reload and retry.")
    return _web_error(409, "This conflicts with a record that exists already; reload and retry.")


def handle_db_unavailable(exc: DBAPIError):
    from ..extensions import db

    if isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False):
        log.warning("database unavailable: %s", exc)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone anyway
            pass
        if is_api_request():
            return envelope(503, "unavailable", "The database is unavailable; try again shortly.",
                            headers={"Retry-After": "30"})
        # No template: rendering the layout would need the database again.
        return Response(UNAVAILABLE_PAGE, status=503, mimetype="text/html", headers={"Retry-After": "30"})
    return handle_unexpected(exc)  # logged, rolled back, the 500 envelope


def handle_unexpected(exc: Exception):
    log.exception("unhandled error")
    from ..extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001
        pass
    if is_api_request():
        return envelope(500, "internal_error", "Something went wrong on our side; it has been logged.")
    return _web_error(500, "Something went wrong on our side; it has been logged.")


def handle_out_of_range(exc):
    """A number or date the database cannot hold is bad input: 422, never a 500."""
    from ..extensions import db

    db.session.rollback()
    if is_api_request():
        return envelope(422, "invalid", "A value is out of range.", {"_request": [str(exc).splitlines()[0][:200]]})
    return _web_error(422, "A value is out of range.")


def register_error_handlers(app) -> None:
    app.register_error_handler(PortalError, handle_portal_error)
    app.register_error_handler(OverflowError, handle_out_of_range)
    app.register_error_handler(DataError, handle_out_of_range)
    app.register_error_handler(IntegrityError, handle_conflict)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_db_unavailable)
    if not app.config.get("PROPAGATE_UNEXPECTED"):
        app.register_error_handler(Exception, handle_unexpected)
