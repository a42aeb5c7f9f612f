"""Forms and services: a service's :class:`portal.errors.Invalid` onto a form's fields, and
the one way a page runs a change (valid form → service → commit, nothing half-written)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from flask_babel import gettext

from ..errors import Invalid, PortalError
from ..extensions import db

DONE, REFUSED, INVALID = "done", "refused", "invalid"


def apply_errors(form, exc: Invalid) -> None:
    """Each message in the reader's language: services write English (the API's language);
    a page shows the catalogs' translation where there is one."""
    for name, messages in (exc.details or {}).items():
        field = getattr(form, name, None)
        msgs = [m.translated() if hasattr(m, "translated") else gettext(str(m))   # portal/glossary.py Message
                for m in (messages if isinstance(messages, list) else [messages])]
        if field is not None:
            field.errors = list(field.errors or []) + msgs
        else:
            form.form_errors.extend(msgs)


def run_form(form, change: Callable[[], Any], *, success: str | Callable[[Any], str],
             field_names: Callable[[str], str] | None = None, flash_refusals: bool = True) -> tuple[str, Any]:
    """Validate ``form`` and, when it is valid, call ``change()`` (a service) and commit.

    Returns ``(outcome, result)``:
    - ``DONE``: committed; ``success`` (a message, or a function of the result) is flashed;
    - ``INVALID``: the form is not valid, or the service refused a field — its messages are on
      the form's fields (``field_names`` maps a service's field to the form's); show the form
      again (422);
    - ``REFUSED``: the service refused for another reason (state, version, rights) — flashed;
      with ``flash_refusals=False`` such errors propagate instead (their 403/404/409 page).
    Either way nothing the service wrote stays behind unless it was ``DONE``."""
    if not form.validate_on_submit():
        return INVALID, None
    try:
        result = change()
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        if field_names is not None:
            exc.details = {field_names(k): v for k, v in (exc.details or {}).items()}
        apply_errors(form, exc)
        return INVALID, None
    except PortalError as exc:
        db.session.rollback()
        if not flash_refusals:
            raise
        flash(gettext(exc.message), "danger")
        return REFUSED, None
    flash(success(result) if callable(success) else success, "success")
    return DONE, result
