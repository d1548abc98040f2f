"""Fills `request` from a WSGI environ (spec §15): path, parameters, body, headers, cookies."""

from __future__ import annotations

import socket
import xmlrpc.client
from http.cookies import CookieError, SimpleCookie
from typing import Any

from cheroot.errors import MaxSizeExceeded

from .context import RequestState, request
from .forms import BAD_ESCAPE, BadRequest, parse_multipart, parse_query, parse_urlencoded


class PayloadTooLarge(BadRequest):
    """The request body is larger than `[server] maxRequestBodySize`: 413."""


def begin(environ: dict[str, Any], app: Any) -> None:
    """Reset `request` for a new request: method, path, query parameters."""
    state = request.__dict__
    state.clear()
    state.update(
        _environ=environ, _app=app, method=environ["REQUEST_METHOD"], path="", paramMap={},
        paramTuple=(), isXmlRpc=0, parsePostData=1,
    )
    path = environ.get("PATH_INFO", "")
    uri = environ.get("REQUEST_URI", "")
    if "%" in uri and BAD_ESCAPE.search(uri.partition("?")[0]):
        raise BadRequest("bad percent escape in the path")
    if not path.isascii():  # WSGI gives the bytes as latin-1: read them as UTF-8
        try:
            path = path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            raise BadRequest("the path is not UTF-8 once percent-decoded") from None
    if path.startswith("/"):
        path = path[1:]
    if path.endswith("/"):
        path = path[:-1]
    state["path"] = path
    query = environ.get("QUERY_STRING", "")
    if query:
        parse_query(query.replace("&amp;", "&"), state["paramMap"])


def _base(state: RequestState) -> str:
    """`request.base`: `http://` (or `https://`) and the Host header (spec §15)."""
    environ = state._environ
    host = environ.get("HTTP_HOST") or _server_address(environ)
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


def _server_address(environ: dict[str, Any]) -> str:
    name = environ.get("SERVER_NAME", "localhost")
    port = environ.get("SERVER_PORT", "")
    default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
    return name if not port or port == default else f"{name}:{port}"


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The whole request body, refused (413) when it is larger than `limit` bytes."""
    length_text = environ.get("CONTENT_LENGTH") or ""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length_text:
        try:
            length = int(length_text)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if length < 0:
            raise BadRequest("Content-Length is negative")
        if length > limit:
            raise PayloadTooLarge(f"the request body is larger than {limit} bytes")
        body = stream.read(length) if length else b""
        if len(body) < length:
            raise BadRequest("the request body is shorter than its Content-Length")
        return body
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        try:
            body = stream.read(limit + 1)
        except ValueError:  # cheroot: a bad chunk size or chunk end
            raise BadRequest("malformed chunked request body") from None
        except (OSError, MaxSizeExceeded):  # cheroot's own limit, the same as ours
            raise PayloadTooLarge(f"the request body is larger than {limit} bytes") from None
        if len(body) > limit:
            raise PayloadTooLarge(f"the request body is larger than {limit} bytes")
        return body
    return b""


def parse_body(body: bytes, content_type: str, xmlrpc_enabled: bool) -> None:
    """Add the parameters of a POST body to `request` (forms, uploads or an XML-RPC call)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        parse_multipart(body, content_type, request.paramMap, request.filenameMap,
                        request.fileTypeMap)
    elif kind == "application/x-www-form-urlencoded" or (not kind and body):
        parse_urlencoded(body, request.paramMap)
    elif kind == "text/xml" and xmlrpc_enabled and body:
        _parse_xmlrpc(body)


def _parse_xmlrpc(body: bytes) -> None:
    """An XML-RPC call: path = URL path (not /RPC2) + the dotted method name (spec §20)."""
    try:
        params, method = xmlrpc.client.loads(body, use_builtin_types=True)
    except Exception:  # not an XML-RPC call: the body stays unparsed, as in 0.10
        return
    if not method:
        return
    base = "" if request.path in ("", "RPC2") else request.path
    request.path = "/".join(filter(None, [base, *method.split(".")]))
    request.paramTuple = params
    request.isXmlRpc = 1


# ---- members computed on first use ------------------------------------------------------


def _header_map(state: RequestState) -> dict[str, str]:
    environ = state._environ
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = value
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = environ["CONTENT_LENGTH"]
    address = environ.get("REMOTE_ADDR", "")
    headers["remote-addr"] = address
    headers["remote-host"] = address
    if state._app.config.reverse_dns and address:
        try:
            headers["remote-host"] = socket.gethostbyaddr(address)[0]
        except OSError:
            pass
    return headers


def _simple_cookie(state: RequestState) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    text = state._environ.get("HTTP_COOKIE", "")
    if text:
        try:
            cookie.load(text)
        except CookieError:
            pass  # an unparsable Cookie header carries no cookies
    return cookie


def _browser_url(state: RequestState) -> str:
    environ = state._environ
    uri = environ.get("REQUEST_URI")
    if not uri:
        query = environ.get("QUERY_STRING", "")
        uri = environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
    return state.base + uri


def _peer_certificate(state: RequestState) -> dict[str, str] | None:
    """The client certificate fields (`SSL_CLIENT_*`, PEM in `SSL_CLIENT_CERT`), if any."""
    environ = state._environ
    if environ.get("SSL_CLIENT_VERIFY") != "SUCCESS":
        return None
    return {key: value for key, value in environ.items() if key.startswith("SSL_CLIENT_")}


def _no_sessions(state: RequestState) -> Any:
    raise AttributeError(
        "request.sessionMap: sessions are not enabled; set [session] storageType to ram, "
        "file, cookie or custom in the configuration file")


RequestState.lazy.update(
    # Members with a default, made on first use: most pages never read them.
    filenameMap=lambda state: {}, fileTypeMap=lambda state: {}, isStaticFile=lambda state: 0,
    cacheKey=lambda state: None, cacheExpire=lambda state: None, body=lambda state: b"",
    rfile=lambda state: state._environ.get("wsgi.input"),
    base=_base, headerMap=_header_map, simpleCookie=_simple_cookie, browserUrl=_browser_url,
    peerCertificate=_peer_certificate, sessionMap=_no_sessions,
)
