"""Carry a service's :class:`portal.errors.Invalid` onto a WTForms form's fields."""
from __future__ import annotations

from ..errors import Invalid


def apply_errors(form, exc: Invalid) -> None:
    for name, messages in (exc.details or {}).items():
        field = getattr(form, name, None)
        msgs = messages if isinstance(messages, list) else [str(messages)]
        if field is not None:
            field.errors = list(field.errors or []) + [str(m) for m in msgs]
        else:
            form.form_errors.extend(str(m) for m in msgs)
