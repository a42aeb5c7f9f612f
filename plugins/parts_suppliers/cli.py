"""``flask --app portal import-prices --supplier <id> FILE``: the same import as an
upload, with a progress bar on the bytes read; leaves the version pending."""
from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from portal.plugin import Organization, PortalError, db

from .pricefile import ProgressReader


def run_import(supplier_id: int, path: str, progress=None):
    """Import one file for a supplier and commit (the bench uses this too)."""
    from .price_import import import_price_list

    supplier = db.session.get(Organization, supplier_id)
    if supplier is None:
        raise click.ClickException(f"No organization {supplier_id}.")
    with open(path, "rb") as raw:
        stream = ProgressReader(raw, progress) if progress else raw
        try:
            pl = import_price_list(supplier, stream, os.path.basename(path), actor=None)
            db.session.commit()
        except PortalError:
            db.session.rollback()
            raise
    return pl


@click.command("import-prices")
@click.option("--supplier", "supplier_id", type=int, required=True, help="The supplier organization's id.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_prices_command(supplier_id, file):
    """Import a supplier's price list (CSV or XLSX); it stays pending until approved."""
    size = os.path.getsize(file)
    with click.progressbar(length=size, label="Reading price list", show_eta=True, show_percent=True) as bar:
        try:
            pl = run_import(supplier_id, file, progress=bar.update)
        except PortalError as exc:
            bar.render_finish()
            rows = (exc.details or {}).get("rows") or []
            for e in rows[:50]:
                click.echo(f"  row {e['row']}, {e['column']}: {e['message']}", err=True)
            if len(rows) > 50:
                click.echo(f"  ... and {len(rows) - 50} more", err=True)
            for key, msgs in (exc.details or {}).items():
                if key not in ("rows", "error_count"):
                    click.echo(f"  {key}: {' '.join(map(str, msgs))}", err=True)
            raise click.ClickException(f"{exc.message} Nothing was stored.") from None
    d = pl.diff_summary or {}
    click.echo(f"price list {pl.id}: version {pl.list_version}, {pl.rows} rows, pending approval "
               f"(added {d.get('added', 0)}, removed {d.get('removed', 0)}, up {d.get('up', 0)}, "
               f"down {d.get('down', 0)})")
