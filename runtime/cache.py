"""The page cache: responses kept under `request.cacheKey` until `request.cacheExpire` (spec §19)."""

from __future__ import annotations

import threading
import time
from typing import Any


class PageCache:
    """Whole responses (headers and body) in this process's memory."""

    def __init__(self, flush_minutes: float) -> None:
        self._pages: dict[Any, tuple[float, dict[str, Any], bytes]] = {}
        self._lock = threading.Lock()
        self.flush_every = flush_minutes * 60
        self._next_flush = time.time() + self.flush_every

    def get(self, key: Any) -> tuple[dict[str, Any], bytes] | None:
        found = self._pages.get(key)
        if found is None:
            return None
        expires, headers, body = found
        if expires < time.time():
            self._pages.pop(key, None)
            return None
        return dict(headers), body

    def put(self, key: Any, expires: float, headers: dict[str, Any], body: Any) -> None:
        """Keep a page; its cookies are not kept (they belong to the visitor who got it)."""
        if expires > time.time():
            kept = {name: value for name, value in headers.items() if name != "set-cookie"}
            self._pages[key] = (expires, kept, body)

    def maybe_flush(self, now: float) -> None:
        """Drop expired pages every `flushCacheDelay` minutes (0: never)."""
        if not self.flush_every or now < self._next_flush:
            return
        with self._lock:
            self._next_flush = now + self.flush_every
            for key in [k for k, (expires, _, _) in list(self._pages.items()) if expires < now]:
                self._pages.pop(key, None)
