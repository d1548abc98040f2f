"""JSON over HTTP as the LeanEngine and LeanStorage routes answer it: CORS, bodies, errors."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, Callable, Iterable

from ..forms import BadRequest
from ..requestdata import PayloadTooLarge, read_body

STATUS_LINES = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}
CORS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Headers", ", ".join([
        "Content-Type", "X-AVOSCloud-Application-Id", "X-AVOSCloud-Application-Key",
        "X-AVOSCloud-Application-Production", "X-AVOSCloud-Client-Version",
        "X-AVOSCloud-Request-Sign", "X-AVOSCloud-Session-Token", "X-AVOSCloud-Super-Key",
        "X-Requested-With", "X-Uluru-Application-Id", "X-Uluru-Application-Key",
        "X-Uluru-Application-Production", "X-Uluru-Client-Version", "X-Uluru-Session-Token",
        "X-LC-Hook-Key", "X-LC-Id", "X-LC-Key", "X-LC-Prod", "X-LC-Session", "X-LC-Sign",
        "X-LC-UA",
    ])),
    ("Access-Control-Allow-Methods", "PUT, GET, POST, DELETE, OPTIONS"),
    ("Access-Control-Max-Age", "86400"),
]
ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
#: The headers of every JSON answer but the length (CORS, spec §12).
JSON_HEADERS = CORS + [("Content-Type", "application/json; charset=utf-8")]
MALFORMED_JSON = "Malformed json object. A json dictionary is expected."


class EngineError(Exception):
    """An answer other than success: HTTP status and the `{"code", "error"}` body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def send_json(start_response: Callable[..., Any], status: int, payload: str,
              extra: Iterable[tuple[str, str]] = ()) -> list[bytes]:
    """Answer `payload` (JSON text) with `status`, the JSON headers and `extra` ones."""
    data = payload.encode("utf-8")
    start_response(STATUS_LINES.get(status) or f"{status} Unknown",
                   JSON_HEADERS + list(extra) + [("Content-Length", str(len(data)))])
    return [data]


def preflight(start_response: Callable[..., Any], environ: dict[str, Any]) -> list[bytes]:
    """OPTIONS: the CORS answer, the request's Origin echoed, no body (spec §12)."""
    headers = [("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN") or "*")]
    start_response("200 OK", headers + CORS[1:] + [("Content-Length", "0")])
    return [b""]


def read_json(environ: dict[str, Any], max_size: int) -> Any:
    """The request's JSON body ({} when empty); EngineError 413/116 or 400/107 otherwise."""
    try:
        raw = read_body(environ, max_size)
    except PayloadTooLarge as exc:
        raise EngineError(413, 116, str(exc)) from None
    except BadRequest as exc:
        raise EngineError(400, 107, str(exc)) from None
    if not raw.strip():
        return {}
    try:
        try:
            return json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:  # json.loads also reads UTF-16 and UTF-32 bodies
            return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise EngineError(400, 107, MALFORMED_JSON) from None


def remote_address(environ: dict[str, Any], trusted_proxies: Any) -> str:
    """The caller's address: X-Real-IP / X-Forwarded-For only from trusted proxies (DESIGN §4)."""
    peer = environ.get("REMOTE_ADDR", "")
    if peer in trusted_proxies:
        forwarded = environ.get("HTTP_X_REAL_IP") or environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            return forwarded.strip()
    return peer
