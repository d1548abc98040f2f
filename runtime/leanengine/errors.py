"""LeanEngineError: the error cloud code raises to answer a client with a code and status."""

from __future__ import annotations

from http import HTTPStatus

_HTTP_STATUSES = frozenset(int(s) for s in HTTPStatus)


class LeanEngineError(Exception):
    """An error for the client: `code` goes into the JSON body, `status` is the HTTP status.

    The rules of the official SDK (spec leanengine.md §10.4):

    - `LeanEngineError()` and `LeanEngineError("msg")`: code 400, status 400;
    - `LeanEngineError(2020, "m")`: code 2020, status 400 (2020 is no HTTP status);
    - `LeanEngineError(226, "m")`: code and status 226 (a code that is an HTTP status
      is reused as the status);
    - `LeanEngineError(status=404)`: code 1, status 404;
    - `LeanEngineError("msg", status=403)`: code 400, status 403.
    """

    def __init__(self, code: int | str | None = None, message: str = "error",
                 status: int | None = None) -> None:
        if isinstance(code, str):
            message, code = code, 400
        elif code is None:
            code = 1 if status is not None else 400
        if status is None:
            status = code if code in _HTTP_STATUSES else 400
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"LeanEngineError(code={self.code!r}, message={self.message!r}, status={self.status!r})"
