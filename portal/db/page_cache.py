"""Dumped list pages kept beside the change marks they were read under (列表页缓存).

A busy list (the review queue) is asked for the same pages again and again between two
changes. :class:`PageCache` keeps, per worker process, the JSON of a page under its request
key together with the *marks* — a fingerprint the database renews in the same transaction
as every change of the rows behind the page (``portal/db/changes.py``) — and a
time after which the page would read differently even unchanged (a deadline passing makes
a quote overdue). A request reads the marks first, in its own transaction, and gets the
kept page only when they are the same and the time has not come: never an old page, only
work not done twice. Marks are read before the rows, so a page kept under a mark is never
older than that mark.

``PAGE_CACHE_SIZE`` (default 512 pages a worker; 0 turns it off).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import datetime

from cachetools import LRUCache
from flask import current_app

from ..timeutil import utcnow


class WorkerMemory:
    """What one worker keeps (a kept page, a kept principal): at most ``size`` values, the
    least recently used out first (``cachetools.LRUCache``), safe across threads; ``size``
    0 keeps nothing."""

    def __init__(self, size: int):
        self.size = size
        self._values = LRUCache(maxsize=max(size, 1))
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            return self._values.get(key)

    def put(self, key: Hashable, value) -> None:
        if self.size > 0:
            with self._lock:
                self._values[key] = value

    def drop(self, key: Hashable) -> None:
        with self._lock:
            self._values.pop(key, None)


class PageCache(WorkerMemory):
    """Request key → ``(marks, valid_until, body)``."""

    def get(self, key: Hashable, marks: Hashable, now: datetime) -> bytes | None:
        kept = super().get(key)
        if kept is None or kept[0] != marks or (kept[1] is not None and now >= kept[1]):
            return None
        return kept[2]

    def put(self, key: Hashable, marks: Hashable, valid_until: datetime | None, body: bytes) -> None:
        super().put(key, (marks, valid_until, body))


def app_page_cache(name: str) -> PageCache:
    """The application's cache named ``name`` (one per list), made on first use."""
    caches = current_app.extensions.setdefault("portal_page_caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, PageCache(int(current_app.config.get("PAGE_CACHE_SIZE", 512))))
    return cache


def cached_page(name: str, key: Hashable, marks: Hashable, build: Callable[[], tuple[dict, datetime | None]]):
    """The JSON response of a page: the kept one while ``marks`` are unchanged and its time
    has not come, else ``build()`` → ``(page, valid_until)``, dumped and kept."""
    cache = app_page_cache(name)
    now = utcnow()
    body = cache.get(key, marks, now)
    if body is None:
        page, valid_until = build()
        response = current_app.json.response(page)   # the same bytes as an uncached answer
        cache.put(key, marks, valid_until, response.get_data())
        return response
    return current_app.response_class(body, status=200, mimetype=current_app.json.mimetype)
