"""Request parameters: query strings, urlencoded and multipart bodies, parsed strictly.

Anything malformed (a bad percent escape, bytes that are not UTF-8, a broken multipart
body) raises `BadRequest`, which the server answers with 400.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PARAMETER = re.compile(
    r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))', re.DOTALL
)


class BadRequest(Exception):
    """The request is malformed; the client gets 400 with this message."""


Params = dict[str, Any]  # name -> str | bytes | list of them


def add(params: Params, name: str, value: Any) -> None:
    """Add a value; a repeated name collects its values in a list (spec §15)."""
    if name in params:
        old = params[name]
        if isinstance(old, list):
            old.append(value)
        else:
            params[name] = [old, value]
    else:
        params[name] = value


def _decode(text: str, what: str) -> str:
    if BAD_ESCAPE.search(text):
        raise BadRequest(f"bad percent escape in the {what}")
    try:
        return unquote_to_bytes(text.replace("+", " ")).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(f"the {what} is not UTF-8 once percent-decoded") from None


def parse_query(query: str, params: Params | None = None, what: str = "query string") -> Params:
    """Parse `a=1&b=2&a=3` into {'a': ['1', '3'], 'b': '2'}; blank values are kept."""
    params = {} if params is None else params
    if not query:
        return params
    for piece in query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        add(params, _decode(name, what), _decode(value, what))
    return params


def parse_urlencoded(body: bytes, params: Params) -> None:
    """An `application/x-www-form-urlencoded` body."""
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest("a urlencoded body must be ASCII (percent-encode the rest)") from None
    parse_query(text, params, "request body")


#: Only `\\` and `\"` are escapes in a quoted parameter (as in cgi.parse_header): browsers
#: send the backslashes of a Windows path (`C:\dir\a.txt`) as they are.
_UNESCAPE = re.compile(r'\\([\\"])')


def header_parameters(value: str) -> tuple[str, dict[str, str]]:
    """Split `form-data; name="a"; filename="b.txt"` into ('form-data', {...})."""
    main, _, rest = value.partition(";")
    found = {}
    for match in _PARAMETER.finditer(";" + rest):
        quoted, plain = match.group(2), match.group(3)
        found[match.group(1).lower()] = (
            _UNESCAPE.sub(r"\1", quoted) if quoted is not None else plain
        )
    return main.strip().lower(), found


def parse_multipart(
    body: bytes, content_type: str, params: Params, filenames: Params, filetypes: Params
) -> None:
    """A `multipart/form-data` body: fields as str, uploads as bytes (DESIGN.md §3).

    `filenames` and `filetypes` get the client's file name and MIME type of every
    field (`None` for ordinary fields), lists for repeated names, as in 0.10.
    """
    _, options = header_parameters(content_type)
    boundary = options.get("boundary", "")
    if not boundary or len(boundary) > 200:
        raise BadRequest("multipart body without a valid boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    position = body.find(delimiter)
    if position < 0:
        raise BadRequest("multipart body without its boundary")
    position += len(delimiter)
    separator = b"\r\n" + delimiter
    while True:
        if body.startswith(b"--", position):
            return  # the closing delimiter
        if not body.startswith(b"\r\n", position):
            raise BadRequest("malformed multipart body (no line break after a boundary)")
        start = position + 2
        header_end = body.find(b"\r\n\r\n", start)
        end = body.find(separator, start)
        if header_end < 0 or end < 0 or header_end > end:
            raise BadRequest("malformed or truncated multipart body")
        _add_part(body[start:header_end], body[header_end + 4 : end], params, filenames, filetypes)
        position = end + len(separator)


def _add_part(head: bytes, content: bytes, params: Params, filenames: Params,
              filetypes: Params) -> None:
    headers = {}
    for line in head.decode("utf-8", "replace").split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon:
            raise BadRequest("malformed header in a multipart body")
        headers[name.strip().lower()] = value.strip()
    disposition, options = header_parameters(headers.get("content-disposition", ""))
    if disposition != "form-data" or "name" not in options:
        raise BadRequest("multipart part without 'Content-Disposition: form-data; name=...'")
    name = options["name"]
    filename = options.get("filename")
    if filename is None:
        try:
            value: Any = content.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(f"form field {name!r} is not UTF-8") from None
        add(filenames, name, None)
        add(filetypes, name, None)
    else:
        value = content
        add(filenames, name, filename)
        add(filetypes, name, headers.get("content-type", "application/octet-stream"))
    add(params, name, value)
