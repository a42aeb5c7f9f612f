"""Command line: ``flask --app portal ...``."""
from __future__ import annotations

import click
from flask import current_app, g
from flask.cli import with_appcontext


class MigrationCommands(click.Group):
    """The ``db`` group: Flask-Migrate (and Alembic under it) is imported when a ``db`` command
    is asked for, never at start-up of the other commands (issue 26)."""

    def _load(self) -> None:
        if getattr(self, "_loaded", False):
            return
        from flask_migrate import cli as migrate_cli

        for name, command in migrate_cli.db.commands.items():
            if name not in self.commands:   # our own ``upgrade`` stays
                self.add_command(command, name)
        self._loaded = True

    def list_commands(self, ctx):
        self._load()
        return super().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        self._load()
        return super().get_command(ctx, cmd_name)


@click.group("db", cls=MigrationCommands)
@click.option("-d", "--directory", default=None, help="Migration script directory.")
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by env.py.")
@with_appcontext
def db_group(directory, x_arg):
    """Database migrations (Alembic; one history, a branch per plugin)."""
    from .app import attach_migrations

    attach_migrations(current_app._get_current_object())
    g.directory = directory
    g.x_arg = x_arg


@db_group.command("upgrade")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
@click.argument("revision", default="heads")
@with_appcontext
def upgrade_command(sql, revision):
    """Bring the database to the current schema: the core and every enabled plugin
    (``heads``: every branch's head)."""
    from flask_migrate import upgrade

    upgrade(directory=g.get("directory"), revision=revision, sql=sql)


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=False)
@click.option("--name", default="Administrator")
@with_appcontext
def create_admin_command(email, password, name):
    """Create the insurer organization (if none) and an admin with unlimited authority."""
    from .auth.services import ensure_admin
    from .errors import PortalError

    try:
        user, created = ensure_admin(email, password, name)
    except PortalError as exc:
        raise click.ClickException(f"{exc.message} {exc.details or ''}".strip()) from None
    click.echo(f"{'created' if created else 'exists'}: admin {user.email} (id {user.id})")


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo data set (idempotent)."""
    from .demo import load_demo

    summary = load_demo()
    for line in summary:
        click.echo(line)


@click.command("run-jobs")
@click.option("--only", default=None, help="Run only the job with this name.")
@with_appcontext
def run_jobs_command(only):
    """Run the periodic jobs now (the worker runs them every WORKER_JOBS_MINUTES minutes)."""
    from .worker import run_jobs

    for name, result in run_jobs(only):
        click.echo(f"{name}: {result}")


CORE_COMMANDS = [create_admin_command, demo_command, run_jobs_command]
