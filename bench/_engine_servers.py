"""The two servers of engine_bench.py that are not cherryc: the ceiling and the official engine.

Each runs in its own process::

    python bench/_engine_servers.py raw --port N --threads T
    .venv/leancloud-sdk/bin/python bench/_engine_servers.py leancloud --port N --threads T

This module needs only the standard library and cheroot (and the `leancloud` package for
the official engine), because the official engine runs it with the interpreter of its
own virtualenv, which has no cherryc: the SDK pins old versions of werkzeug, requests
and others that clash with the project's. engine_bench.py imports it for the names and
for the ceiling's app.

`--loop SECONDS` does not serve: it prints the seconds per request of the app called in
a loop in this process (see `app_loop`), for the profile of engine_bench.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import sys
import threading
from typing import Any, Callable

#: The app's keys, in cherryc's [leanengine] section, in the official engine's
#: LEANCLOUD_APP_* variables and in the ceiling.
APP_ID = "bench-app-id"
APP_KEY = "bench-app-key-3xjj1qw91cr3"
MASTER_KEY = "bench-master-key-3v7z633lzf"
#: The request wrk sends: POST FUNCTION_PATH with BODY and these headers.
FUNCTION_PATH = "/1.1/functions/hello"
BODY = b'{"name":"bench"}'
HEADERS = {"Content-Type": "application/json", "X-LC-Id": APP_ID, "X-LC-Key": APP_KEY}
#: What every contender must answer (as JSON).
EXPECTED = {"result": "Hello, bench!"}


def hello(name: str = "world") -> str:
    """The cloud function, as the cherryc site and the official engine define it."""
    return "Hello, %s!" % name


def ceiling_app(app_id: str = APP_ID, app_key: str = APP_KEY) -> Callable[..., Any]:
    """The ceiling: a plain WSGI function. It reads the body, json.loads it, checks the
    two headers by plain comparison and answers json.dumps({"result": ...})."""
    unauthorized = json.dumps({"code": 401, "error": "Unauthorized."}).encode()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ["PATH_INFO"] != FUNCTION_PATH:
            start_response("404 Not Found", [("Content-Length", "0")])
            return []
        length = int(environ.get("CONTENT_LENGTH") or 0)
        params = json.loads(environ["wsgi.input"].read(length)) if length else {}
        if environ.get("HTTP_X_LC_ID") != app_id or environ.get("HTTP_X_LC_KEY") != app_key:
            status, data = "401 Unauthorized", unauthorized
        else:
            status, data = "200 OK", json.dumps({"result": hello(**params)}).encode()
        start_response(status, [("Content-Type", "application/json"),
                                ("Content-Length", str(len(data)))])
        return [data]

    return app


def leancloud_app() -> Any:
    """The official engine: `leancloud.Engine()` with `hello` defined by `@engine.define`.

    Its keys come from LEANCLOUD_APP_ID, LEANCLOUD_APP_KEY and LEANCLOUD_APP_MASTER_KEY,
    which must be set before leancloud is imported (it reads them at import).
    """
    missing = [name for name in ("LEANCLOUD_APP_ID", "LEANCLOUD_APP_KEY",
                                 "LEANCLOUD_APP_MASTER_KEY") if not os.environ.get(name)]
    if missing:
        raise SystemExit(f"set {', '.join(missing)} before starting the official engine")
    import leancloud

    engine = leancloud.Engine()

    @engine.define
    def hello(name: str = "world") -> str:
        return "Hello, %s!" % name

    return engine


def serve_cheroot(app: Any, port: int, threads: int) -> None:
    """Serve a WSGI app on cheroot with `threads` pool threads until SIGTERM (the same
    settings as http_bench.serve_cheroot)."""
    from cheroot import wsgi

    server = wsgi.Server(("127.0.0.1", port), app, numthreads=threads, max=threads)
    server.protocol = "HTTP/1.1"

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        server.prepare()
        server.serve()
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        server.stop()


class ReplayInput:
    """A `wsgi.input` that gives the same body to every request of a loop (it keeps no
    position, so the environ can be reused)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self, size: int | None = -1) -> bytes:
        return self.body if size is None or size < 0 else self.body[:size]

    def readline(self, size: int | None = -1) -> bytes:
        return self.read(size)


def post_environ() -> dict[str, Any]:
    """The environ cheroot builds for wrk's POST (its request line, Host and the headers
    of the wrk script), with a ReplayInput for the body."""
    from cheroot import wsgi

    captured: dict[str, Any] = {}

    def capture(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        captured.update(environ)
        start_response("200 OK", [("Content-Length", "0")])
        return []

    server = wsgi.Server(("127.0.0.1", 0), capture, numthreads=1)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    port = server.bind_addr[1]
    headers = "".join(f"{name}: {value}\r\n" for name, value in HEADERS.items())
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"POST {FUNCTION_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}"
                     f"Content-Length: {len(BODY)}\r\n\r\n".encode() + BODY)
        sock.recv(4096)
    server.stop()
    captured["wsgi.input"] = ReplayInput(BODY)
    captured["wsgi.errors"] = io.StringIO()
    return captured


def call_app(app: Callable[..., Any], environ: dict[str, Any]) -> Callable[[], bytes]:
    """One request through a WSGI app, as cheroot does it: call, join the body, close."""
    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        pass

    def one() -> bytes:
        body = app(dict(environ), start_response)
        data = b"".join(body)
        close = getattr(body, "close", None)
        if close is not None:
            close()
        return data

    return one


def app_loop(app: Callable[..., Any], seconds: float, rounds: int = 9) -> list[float]:
    """Seconds per request of `app` in a loop with `post_environ()`: one sample per round."""
    import _harness

    one = call_app(app, post_environ())
    answer = json.loads(one())
    if answer != EXPECTED:
        raise SystemExit(f"the app answered {answer!r}, not {EXPECTED!r}")
    return _harness.interleaved({"app": one}, rounds, seconds)["app"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("raw", "leancloud"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--loop", type=float, metavar="SECONDS",
                        help="print the seconds per request of each of 9 samples of about "
                             "SECONDS of the app in a loop (JSON), instead of serving")
    args = parser.parse_args(argv)
    app = ceiling_app() if args.kind == "raw" else leancloud_app()
    if args.loop:
        print(json.dumps(app_loop(app, args.loop)))
        return 0
    serve_cheroot(app, args.port, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
