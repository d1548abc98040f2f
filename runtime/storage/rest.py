"""The LeanStorage REST routes (spec §15, DESIGN §6): classes, batch, users, login, over a Store.

Every route exists under `/1.1/` and `/1/`. Authentication is the engine's (spec §3):
the keys decide whether the caller may come in at all and whether it has the master or
the hook key; the `X-LC-Session` header names the user. Every answer is JSON with the
engine's CORS headers; every error is `{"code", "error"}` with the status of its
LeanCloudError; an unexpected exception is logged and answered 500 with code 1, never
with its traceback. While a request runs, `engine.current` holds its user, so the hooks
the Store calls see who asked.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from ..leanengine.auth import Access, Keys, authenticate
from ..leanengine.jsonhttp import ENCODER, EngineError, preflight, read_json, remote_address, send_json
from ..leanengine.objects import Object, User
from ..sourcemap import format_exception
from .errors import LeanCloudError
from .store import Caller, Store

_ROUTE = re.compile(r"/(1(?:\.1)?)/(classes|users|login|batch)(?:/(.*))?\Z")
#: Credentials a browser puts into a text/plain body (spec §3.2): never stored.
_BODY_CREDENTIALS = frozenset({"_ApplicationId", "_ApplicationKey", "_MasterKey", "_SessionToken",
                               "_ClientVersion", "_InstallationId", "_ApplicationProduction"})
_NOT_A_DICT = "Malformed json object. A json dictionary is expected."
_NO_USER = "Could not find user."
_INTERNAL = '{"code":1,"error":"Internal server error."}'


def storage_route(path: str) -> re.Match[str] | None:
    """The storage route of a request path, or None when the path is not one."""
    return _ROUTE.match(path)


def user_object(data: dict[str, Any] | None) -> User | None:
    """The leanengine User that cloud code sees for a stored user's JSON (None: nobody)."""
    return Object.from_json("_User", data) if data else None  # type: ignore[return-value]


class Call(NamedTuple):
    """One storage operation: from the request itself, or one item of a batch."""

    method: str
    resource: str  # classes, users, login or batch
    segments: tuple[str, ...]  # what follows the resource in the path
    query: dict[str, str]
    body: Any
    caller: Caller


class Answer(NamedTuple):
    """What a route returns: the status, the JSON body, and where a new object lives."""

    status: int
    body: Any
    location: str = ""  # path after the version, e.g. "classes/Todo/<id>", for 201s


def _flag(query: dict[str, str], name: str) -> bool:
    return query.get(name, "").lower() in ("1", "true")


def _json_param(query: dict[str, str], name: str) -> dict[str, Any] | None:
    """A JSON object in a query parameter (`where`), 107 when it is not one."""
    text = query.get(name)
    if text is None or not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise LeanCloudError(107, f"{name} is not valid JSON: {text[:200]!r}") from None
    if not isinstance(value, dict):
        raise LeanCloudError(107, f"{name} must be a JSON object")
    return value


def _number(query: dict[str, str], name: str) -> int | None:
    """`limit` / `skip` as a number (102 "Invalid query" as the Store says it otherwise)."""
    text = query.get(name)
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise LeanCloudError(102, f"Invalid query: {name} must be a whole number, "
                                  f"got {text[:50]!r}.") from None


def _object_body(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise LeanCloudError(107, _NOT_A_DICT)
    return body


class StorageApp:
    """The WSGI application of the storage routes of one site."""

    def __init__(self, store: Store, config: Any, keys: Keys, log: Callable[[str], None]) -> None:
        """Bodies, CORS answers and the caller's address are read as on the engine routes
        (`leanengine.jsonhttp`), so both kinds of routes behave alike."""
        self.store = store
        self.keys = keys
        self.log = log
        self.current = store.engine.current
        self.max_body = config.max_request_body_size
        self.trusted_proxies = config.trusted_proxies

    # ---- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any],
                 route: re.Match[str]) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if method == "OPTIONS":
            return preflight(start_response, environ)
        extra: list[tuple[str, str]] = []
        try:
            answer = self._serve(environ, method, route)
            status, body = answer.status, answer.body
            if answer.location:
                extra.append(("Location", f"{_base_url(environ)}/{route.group(1)}/{answer.location}"))
        except LeanCloudError as exc:
            status, body = exc.status, exc.to_json()
            if isinstance(exc, MethodNotAllowed):
                extra.append(("Allow", ", ".join(exc.allowed + ("OPTIONS",))))
        except EngineError as exc:
            status, body = exc.status, {"code": exc.code, "error": exc.message}
        except (Exception, SystemExit, KeyboardInterrupt) as exc:  # never show a bug, never stop
            self.log(f"error in {method} {environ.get('PATH_INFO', '')}:\n"
                     f"{format_exception(exc).rstrip()}")
            status, body = 500, None
        finally:
            self.current.end()
        try:
            payload = _INTERNAL if body is None else ENCODER.encode(body)
        except (TypeError, ValueError) as exc:
            self.log(f"the answer to {method} {environ.get('PATH_INFO', '')} cannot be sent "
                     f"as JSON: {exc}")
            status, payload = 500, _INTERNAL
        return send_json(start_response, status, payload, extra)

    def _serve(self, environ: dict[str, Any], method: str, route: re.Match[str]) -> Answer:
        try:
            body: Any = read_json(environ, self.max_body)
            malformed = None
        except EngineError as exc:
            body, malformed = None, exc
        access = authenticate(environ, self.keys, body)
        if not access.app:
            raise LeanCloudError(401, "Unauthorized.", 401)  # before any complaint about the body
        if malformed is not None:
            raise malformed
        if "text/plain" in environ.get("CONTENT_TYPE", "") and isinstance(body, dict):
            # a browser avoiding a preflight sent its credentials in the body: not fields
            body = {key: value for key, value in body.items() if key not in _BODY_CREDENTIALS}
        resource, rest = route.group(2), route.group(3)
        segments = _segments(rest)
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        caller = self._caller(access, _acts_for_a_user(resource, segments, method))
        self.current.begin(user_object(caller.user), caller.session_token,
                           lambda: {"remote_address": remote_address(environ, self.trusted_proxies)})
        return self.route(Call(method, resource, segments, query, body, caller))

    def _caller(self, access: Access, needs_user: bool) -> Caller:
        """The Caller of a request; its session token must name a user (211) when the
        route acts for a user (signing up and logging in ignore a stale token)."""
        hook = access.hook or access.master
        token = access.session_token
        if not token or not needs_user:
            return Caller(master=access.master, hook=hook)
        user = self.store.user_by_token(token)
        if user is None:
            raise LeanCloudError(211, _NO_USER)
        return Caller(master=access.master, hook=hook, user=user, session_token=token)

    # ---- routes --------------------------------------------------------------------------

    def route(self, call: Call) -> Answer:
        """Run one operation (the request's, or a batch item's)."""
        resource, segments, method = call.resource, call.segments, call.method
        if resource == "classes" and len(segments) == 1:
            return self._class(call, segments[0])
        if resource == "classes" and len(segments) == 2:
            return self._object(call, segments[0], segments[1])
        if resource == "users":
            return self._users(call)
        if resource == "login" and not segments:
            _allow(method, "GET", "POST")
            body = call.body if method == "POST" else dict(call.query)
            return Answer(200, self.store.log_in(_object_body(body), call.caller))
        if resource == "batch" and not segments:
            _allow(method, "POST")
            return Answer(200, self._batch(call))
        raise _no_route(method, "/".join((resource,) + segments))

    def _class(self, call: Call, class_name: str) -> Answer:
        """`classes/<Class>`: create (POST) or query (GET)."""
        _allow(call.method, "GET", "POST")
        if call.method == "GET":
            return Answer(200, self._query(class_name, call))
        created = self.store.create(class_name, _object_body(call.body), call.caller,
                                    _flag(call.query, "fetchWhenSave"))
        where = "users" if call.resource == "users" else f"classes/{class_name}"
        return Answer(201, created, f"{where}/{created['objectId']}")

    def _query(self, class_name: str, call: Call) -> dict[str, Any]:
        query = call.query
        options: dict[str, Any] = {}
        limit, skip = _number(query, "limit"), _number(query, "skip")
        if limit is not None:
            options["limit"] = limit
        if skip is not None:
            options["skip"] = skip
        return self.store.query(
            class_name, call.caller, where=_json_param(query, "where"),
            order=query.get("order") or None, keys=query.get("keys"),
            include=query.get("include"), count=_flag(query, "count"), **options)

    def _object(self, call: Call, class_name: str, object_id: str) -> Answer:
        """`classes/<Class>/<id>`: get, update or delete one object."""
        store, query, method = self.store, call.query, call.method
        _allow(method, "GET", "PUT", "DELETE")
        if method == "GET":
            return Answer(200, store.fetch(class_name, object_id, call.caller,
                                           keys=query.get("keys"),
                                           include=query.get("include")))
        where = _json_param(query, "where")
        if method == "PUT":
            return Answer(200, store.update(class_name, object_id, _object_body(call.body),
                                            call.caller, where=where,
                                            fetch_when_save=_flag(query, "fetchWhenSave")))
        store.delete(class_name, object_id, call.caller, where=where,
                     body=_object_body(call.body))
        return Answer(200, {})

    def _users(self, call: Call) -> Answer:
        """`users`, `users/me`, `users/<id>`, `users/<id>/refreshSessionToken`."""
        segments, method = call.segments, call.method
        if not segments:
            return self._class(call, "_User")
        if segments == ("me",):
            _allow(method, "GET")
            # ?session_token= names the user asked about (the Python SDK's `become` sends
            # it beside the header of its current user); else the X-LC-Session header's
            token = call.query.get("session_token")
            user = self.store.user_by_token(token) if token else call.caller.user
            if user is None:
                raise LeanCloudError(211, _NO_USER)
            return Answer(200, user)
        if len(segments) == 1:
            return self._object(call, "_User", segments[0])
        if len(segments) == 2 and segments[1] == "refreshSessionToken":
            _allow(method, "PUT")
            return Answer(200, self.store.refresh_session_token(segments[0], call.caller))
        raise _no_route(method, "/".join(("users",) + segments))

    # ---- batch (spec §15.2) --------------------------------------------------------------

    def _batch(self, call: Call) -> list[dict[str, Any]]:
        """`{"requests": [{method, path, body, params?}]}` → one `{"success"}` or
        `{"error"}` per item, run in order, each on its own (no item undoes another)."""
        requests = _object_body(call.body).get("requests")
        if not isinstance(requests, list):
            raise LeanCloudError(107, 'a batch is {"requests": [{"method", "path", "body"}, ...]}')
        results: list[dict[str, Any]] = []
        for item in requests:
            try:
                results.append({"success": self.route(_batch_call(item, call.caller)).body})
            except LeanCloudError as exc:
                results.append({"error": exc.to_json()})
            except Exception as exc:  # a bug: log it, answer the item, go on
                self.log(f"error in a batch item {item!r:.200}:\n{format_exception(exc).rstrip()}")
                results.append({"error": {"code": 1, "error": "Internal server error."}})
        return results


def _batch_call(item: Any, caller: Caller) -> Call:
    """One batch item as a Call; a path may carry a query, `params` adds to it."""
    if not isinstance(item, dict) or not isinstance(item.get("path"), str):
        raise LeanCloudError(107, 'a batch item needs "method" and "path"')
    method = str(item.get("method", "")).upper()
    parts = urlsplit(item["path"])
    path = unquote(parts.path)
    match = _ROUTE.match(path) or _ROUTE.match("/1.1/" + path.lstrip("/"))
    if match is None or match.group(2) == "batch":
        raise _no_route(method, f"{item['path'][:200]} (in a batch)")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    params = item.get("params")
    if isinstance(params, dict):
        query.update({key: value if isinstance(value, str) else ENCODER.encode(value)
                      for key, value in params.items()})
    return Call(method, match.group(2), _segments(match.group(3)), query, item.get("body"), caller)


def _segments(rest: str | None) -> tuple[str, ...]:
    """What follows the resource in a path (`Todo/<id>`), as its non-empty parts."""
    return tuple(part for part in rest.split("/") if part) if rest else ()


def _acts_for_a_user(resource: str, segments: tuple[str, ...], method: str) -> bool:
    """Whether the request's session token matters: not to log in or sign up (an SDK
    may still send the token of a user who logged out)."""
    if resource == "login":
        return False
    signing_up = method == "POST" and (
        (resource == "users" and not segments) or (resource == "classes" and segments == ("_User",)))
    return not signing_up


def _no_route(method: str, path: str) -> LeanCloudError:
    return LeanCloudError(1, f"no LeanStorage route {method} {path}", 404)


class MethodNotAllowed(LeanCloudError):
    """405: the route exists, not with this method (`allowed` goes into `Allow`)."""

    def __init__(self, method: str, allowed: tuple[str, ...]) -> None:
        super().__init__(1, f"{method} is not allowed here (allowed: {', '.join(allowed)})", 405)
        self.allowed = allowed


def _allow(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise MethodNotAllowed(method, allowed)


def _base_url(environ: dict[str, Any]) -> str:
    """`http://host:port` as the client addressed the server (for Location)."""
    host = environ.get("HTTP_HOST")
    if not host:
        name, port = environ.get("SERVER_NAME", "localhost"), environ.get("SERVER_PORT", "")
        host = f"{name}:{port}" if port else name
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
