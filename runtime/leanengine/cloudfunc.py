"""`cloudfunc.run(name, **params)` over HTTP, `cloudfunc.run.local(...)` in-process (spec §10.2)."""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from typing import Any

from .auth import IM_HOOK_NAMES, Keys
from .codec import decode, encode
from .errors import LeanEngineError
from .registry import Engine

#: Seconds a remote call may take (the official SDK's client timeout).
TIMEOUT = 15


class _Context:
    """The engine, keys and API server of the running site (set when it starts)."""

    engine: Engine | None = None
    keys: Keys = Keys()
    api_server: str = ""


context = _Context()


def configure(engine: Engine, keys: Keys, api_server: str) -> None:
    """Called by the runtime at start-up: the site's engine becomes the root engine."""
    context.engine, context.keys = engine, keys
    context.api_server = os.environ.get("LEANCLOUD_API_SERVER") or api_server


def _post(route: str, name: str, params: dict[str, Any]) -> Any:
    server = (os.environ.get("LEANCLOUD_API_SERVER") or context.api_server).rstrip("/")
    if not server:
        raise LeanEngineError(1, "no API server: set [leanengine] apiServer or LEANCLOUD_API_SERVER")
    keys = context.keys
    stamp = str(int(time.time() * 1000))
    key, suffix = (keys.master_key, ",master") if keys.master_key else (keys.app_key, "")
    sign = hashlib.md5((stamp + key).encode("utf-8")).hexdigest()  # noqa: S324 (protocol)
    request = urllib.request.Request(
        f"{server}/1.1/{route}/{name}", data=json.dumps(params).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "X-LC-Id": keys.app_id,
                 "X-LC-Sign": f"{sign},{stamp}{suffix}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            body = json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read() or b"{}")
        except ValueError:
            body = {"code": exc.code, "error": exc.reason}
        raise LeanEngineError(body.get("code", 1), body.get("error", "error"), exc.code) from None
    if "error" in body:
        raise LeanEngineError(body.get("code", 1), body["error"])
    return decode(body.get("result"))


class _Runner:
    """`run(name, **params)` calls over HTTP; `run.local(name, **params)` in-process."""

    def __init__(self, route: str) -> None:
        self.route = route

    def __call__(self, name: str, **params: Any) -> Any:
        sent = params
        if self.route == "call":  # saved objects travel as Pointers, as the official SDK sends them
            sent = {key: encode(value, full=False) for key, value in params.items()}
        return _post(self.route, name, sent)

    remote = __call__

    def local(self, name: str, **params: Any) -> Any:
        engine = context.engine
        if engine is None:
            raise LeanEngineError(1, "no engine: the site has not started")
        if name in IM_HOOK_NAMES:
            raise LeanEngineError(401, "Unauthorized.")
        function = engine.functions.get(name)
        if function is None or name.startswith("__"):
            raise LeanEngineError(404, f"cloud func named '{name}' not found.", 404)
        return function(**params)


run = _Runner("functions")
rpc = _Runner("call")
