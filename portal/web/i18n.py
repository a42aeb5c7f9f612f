"""Languages: Simplified Chinese by default, English on request, per user.

Each area keeps its catalog as ``translations/<locale>/LC_MESSAGES/messages.po``; the
``.mo`` files are compiled from them at start-up when missing or older."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, request, session
from flask_babel import gettext as _

from ..plugins import flatten

CORE_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def compile_catalogs(directories: list[str]) -> None:
    for directory in directories:
        for po_path in Path(directory).glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            # Babel's compiler only when a catalog changed
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po

            with po_path.open("rb") as f:
                catalog = read_po(f)
            tmp = mo_path.with_suffix(".mo.tmp")
            with tmp.open("wb") as f:
                write_mo(f, catalog)
            tmp.replace(mo_path)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    from ..auth.current import current_actor

    user = current_actor() if request else None
    if user is not None and user.locale in languages:
        return user.locale
    lang = session.get("lang") if request else None
    if lang in languages:
        return lang
    if request and request.args.get("lang") in languages:
        return request.args["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_babel(app, babel, pm) -> None:
    dirs = [str(CORE_TRANSLATIONS)] + [str(d) for d in flatten(pm.hook.portal_translation_dirs())]
    compile_catalogs(dirs)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(dirs)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Shanghai")
    # The locale is chosen per request (the user's or the session's choice).
    app.before_request(refresh_locale)


def refresh_locale():
    from flask_babel import refresh

    refresh()


def status_title(status: int) -> str:
    titles = {
        400: _("The request could not be read"),
        401: _("Please log in"),
        403: _("Not allowed"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("The record changed"),
        413: _("The upload is too large"),
        422: _("Please check the data"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("Temporarily unavailable"),
    }
    return titles.get(status, _("Error"))
