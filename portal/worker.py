"""The background worker (后台任务): one Huey queue for the portal.

Storage: Redis when ``WORKER_REDIS_URL`` is set (production: several web processes, one or
more consumers); otherwise an embedded SQLite file in the instance folder
(``WORKER_SQLITE_FILE``, default ``instance/worker.sqlite3``: one machine, ``make run``).
``WORKER_MODE = "memory"`` keeps tasks in this process and never runs them (the test suite,
which runs what it needs through a real consumer); ``"immediate"`` runs each task when it is
enqueued (a single-process tool).

Tasks: ``portal.deliver_webhooks`` — enqueued when a change queued webhook deliveries, so the
first attempt leaves within seconds; ``portal.run_jobs`` — the scheduled jobs of every area
(``portal_scheduled_jobs``: retries of deliveries, closing lots, the weekly summary …) every
``WORKER_JOBS_MINUTES`` minutes; ``portal.import_price_list`` — a price list parsed and checked
away from the request (plugins add tasks through :func:`task`).

The consumer process: ``huey_consumer portal.worker_main.huey`` (``make run`` starts it).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app, has_app_context

if TYPE_CHECKING:
    from huey import Huey

log = logging.getLogger(__name__)
_TASKS: dict[str, tuple] = {}     # name → (function, options): registered on every app's queue


def task(name: str, **options):
    """Declare a background task by a stable name; ``fn(*args)`` runs inside the app context."""
    def decorator(fn):
        _TASKS[name] = (fn, options)
        return fn
    return decorator


def build(app: Flask) -> Huey:
    from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

    cfg = app.config
    mode = cfg.get("WORKER_MODE") or ("redis" if cfg.get("WORKER_REDIS_URL") else "sqlite")
    name = cfg.get("WORKER_QUEUE_NAME") or "claims-portal"
    if mode == "redis":
        huey = RedisHuey(name, url=cfg["WORKER_REDIS_URL"], results=False)
    elif mode == "sqlite":
        path = Path(cfg.get("WORKER_SQLITE_FILE") or Path(app.instance_path) / "worker.sqlite3")
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(path), results=False)
    elif mode in ("memory", "immediate"):
        huey = MemoryHuey(name, results=False, immediate=mode == "immediate")
    else:
        raise ValueError(f"WORKER_MODE: unknown {mode!r} (redis, sqlite, memory, immediate)")
    huey.portal_mode = mode

    def in_app(fn):
        def run(*args):
            if has_app_context() and current_app._get_current_object() is app:
                return fn(*args)
            with app.app_context():
                try:
                    return fn(*args)
                finally:
                    from .extensions import db

                    db.session.remove()
        run.__name__ = fn.__name__
        return run

    app.extensions["portal_tasks"] = {}
    for task_name, (fn, options) in _TASKS.items():
        app.extensions["portal_tasks"][task_name] = huey.task(name=task_name, **options)(in_app(fn))
    minutes = max(1, int(cfg.get("WORKER_JOBS_MINUTES") or 5))
    huey.periodic_task(crontab(minute=f"*/{minutes}"), name="portal.run_jobs")(in_app(run_jobs))
    return huey


def enqueue(name: str, *args) -> bool:
    """Put a task on the queue; ``False`` (logged) when the queue cannot be reached — the
    periodic jobs then do the work later, nothing is lost."""
    tasks = current_app.extensions["portal_tasks"]
    if name not in tasks:
        raise KeyError(f"unknown task {name!r}")
    try:
        tasks[name](*args)
    except Exception:  # noqa: BLE001 - a queue outage never fails the user's action
        log.exception("could not enqueue %s", name)
        return False
    return True


def run_jobs(only: str | None = None) -> list[tuple[str, str]]:
    """Every area's scheduled jobs, in the app context; a failing job is logged and the next
    one runs. Returns ``[(name, result)]``."""
    from .extensions import db
    from .plugins import flatten, hook

    out = []
    for name, job in flatten(hook().portal_scheduled_jobs()):
        if only and name != only:
            continue
        try:
            result = job()
        except Exception as exc:  # noqa: BLE001 - report and go on with the next job
            db.session.rollback()
            current_app.logger.exception("job %s failed", name)
            result = f"FAILED {exc}"
        out.append((name, str(result)))
    return out


@task("portal.deliver_webhooks")
def deliver_webhooks():
    from .ops.webhooks import deliver_due

    return deliver_due()
