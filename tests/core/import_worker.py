"""Runs the real price-list import (what ``flask import-prices`` runs) in its own
process and stalls half-way through the file, so a test can kill it mid-write."""
from __future__ import annotations

import os
import sys
import time


def main(supplier_id: int, path: str) -> None:
    from portal import create_app
    from plugins.parts_suppliers.cli import run_import

    size = os.path.getsize(path)
    read = 0

    def progress(n):
        nonlocal read
        read += n
        if read > size // 2:
            print("HALF", flush=True)
            time.sleep(120)  # killed here, with half the rows written and nothing committed

    app = create_app()
    with app.app_context():
        run_import(supplier_id, path, progress=progress)
    print("DONE", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
