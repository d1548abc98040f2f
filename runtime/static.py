"""Static content: `[staticContent]` URL prefixes served from folders (spec §17, DESIGN §3)."""

from __future__ import annotations

import mimetypes
import os
import stat
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any, Iterator

from .responsedata import http_date

CHUNK = 256 * 1024
#: Files up to this size are read at once; larger ones are streamed.
WHOLE_FILE_LIMIT = 1024 * 1024
_EXTRA_TYPES = {".dwg": "image/x-dwg", ".ico": "image/x-icon"}


class StaticFiles:
    """Finds the file for a request path, never outside its configured folder."""

    def __init__(self, mapping: tuple[tuple[str, str], ...]) -> None:
        # Longest prefixes first, so that `img/icons` wins over `img`.
        self.mapping = sorted(
            ((prefix, os.path.realpath(directory)) for prefix, directory in mapping),
            key=lambda item: -len(item[0]),
        )

    def match(self, path: str) -> tuple[str, str] | None:
        """(folder, rest of the path) when `path` is under a static prefix."""
        for prefix, directory in self.mapping:
            if path == prefix or path.startswith(prefix + "/") or not prefix:
                return directory, path[len(prefix) :].lstrip("/")
        return None

    @staticmethod
    def resolve(directory: str, rest: str) -> str | None:
        """The real path of `rest` inside `directory`, or None (missing, or outside it)."""
        if "\x00" in rest or "\\" in rest:
            return None
        target = os.path.realpath(os.path.join(directory, rest))
        if target != directory and not target.startswith(directory + os.sep):
            return None
        return target


def content_type(path: str) -> str:
    """The MIME type from the last extension (`text/plain` when unknown, as in 0.10)."""
    extension = os.path.splitext(path)[1].lower()
    if extension in _EXTRA_TYPES:
        return _EXTRA_TYPES[extension]
    kind, encoding = mimetypes.guess_type(path, strict=False)
    if encoding:  # .gz, .bz2: the file is sent as it is, not decoded by the browser
        return "application/octet-stream"
    kind = kind or "text/plain"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    return kind


def not_modified_since(header: str, mtime: float) -> bool:
    """Whether `If-Modified-Since: header` allows a 304 for a file modified at `mtime`.

    The header is compared as a date; one that does not parse, or lies in the future,
    is ignored (DESIGN.md §3).
    """
    try:
        when = parsedate_to_datetime(header)
        if when.tzinfo is None:  # asctime and "-0000" dates are GMT (RFC 9110 §5.6.7)
            when = when.replace(tzinfo=timezone.utc)
        since = when.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    import time

    if since > time.time():
        return False
    return int(mtime) <= since


def open_file(path: str) -> tuple[Any, os.stat_result] | None:
    """Open a regular file for reading (None if it is missing or not a regular file)."""
    try:
        handle = open(path, "rb")
    except OSError:
        return None
    info = os.fstat(handle.fileno())
    if not stat.S_ISREG(info.st_mode):
        handle.close()
        return None
    return handle, info


def file_headers(path: str, info: os.stat_result) -> dict[str, Any]:
    return {
        "content-type": content_type(path),
        "last-modified": http_date(info.st_mtime),
        "content-length": info.st_size,
    }


def read_chunks(handle: Any) -> Iterator[bytes]:
    """Stream a file in chunks, closing it at the end."""
    try:
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                return
            yield chunk
    finally:
        handle.close()
