"""The consumer's entry: ``huey_consumer portal.worker_main.huey`` builds the application
(configuration, plugins, database) once and serves its queue (see portal/worker.py)."""
from __future__ import annotations

from . import create_app

app = create_app()
huey = app.extensions["huey"]
