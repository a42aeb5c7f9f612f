"""Parts-suppliers settings (``PARTS_SUPPLIERS_*``)."""
from __future__ import annotations

DEFAULTS = {
    # a price file larger than this is imported in the background, with a progress page
    "PARTS_SUPPLIERS_IMPORT_BACKGROUND_BYTES": 2 * 1024 * 1024,
}
