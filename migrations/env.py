"""Alembic environment: one history for the core (branch ``portal``) and a branch per
enabled plugin, whose version folders come from ``portal_migration_dirs``."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def render_item(type_, obj, autogen_context):
    """Render the portal's column types with their import."""
    from portal.money import Money
    from portal.timeutil import AwareDateTime

    if type_ == "type" and isinstance(obj, Money):
        autogen_context.imports.add("import portal.money")
        return "portal.money.Money()"
    if type_ == "type" and isinstance(obj, AwareDateTime):
        autogen_context.imports.add("import portal.timeutil")
        return "portal.timeutil.AwareDateTime()"
    return False


def run_migrations_offline():
    context.configure(url=str(db.engine.url), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args["render_item"] = render_item
    conf_args["render_as_batch"] = True
    conf_args["compare_type"] = True

    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
