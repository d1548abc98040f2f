"""The per-thread `request` and `response` objects that 0.x code uses as globals."""

from __future__ import annotations

import threading
from typing import Any, Callable


class _PerThread(threading.local):
    """An object whose attributes belong to the current thread (the request being served).

    The server replaces all attributes at the start of every request, so nothing
    leaks from one request to the next served by the same thread.
    """

    def reset(self, **attributes: object) -> None:
        """Forget every attribute and set `attributes` instead."""
        self.__dict__.clear()
        self.__dict__.update(attributes)


class RequestState(_PerThread):
    """`request`: filled by the server for each request (spec §15).

    Members that cost something to build (`headerMap`, `simpleCookie`, `browserUrl`,
    `sessionMap`, ...) are computed on first use from the WSGI environ, through the
    functions registered in `lazy` by the runtime.
    """

    lazy: dict[str, Callable[["RequestState"], Any]] = {}

    def __getattr__(self, name: str) -> Any:
        make = RequestState.lazy.get(name)
        if make is None or "_environ" not in self.__dict__:
            raise AttributeError(f"request has no attribute {name!r}")
        value = make(self)
        setattr(self, name, value)
        return value


class ResponseState(_PerThread):
    """`response`: what the server will send (spec §15).

    `headerMap` is built on first use (from `defaults`, registered by the runtime), so
    that a page which never touches it costs nothing; so is `simpleCookie`.
    """

    defaults: Callable[["ResponseState"], dict[str, Any]] | None = None

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__
        if "_protocol" in state:  # inside a request
            if name == "headerMap" and ResponseState.defaults is not None:
                state["headerMap"] = headers = ResponseState.defaults(self)
                return headers
            if name == "simpleCookie":
                from http.cookies import SimpleCookie

                state["simpleCookie"] = cookie = SimpleCookie()
                return cookie
            if name == "sendResponse":
                return 1
        raise AttributeError(f"response has no attribute {name!r}")


request = RequestState()
response = ResponseState()
