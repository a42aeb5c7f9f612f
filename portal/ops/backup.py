"""``flask --app portal backup DEST`` and ``restore SRC``.

SQLite: the online backup API (a consistent copy while the portal runs). PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore --clean``. Uploaded files live in
``UPLOAD_FOLDER``; back that folder up with the same schedule (docs/operations.md).
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from ..extensions import db


def _libpq_url(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup_database(dest: Path) -> Path:
    url = make_url(str(db.engine.url.render_as_string(hide_password=False)))
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(dest)
        with target:
            source.backup(target)
        target.close()
        source.close()
    elif url.get_backend_name() == "postgresql":
        if not shutil.which("pg_dump"):
            raise click.ClickException("pg_dump is not installed")
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dest}", _libpq_url(url)],
                       check=True, capture_output=True)
    else:
        raise click.ClickException(f"no backup method for {url.get_backend_name()}")
    return dest


def restore_database(source: Path) -> None:
    url = make_url(str(db.engine.url.render_as_string(hide_password=False)))
    source = Path(source)
    if not source.exists():
        raise click.ClickException(f"{source} does not exist")
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        backup = sqlite3.connect(source)
        live = sqlite3.connect(url.database)
        with live:
            backup.backup(live)
        live.close()
        backup.close()
    elif url.get_backend_name() == "postgresql":
        if not shutil.which("pg_restore"):
            raise click.ClickException("pg_restore is not installed")
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        f"--dbname={_libpq_url(url)}", str(source)], check=True, capture_output=True)
    else:
        raise click.ClickException(f"no restore method for {url.get_backend_name()}")
    db.engine.dispose()


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(dest):
    """Write a consistent copy of the database to DEST."""
    path = backup_database(Path(dest))
    click.echo(f"backup written: {path} ({path.stat().st_size} bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source, yes):
    """Replace the database's content with the backup SOURCE."""
    if not yes:
        click.confirm("This replaces every record in the database. Continue?", abort=True)
    restore_database(Path(source))
    click.echo(f"restored from {source}")
