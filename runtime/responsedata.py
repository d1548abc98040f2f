"""`response`: its defaults (spec §15) and its conversion into a WSGI status, headers, body."""

from __future__ import annotations

import time
from email.utils import formatdate
from http import HTTPStatus
from typing import Any, Iterable, Iterator

from cherryc import __version__

from .context import ResponseState, response

SERVER_HEADER = f"cherryc/{__version__}"
_REASONS = {s.value: s.phrase for s in HTTPStatus}
_NOT_HEADERS = frozenset(("status", "protocolVersion", "content-length"))
_date_cache: tuple[int, str] = (0, "")


def http_date(moment: float | None = None) -> str:
    """An RFC 1123 date (`Sun, 06 Nov 1994 08:49:37 GMT`); now's is cached per second."""
    global _date_cache
    if moment is not None:
        return formatdate(moment, usegmt=True)
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def begin(protocol: str) -> None:
    """Reset `response` for a new request (its headerMap is made on first use)."""
    state = response.__dict__
    state.clear()
    state["_protocol"] = protocol
    state["body"] = ""


def default_headers(state: ResponseState) -> dict[str, Any]:
    """0.10's default `response.headerMap` (spec §15), made when a page first uses it."""
    return {
        "status": "200 OK", "protocolVersion": state._protocol,
        "content-type": "text/html; charset=utf-8", "server": SERVER_HEADER,
        "date": http_date(), "set-cookie": [], "content-length": 0,
    }


ResponseState.defaults = default_headers


def untouched_headers(length: int | None) -> list[tuple[str, str]]:
    """The headers of a response whose headerMap the page never touched."""
    headers = [("content-type", "text/html; charset=utf-8"), ("server", SERVER_HEADER),
               ("date", http_date())]
    if length is not None:
        headers.append(("content-length", str(length)))
    cookie = response.__dict__.get("simpleCookie")
    if cookie:
        headers.extend(("set-cookie", morsel.OutputString()) for morsel in cookie.values())
    return headers


_status_lines: dict[Any, str] = {}


def status_line(status: Any) -> str:
    """`status` as given (int 302, '302', '302 Found') -> a WSGI status with a reason."""
    try:
        return _status_lines[status]
    except (KeyError, TypeError):
        pass
    line = _make_status_line(status)
    if len(_status_lines) < 1000:
        _status_lines[status] = line
    return line


def _make_status_line(status: Any) -> str:
    text = str(status).strip()
    code, _, reason = text.partition(" ")
    if not code.isdigit() or len(code) != 3:
        raise ValueError(f"response.headerMap['status'] is not an HTTP status: {status!r}")
    return f"{code} {reason.strip() or _REASONS.get(int(code), 'Unknown')}"


class BodyError(TypeError):
    """A mask or view returned something that cannot be sent."""


def check_body(body: Any) -> None:
    """Raise BodyError if a mask or view returned something that cannot be sent."""
    if body.__class__ is str or isinstance(body, (str, bytes, bytearray, memoryview)):
        return
    body_chunks(body)


def body_chunks(body: Any) -> tuple[list[bytes] | None, Iterable[Any] | None]:
    """(whole body as one chunk, or None) and (a stream to send piece by piece, or None)."""
    if isinstance(body, str):
        return [body.encode("utf-8")], None
    if isinstance(body, (bytes, bytearray, memoryview)):
        return [bytes(body)], None
    if body is None:
        raise BodyError("the mask or view returned None: it must return a string, bytes or "
                        "an iterable of them")
    if isinstance(body, (dict, set, int, float)) or not hasattr(body, "__iter__"):
        raise BodyError(f"the mask or view returned a {type(body).__name__}: it must return "
                        "a string, bytes or an iterable of them")
    return None, body


def encode_stream(stream: Iterable[Any]) -> Iterator[bytes]:
    """Send a streamed body: each piece, str as UTF-8."""
    try:
        for piece in stream:
            if isinstance(piece, str):
                yield piece.encode("utf-8")
            elif isinstance(piece, (bytes, bytearray)):
                yield bytes(piece)
            else:
                raise BodyError(f"a streamed body yielded a {type(piece).__name__}")
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()


def header_list(headers: dict[str, Any], length: int | None) -> list[tuple[str, str]]:
    """The WSGI header list from `response.headerMap` (list values: one header each)."""
    out: list[tuple[str, str]] = []
    for name, value in headers.items():
        if name in _NOT_HEADERS:
            continue
        if value.__class__ is str:
            if "\n" in value or "\r" in value:
                raise ValueError(f"the value of header {name!r} contains a line break")
            out.append((name, value))
        elif isinstance(value, (list, tuple)):
            out.extend((name, _header_value(name, item)) for item in value)
        elif value is not None:
            out.append((name, _header_value(name, value)))
    declared = headers.get("content-length", 0)
    if declared not in (0, "0", None):
        out.append(("content-length", str(declared)))
    elif length is not None:
        out.append(("content-length", str(length)))
    simple_cookie = response.__dict__.get("simpleCookie")
    if simple_cookie:
        out.extend(("set-cookie", morsel.OutputString()) for morsel in simple_cookie.values())
    return out


def _header_value(name: str, value: Any) -> str:
    text = str(value)
    if "\n" in text or "\r" in text:
        raise ValueError(f"the value of header {name!r} contains a line break")
    return text
