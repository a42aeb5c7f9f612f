"""The application factory (``create_app``)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, g
from werkzeug.routing import IntegerConverter, Rule

from . import db as database
from . import events
from .config import defaults_dict, install_plugin_defaults
from .extensions import bootstrap, csrf, db, login_manager
from .plugins import build_plugin_manager, flatten

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "portal" / "static"))
    app.extensions = Extensions(app, app.extensions)
    _configure(app, test_config)
    if int(app.config.get("PROXY_FIX_X_FOR") or 0) or int(app.config.get("PROXY_FIX_X_PROTO") or 0):
        # the real client address (and scheme) behind the configured number of trusted proxies
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config.get("PROXY_FIX_X_FOR") or 0),
                                x_proto=int(app.config.get("PROXY_FIX_X_PROTO") or 0))
    # Ids in URLs are database integers: anything beyond 32 bits is simply not found (404),
    # never an overflow deep in the driver.
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_rule_class = LazyBuilderRule

    @app.before_request
    def _fresh_g():
        """Per-request state never leaks between requests sharing an app context."""
        for key in ("_login_user", "api_user", "idempotency_row_id", "_flask_babel"):
            g.pop(key, None)

    from . import models  # noqa: F401 - the core's tables, before any plugin's

    pm = build_plugin_manager(app.config)
    app.extensions["portal_pm"] = pm
    install_plugin_defaults(app, pm)

    db.init_app(app)

    @app.teardown_appcontext   # runs before Flask-SQLAlchemy's own (teardowns run in reverse)
    def _end_session_even_in_an_outage(exc):
        """The end-of-request rollback on a connection that died (a database restart, a failover)
        must not turn an answered request into a bare 500 (security review L3): the pool drops
        the connection and the next request gets a fresh one."""
        import sqlalchemy as sa

        try:
            db.session.remove()
        except sa.exc.DBAPIError:
            app.logger.warning("database connection lost at the end of a request; it is dropped")
            db.session.registry.clear()
    database.install(app)
    from .cli import db_group

    app.cli.add_command(db_group, "db")   # Flask-Migrate itself is attached by the group (attach_migrations)
    login_manager.init_app(app)
    csrf.init_app(app)
    from .web.i18n import init_babel

    from flask_babel import Babel

    # One Babel per application: its translation cache must not be shared between apps
    # whose plugins (and so catalogs) differ.
    init_babel(app, Babel(), pm)
    bootstrap.init_app(app)
    events.install()

    from .api.blueprint import PortalApi
    from .api.errors import register_error_handlers
    from .api.setup import init_api
    from .web.setup import init_web

    register_error_handlers(app)
    api = PortalApi()  # one per application: each app documents its own plugins' routes
    app.extensions["portal_api"] = api
    init_api(app, api, pm)
    init_web(app, pm)
    for command in flatten(pm.hook.portal_cli_commands()):
        app.cli.add_command(command)
    return app   # the worker's queue is built when first asked for (Extensions)


class Extensions(dict):
    """``app.extensions``, where the worker's queue (``huey``, ``portal_tasks``) is built the first
    time it is asked for — after every plugin module declared its tasks — so that a command or a
    web process that never enqueues does not import Huey and its Redis and PostgreSQL clients."""

    def __init__(self, app: Flask, *args):
        super().__init__(*args)
        self.app = app

    def __missing__(self, key):
        if key not in ("huey", "portal_tasks"):
            raise KeyError(key)
        from .worker import build

        self["huey"] = build(self.app)   # also fills "portal_tasks"
        return self[key]


class LazyBuilderRule(Rule):
    """A URL rule whose ``url_for`` builders are compiled the first time it is built, not when it
    is added: werkzeug compiles two small functions per rule, for five hundred rules on every
    start, most of which a process never builds (issue 26)."""

    def _compile_builder(self, append_unknown: bool = True):
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        def build(rule, **values):
            builder = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)   # compiled once; the next build calls it directly
            return builder(**values)
        return build


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(defaults_dict())
    app.config.from_pyfile("portal.cfg", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'portal.sqlite3'}"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if isinstance(app.config.get("DISABLED_PLUGINS"), str):
        app.config["DISABLED_PLUGINS"] = [p.strip() for p in app.config["DISABLED_PLUGINS"].split(",") if p.strip()]
    production = app.config.get("ENV_NAME") == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("PORTAL_SECRET_KEY must be set in production")
        key_file = Path(app.instance_path) / ".secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            os.chmod(key_file, 0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    if production:   # whatever the proxy in front says (security review M4)
        app.config["SESSION_COOKIE_SECURE"] = True
        if not app.config.get("TRUSTED_HOSTS"):
            raise RuntimeError("PORTAL_TRUSTED_HOSTS must list the host names served in production")
    if isinstance(app.config.get("TRUSTED_HOSTS"), str):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in app.config["TRUSTED_HOSTS"].split(",") if h.strip()]


def attach_migrations(app: Flask) -> None:
    """Flask-Migrate on ``app``, attached once, when a ``db`` command runs (not at start-up)."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    migrate = Migrate()
    migrate.configure(_configure_alembic)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    from .cli import db_group

    app.cli.add_command(db_group, "db")   # ours again: init_app put Flask-Migrate's group there


def version_locations(app=None) -> list[str]:
    """The core's versions folder and every enabled plugin's (one Alembic history)."""
    from .plugins import hook

    return [str(MIGRATIONS / "versions")] + [str(d) for d in flatten(hook(app).portal_migration_dirs())]


def _configure_alembic(config):
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(version_locations()))
    return config


__all__ = ["create_app"]
