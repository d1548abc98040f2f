"""The LeanEngine routes (spec §2, §4, §5, §11, §12): functions, RPC, hooks, metadata, ping.

Every route exists under `/1/`, `/1.1/`, `/__engine/1/` and `/__engine/1.1/`. Every
answer is JSON with CORS headers; every error is `{"code", "error"}`; unexpected
exceptions are logged (traceback at its .cpy line) and answered 500 with code 141,
never with the traceback.
"""

from __future__ import annotations

import inspect
import platform
import re
import threading
from typing import Any, Callable, Iterable

from cherryc import __version__

from ..sourcemap import format_exception
from .auth import IM_HOOK_NAMES, Access, Keys, authenticate
from .codec import decode, encode
from .errors import LeanEngineError
from .jsonhttp import ENCODER, MALFORMED_JSON, EngineError, preflight, read_json, remote_address, send_json
from .objects import Object, User
from .registry import CLASS_HOOKS, Engine

_PING_ANSWER = ENCODER.encode({"runtime": f"cpython-{platform.python_version()}", "version": __version__})
_ROUTE = re.compile(r"/(?:__engine/)?1(?:\.1)?/(functions|call)(?:/(.*))?\Z")
_PING = re.compile(r"/__engine/1(?:\.1)?/ping/?\Z")
ENGINE_PREFIXES = ("/1/functions", "/1.1/functions", "/1/call", "/1.1/call", "/__engine/")

#: URL hook name -> registry prefix.
_HOOKS = {
    "beforeSave": CLASS_HOOKS["before_save"], "afterSave": CLASS_HOOKS["after_save"],
    "beforeUpdate": CLASS_HOOKS["before_update"], "afterUpdate": CLASS_HOOKS["after_update"],
    "beforeDelete": CLASS_HOOKS["before_delete"], "afterDelete": CLASS_HOOKS["after_delete"],
}


class _Shape:
    """What keyword arguments a cloud function takes, to check params without binding."""

    def __init__(self, signature: inspect.Signature | None) -> None:
        self.signature = signature
        self.any_name = signature is None
        self.allowed: set[str] = set()
        self.required: set[str] = set()
        for parameter in (signature.parameters.values() if signature else ()):
            if parameter.kind is parameter.VAR_KEYWORD:
                self.any_name = True
            elif parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                self.allowed.add(parameter.name)
                if parameter.default is parameter.empty:
                    self.required.add(parameter.name)
            elif parameter.kind is parameter.POSITIONAL_ONLY and parameter.default is parameter.empty:
                self.required.add("\0positional")  # cannot be given by keyword: never fits

    @classmethod
    def of(cls, function: Callable[..., Any]) -> "_Shape":
        try:
            return cls(inspect.signature(function))
        except (TypeError, ValueError):
            return cls(None)

    def fits(self, params: dict[str, Any]) -> bool:
        if self.signature is None:
            return True
        if not self.required.issubset(params):
            return False
        return self.any_name or self.allowed.issuperset(params)


def engine_route(path: str) -> re.Match[str] | bool | None:
    """The engine's route for a request path: a match of `functions/...` or `call/...`,
    True for other `/__engine/` paths (ping, or a 404 of the engine's own), None when
    the path belongs to the site."""
    if not path.startswith(ENGINE_PREFIXES):
        return None
    return _ROUTE.match(path) or path.startswith("/__engine/") or None


class EngineApp:
    """The WSGI application of the engine routes of one site."""

    def __init__(self, engine: Engine, keys: Keys, config: Any, log: Callable[[str], None],
                 resolve_user: Callable[[str], User | None] | None = None) -> None:
        self.engine = engine
        self.keys = keys
        self.config = config
        self.log = log
        self.resolve_user = resolve_user
        self.timeout = config.lean_function_timeout
        self._shapes: dict[Callable[..., Any], _Shape] = {}

    # ---- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any],
                 route: re.Match[str] | bool | None = None) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        try:
            if environ["REQUEST_METHOD"] == "OPTIONS":
                return preflight(start_response, environ)
            if route is None:
                route = engine_route(path)
            if not isinstance(route, re.Match):
                if _PING.match(path):
                    return send_json(start_response, 200, _PING_ANSWER)
                raise EngineError(404, 404, f"no LeanEngine route {path}")
            status, body = self._dispatch(environ, route)
        except EngineError as exc:
            status, body = exc.status, {"code": exc.code, "error": exc.message}
        except LeanEngineError as exc:
            status, body = exc.status, {"code": exc.code, "error": exc.message}
            if not (type(status) is int and 100 <= status <= 599):
                self.log(f"LeanEngineError with an impossible HTTP status {status!r} at {path}")
                status, body = 500, {"code": 141, "error": "Cloud Code script had an error."}
        except (Exception, SystemExit, KeyboardInterrupt) as exc:  # a bug in cloud code: log it, never show it
            self.log(f"error in cloud code at {path}:\n{format_exception(exc).rstrip()}")
            status, body = 500, {"code": 141, "error": "Cloud Code script had an error."}
        finally:
            self.engine.current.end()
        try:
            payload = ENCODER.encode(body)
        except (TypeError, ValueError) as exc:
            self.log(f"the result of {path} cannot be sent as JSON: {exc}")
            status = 500
            payload = '{"code":141,"error":"Cloud Code script had an error."}'
        return send_json(start_response, status, payload)

    # ---- routing -------------------------------------------------------------------------

    def _dispatch(self, environ: dict[str, Any], route: re.Match[str]) -> tuple[int, Any]:
        path = route.string
        kind, rest = route.group(1), route.group(2) or ""
        segments = rest.split("/") if rest else []
        try:
            body: Any = read_json(environ, self.config.max_request_body_size)
            malformed = None
        except EngineError as exc:
            body, malformed = None, exc
        access = authenticate(environ, self.keys, body)
        if not access.app:
            raise EngineError(401, 401, "Unauthorized.")  # before any complaint about the body
        if malformed is not None:
            raise malformed
        if kind == "call":
            if len(segments) != 1:
                raise EngineError(404, 404, f"no LeanEngine route {path}")
            return self._function(segments[0], body, access, environ, typed=True)
        if len(segments) == 1:
            return self._function(segments[0], body, access, environ, typed=False)
        if len(segments) == 2:
            return self._hook(segments[0], segments[1], body, access, environ)
        raise EngineError(404, 404, f"no LeanEngine route {path}")

    # ---- functions -----------------------------------------------------------------------

    def _function(self, name: str, body: Any, access: Access, environ: dict[str, Any],
                  typed: bool) -> tuple[int, Any]:
        if name in IM_HOOK_NAMES and not access.hook:
            raise EngineError(401, 401, "Unauthorized.")
        function = self.engine.functions.get(name)
        if function is None or name.startswith("__"):
            raise EngineError(404, 404, f"cloud func named '{name}' not found.")
        if not isinstance(body, dict):
            raise EngineError(400, 107, MALFORMED_JSON)
        params = {key: value for key, value in body.items()
                  if not key.startswith("_") or key == "__type"}
        if typed:
            params = {key: decode(value) for key, value in params.items()}
        self._check_params(function, name, params)
        self._set_current(environ, access, None)
        result = self._run(function, (), params)
        return 200, {"result": encode(result)}

    def _check_params(self, function: Callable[..., Any], name: str, params: dict[str, Any]) -> None:
        """Params that do not fit the function's signature: 400, code 1 (DESIGN §4)."""
        shape = self._shapes.get(function)
        if shape is None:
            shape = self._shapes[function] = _Shape.of(function)
        if shape.fits(params):
            return
        try:
            shape.signature.bind(**params)  # type: ignore[union-attr]
        except TypeError as exc:
            raise EngineError(400, 1, f"the params of cloud function '{name}' do not fit: {exc}") from None

    def _run(self, function: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> Any:
        """Call cloud code; with `[leanengine] functionTimeout`, give up after it (503/124)."""
        if not self.timeout:
            return function(*args, **kwargs)
        outcome: dict[str, Any] = {}
        current = self.engine.current
        state = current._state

        def call() -> None:
            current._state = state  # the worker thread serves the same caller
            try:
                outcome["value"] = function(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - handed back to the request thread
                outcome["error"] = exc

        worker = threading.Thread(target=call, name="cherryc cloud function", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            raise EngineError(503, 124, "The request timed out on the server.")
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    # ---- hooks ---------------------------------------------------------------------------

    def _hook(self, target: str, hook: str, body: Any, access: Access,
              environ: dict[str, Any]) -> tuple[int, Any]:
        if not access.hook and not (target, hook) == ("_ops", "metadatas"):
            raise EngineError(401, 401, "Unauthorized.")
        if (target, hook) == ("_ops", "metadatas"):
            if not access.master:
                raise EngineError(401, 401, "Unauthorized.")
            return 200, {"result": list(self.engine.functions)}
        if not isinstance(body, dict):
            raise EngineError(400, 107, MALFORMED_JSON)
        if (target, hook) in (("_User", "onLogin"), ("_User", "onAuthData")) or target == "onVerified":
            return self._user_hook(target, hook, body, access, environ)
        if (target, hook) == ("BigQuery", "onComplete"):
            function = self._handler("__on_complete_bigquery_job", "No onComplete hook of 'BigQuery'")
            self._set_current(environ, access, None)
            return 200, {"result": encode(self._run(function, (body.get("status") == "OK", body), {}))}
        prefix = _HOOKS.get(hook)
        if prefix is None:
            raise EngineError(404, 404, f"unknown hook '{hook}' (hooks are {', '.join(_HOOKS)})")
        function = self._handler(prefix + target, f"No {hook} hook of '{target}'")
        data = body.get("object")
        if not isinstance(data, dict):
            raise EngineError(400, 107, "The hook body needs an 'object'.")
        obj = Object.from_json(target, data)
        if "__before" not in data:
            obj.disable_before_hook()
        if "__after" not in data:
            obj.disable_after_hook()
        self._set_current(environ, access, body.get("user"))
        self._run(function, (obj,), {})
        if hook in ("beforeSave", "beforeUpdate"):
            return 200, obj.dump()  # what the store saves instead (beforeSave may modify)
        if hook == "beforeDelete":
            return 200, {}
        return 200, {"result": "ok"}

    def _user_hook(self, target: str, hook: str, body: dict[str, Any], access: Access,
                   environ: dict[str, Any]) -> tuple[int, Any]:
        if target == "onVerified":
            if hook not in ("sms", "email"):
                raise EngineError(404, 404, f"unknown verification type '{hook}'")
            name, missing = f"__on_verified_{hook}", f"No onVerified hook for '{hook}'"
        elif hook == "onLogin":
            name, missing = "__on_login__User", "No onLogin hook of '_User'"
        else:
            name, missing = "__on_authdata__User", "No onAuthData hook of '_User'"
        function = self._handler(name, missing)
        self._set_current(environ, access, None)
        if hook == "onAuthData":
            return 200, {"result": encode(self._run(function, (body.get("authData"),), {}))}
        data = body.get("object")
        if not isinstance(data, dict):
            raise EngineError(400, 107, "The hook body needs an 'object'.")
        return 200, {"result": encode(self._run(function, (Object.from_json("_User", data),), {}))}

    def _handler(self, name: str, missing: str) -> Callable[..., Any]:
        function = self.engine.functions.get(name)
        if function is None:
            raise EngineError(404, 404, missing)
        return function

    # ---- engine.current (spec §9) --------------------------------------------------------

    def _set_current(self, environ: dict[str, Any], access: Access, user_json: Any) -> None:
        current = self.engine.current
        token = access.session_token or None
        find_meta = lambda: {"remote_address": remote_address(environ, self.config.trusted_proxies)}  # noqa: E731
        if not token and isinstance(user_json, dict) and user_json:
            # No session token in the headers: the user the store sent with a hook (spec §9).
            user = Object.from_json("_User", user_json)
            current.begin(user, user.get("sessionToken"), find_meta)
            return
        user = None
        if token and self.resolve_user is not None:
            user = self.resolve_user(token)
            if user is None:
                raise EngineError(401, 211, "Verify sessionToken failed, maybe login expired.")
        current.begin(user, token, find_meta)
