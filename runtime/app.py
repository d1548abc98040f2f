"""Application: the WSGI callable that runs the request life cycle of spec §13.

Per request: read the body (POST: `initRequestBeforeParse` first), periodic clean-ups,
`initRequest`, static content, sessions, `initNonStaticRequest`, the page cache, the
mask or view, `initResponse` and `initNonStaticResponse`, then the response. Any
exception sets the status (404, 400, 413 or 500) and runs `onError`, whose response is
sent; a failing `onError` still gives a plain 500.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
import xmlrpc.client
from http import HTTPStatus
from typing import Any, Callable, Iterable
from urllib.parse import quote

from .cache import PageCache
from .config import option_error, storage_url_for
from .context import RequestState, request, response
from .dispatch import NotFound, Router
from .errorpages import traceback_text
from .forms import BadRequest
from .leanengine import cloudfunc
from .leanengine.auth import Keys
from .leanengine.endpoints import EngineApp, engine_route
from .requestdata import PayloadTooLarge, begin as begin_request, parse_body, read_body
from .responsedata import (
    SERVER_HEADER, begin as begin_response, body_chunks, check_body, encode_stream,
    header_list, http_date, status_line, untouched_headers,
)  # fmt: skip
from .sessions import make_sessions
from .static import WHOLE_FILE_LIMIT, StaticFiles, file_headers, not_modified_since, open_file, read_chunks
from .storage.backend import open_backend
from .storage.rest import StorageApp, storage_route, user_object
from .storage.store import Store

#: Paths that may be LeanEngine or LeanStorage routes (one cheap check for the others).
_API_PREFIXES = ("/1/", "/1.1/", "/__engine/")


def _status(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


class Application:
    """The site as a WSGI application (one per process, shared by its threads)."""

    def __init__(self, site: Any, config: Any, store: Store) -> None:
        self.site = site
        self.config = config
        special = site.special
        self.init_thread = special("initThread")
        self.on_error = special("onError")
        # The special functions a request calls; None where the program has none.
        self.init_request_before_parse = site.defined("initRequestBeforeParse")
        self.init_request = site.defined("initRequest")
        self.init_non_static_request = site.defined("initNonStaticRequest")
        self.init_response = site.defined("initResponse")
        self.init_non_static_response = site.defined("initNonStaticResponse")
        self.web = Router(site.urls if config.web else {}, site.instances)
        self.xmlrpc = Router(site.xmlrpc_urls, site.instances)
        self.static = StaticFiles(config.static_content) if config.static_content else None
        self.site_key = config.site_key or secrets.token_urlsafe(32)
        self.store = store
        self.sessions = make_sessions(config, special, self.site_key, self.store.backend)
        self.cache = PageCache(config.flush_cache_delay)
        self.max_body = config.max_request_body_size
        self.protocol = config.protocol_version
        self.keys = Keys.load(config)
        cloudfunc.configure(site.engine, self.keys, config.lean_api_server)
        self.engine = EngineApp(site.engine, self.keys, config, site.log,
                                resolve_user=lambda token: user_object(self.store.user_by_token(token)))
        self.storage = StorageApp(self.store, config, self.keys, site.log)
        self.current = site.engine.current
        self._threads = threading.local()
        self._thread_numbers = itertools.count()
        self._thread_lock = threading.Lock()

    # ---- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(_API_PREFIXES):
            route = engine_route(path)
            if route is not None:
                return self._api_request(self.engine, environ, start_response, route)
            route = storage_route(path)
            if route is not None:
                return self._api_request(self.storage, environ, start_response, route)
        begin_response(self.protocol)
        try:
            begin_request(environ, self)
            if not getattr(self._threads, "ready", False):
                self._start_thread()
            elif self._threads.kept:  # what initThread left on `request` stays for the thread
                request.__dict__.update(self._threads.kept)
            self._handle(environ)
        except (Exception, SystemExit, KeyboardInterrupt) as exc:  # never let a page stop the server
            self._fail(exc)
        finally:
            self.current.end()  # a user logged in by this page's cloud code is not the next page's
        return self._send(environ, start_response)

    def _start_thread(self) -> None:
        """`initThread(index)` once per thread, before the thread's first request."""
        with self._thread_lock:
            index = next(self._thread_numbers)
        self._threads.ready = True
        self._threads.kept = {}
        before = dict(request.__dict__)
        self.init_thread(index)
        # 0.10 programs keep per-thread things (a database connection) on `request`.
        # Only names initThread added: not the members of the request being served, nor
        # those computed from it on first use (headerMap, simpleCookie, browserUrl, ...).
        self._threads.kept = {name: value for name, value in request.__dict__.items()
                              if name not in before and name not in RequestState.lazy}

    # ---- the life cycle ------------------------------------------------------------------

    def _handle(self, environ: dict[str, Any]) -> None:
        req = request
        state = req.__dict__  # this thread's request: plain dict reads on the hot path
        if state["method"] == "POST":
            if self.init_request_before_parse:
                self.init_request_before_parse()
            if state["parsePostData"]:
                state["body"] = body = read_body(environ, self.max_body)
                parse_body(body, environ.get("CONTENT_TYPE", ""), self.config.xmlrpc)
        sessions = self.sessions
        if sessions is not None or self.cache.flush_every:
            now = time.time()
            self.cache.maybe_flush(now)
            if sessions is not None:
                sessions.maybe_clean_up(now)
        params = state["paramMap"]
        state["originalPath"] = state["path"]
        state["originalParamMap"] = dict(params) if params else {}
        state["originalParamTuple"] = state["paramTuple"]
        if self.init_request:
            self.init_request()
        if self.static is not None and self._serve_static(environ):
            return
        if sessions is not None:
            sessions.begin()
        if self.init_non_static_request:
            self.init_non_static_request()
        key = state.get("cacheKey")
        if key is not None:
            cached = self.cache.get(key)
            if cached is not None:
                headers, response.body = cached
                headers["date"] = response.headerMap["date"]
                headers["set-cookie"] = response.headerMap["set-cookie"]
                response.headerMap = headers
                if self.init_response:
                    self.init_response()
                return
        xmlrpc_call = state["isXmlRpc"]
        if xmlrpc_call:
            result = self.xmlrpc.method(state["path"])(*state["paramTuple"])
        else:
            result = self.web.method(state["path"])(**state["paramMap"])
        response.body = result
        if self.init_response:
            self.init_response()
        if self.init_non_static_response:
            self.init_non_static_response()
        if xmlrpc_call:
            response.body = xmlrpc.client.dumps((response.body,), methodresponse=True,
                                                allow_none=True)
            response.headerMap["content-type"] = "text/xml"
        check_body(response.body)  # a body that cannot be sent is an error here, for onError
        if key is not None and request.cacheExpire and isinstance(response.body, (str, bytes)):
            self.cache.put(key, request.cacheExpire, response.headerMap, response.body)
        if sessions is not None:
            sessions.end()

    def _serve_static(self, environ: dict[str, Any]) -> bool:
        """Serve `request.path` from a `[staticContent]` folder if it is under one."""
        found = self.static.match(request.path)  # type: ignore[union-attr]
        if found is None:
            return False
        request.isStaticFile = 1
        target = StaticFiles.resolve(*found)
        opened = open_file(target) if target else None
        if opened is None:
            raise NotFound(f"no static file for '/{request.path}'")
        handle, info = opened
        headers = response.headerMap
        since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if since and not_modified_since(since, info.st_mtime):
            handle.close()
            response.headerMap = {"status": _status(304), "protocolVersion": self.protocol,
                                  "date": headers["date"], "server": SERVER_HEADER,
                                  "set-cookie": headers["set-cookie"]}
            response.body = b""
        else:
            headers.update(file_headers(target, info))  # type: ignore[arg-type]
            if request.method == "HEAD":
                handle.close()
                response.body = b""
            elif info.st_size <= WHOLE_FILE_LIMIT:
                with handle:
                    response.body = handle.read()
            else:
                response.body = read_chunks(handle)
        if self.init_response:
            self.init_response()
        return True

    # ---- errors and the response ---------------------------------------------------------

    def _fail(self, exc: BaseException) -> None:
        """Set the status for `exc`, log it, run onError (spec §16, DESIGN §3)."""
        if isinstance(exc, NotFound):
            code = 404
        elif isinstance(exc, PayloadTooLarge):
            code = 413
        elif isinstance(exc, BadRequest):
            code = 400
        else:
            code = 500
            self.site.log(f"error in {_describe(request)}:\n{traceback_text(exc).rstrip()}")
        response.headerMap["status"] = _status(code)
        response.body = ""
        try:
            self.on_error()
            check_body(response.body)
        except (Exception, SystemExit, KeyboardInterrupt) as error:
            self.site.log(f"onError failed in {_describe(request)}:\n"
                          f"{traceback_text(error).rstrip()}")
            begin_response(self.protocol)
            response.headerMap.update({"status": _status(500),
                                       "content-type": "text/plain; charset=utf-8"})
            response.body = "500 Internal Server Error\n"

    def _send(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Turn `response` into the WSGI status, headers and body."""
        state = response.__dict__
        try:
            body = state["body"]
            if body.__class__ is str:
                whole, stream = [body.encode("utf-8")], None
            else:
                whole, stream = body_chunks(body)
            header_map = state.get("headerMap")
            if header_map is None:  # the page never touched response.headerMap
                status = "200 OK"
                headers = untouched_headers(len(whole[0]) if whole else None)
            else:
                status = status_line(header_map.get("status", 200))
                bodiless = status[:3] in ("204", "304") or status[0] == "1"
                headers = header_list(header_map, len(whole[0]) if whole and not bodiless else None)
        except Exception as exc:  # a status or header the program set cannot be sent
            self.site.log(f"cannot send the response of {_describe(request)}:\n"
                          f"{traceback_text(exc).rstrip()}")
            status, whole, stream = _status(500), [b"500 Internal Server Error\n"], None
            headers = [("content-type", "text/plain; charset=utf-8"),
                       ("content-length", str(len(whole[0]))), ("date", http_date())]
        start_response(status, headers)
        self._log_access(environ, status)
        if environ.get("REQUEST_METHOD") == "HEAD":
            if stream is not None and hasattr(stream, "close"):
                stream.close()  # type: ignore[union-attr]
            return []
        return whole if whole is not None else encode_stream(stream)  # type: ignore[arg-type]


    def _api_request(self, api: Any, environ: dict[str, Any], start_response: Callable[..., Any],
                     route: Any) -> Iterable[bytes]:
        """A LeanEngine or LeanStorage route: `api` answers (the access log has its line)."""
        if not self.site.logs_requests:
            return api(environ, start_response, route)

        def respond(status: str, headers: list[tuple[str, str]]) -> Any:
            self._log_access(environ, status)
            return start_response(status, headers)

        return api(environ, respond, route)

    def _log_access(self, environ: dict[str, Any], status: str) -> None:
        if self.site.logs_requests:
            self.site.log(f'{environ.get("REMOTE_ADDR", "-")} - "{environ.get("REQUEST_METHOD")} '
                          f'{_request_uri(environ)} {environ.get("SERVER_PROTOCOL", "")}" '
                          f'{status[:3]}')


def open_store(site: Any, config: Any) -> Store:
    """The site's object store, with the `[storage] indexes` made; ConfigError if it cannot
    work. The backend connects on first use, in each process (pre-forked ones too)."""
    try:
        backend = open_backend(storage_url_for(config, site.base))
    except (ValueError, ImportError) as exc:
        raise option_error(config, "storage", "url", str(exc)) from None
    for class_name, field_name in config.storage_indexes:
        try:
            backend.ensure_index(class_name, field_name)
        except Exception as exc:  # the database is unreachable, or refuses
            raise option_error(config, "storage", "indexes", f"cannot create the index on "
                               f"{class_name}.{field_name}: {exc}") from None
    if config.storage_indexes:
        backend.close()  # pre-forked workers open their own connections
    return Store(backend, site.engine, site.log)


def _request_uri(environ: dict[str, Any]) -> str:
    """The path and query of the request line (rebuilt when the server gives no REQUEST_URI)."""
    uri = environ.get("REQUEST_URI")
    if uri:
        return uri
    query = environ.get("QUERY_STRING", "")
    path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/:@!$&'()*+,;=-._~")
    return path + (f"?{query}" if query else "")


def _describe(req: Any) -> str:
    method = req.__dict__.get("method", "?")
    path = req.__dict__.get("path")
    return f"{method} /{path}" if path is not None else method
