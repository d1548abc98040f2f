"""The per-thread `request` and `response` objects that 0.x code uses as globals."""

from __future__ import annotations

import threading


class _PerThread(threading.local):
    """An object whose attributes belong to the current thread (the request being served).

    The server replaces all attributes at the start of every request, so nothing
    leaks from one request to the next served by the same thread.
    """

    def reset(self, **attributes: object) -> None:
        """Forget every attribute and set `attributes` instead."""
        self.__dict__.clear()
        self.__dict__.update(attributes)


request = _PerThread()
response = _PerThread()
