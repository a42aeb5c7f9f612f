"""Carry a service's :class:`portal.errors.Invalid` onto a WTForms form's fields."""
from __future__ import annotations

from flask_babel import gettext

from ..errors import Invalid


def apply_errors(form, exc: Invalid) -> None:
    """Each message in the reader's language: services write English (the API's language);
    a page shows the catalogs' translation where there is one."""
    for name, messages in (exc.details or {}).items():
        field = getattr(form, name, None)
        msgs = [gettext(str(m)) for m in (messages if isinstance(messages, list) else [messages])]
        if field is not None:
            field.errors = list(field.errors or []) + msgs
        else:
            form.form_errors.extend(msgs)
