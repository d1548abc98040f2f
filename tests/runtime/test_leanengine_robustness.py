"""Cloud code that raises, loops, exits or returns something unserialisable never takes the
server down nor leaks a traceback (DESIGN.md §3, §4; spec leanengine.md §5.2, §9, §13).

Also: 50 concurrent callers each see their own `engine.current.session_token`, and a body
over `[server] maxRequestBodySize` is refused with 413.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from servers import ServerProcess, ThreadServer, compile_site

APP_ID = "robust-app-id"
APP_KEY = "robust-app-key"
HOOK_KEY = "robust-hook-key"
KEYS = f"[leanengine]\nappId = {APP_ID}\nappKey = {APP_KEY}\nhookKey = {HOOK_KEY}\n"
ENV_NAMES = ("LEANCLOUD_APP_ID", "LEANCLOUD_APP_KEY", "LEANCLOUD_APP_MASTER_KEY",
             "LEANCLOUD_APP_HOOK_KEY")
APP = {"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY, "Content-Type": "application/json"}
HOOK = {**APP, "X-LC-Hook-Key": HOOK_KEY}
SCRIPT_ERROR = {"code": 141, "error": "Cloud Code script had an error."}

SITE = """\
import sys
import time

@engine.define
def hello():
    return 'hi'

def helper(value):
    return 100 // value

@engine.define
def boom():
    raise ValueError('secret internal detail 12345')

@engine.define
def deepBoom():
    return helper(0)

@engine.define
def unserialisable():
    return object()

@engine.define
def aSet():
    return {'values': {1, 2}}

@engine.define
def aGenerator():
    return (n for n in range(3))

@engine.define
def circular():
    loop = {}
    loop['self'] = loop
    return loop

@engine.define
def notANumber(kind):
    return {'values': [1.5, float(kind)]}

@engine.define
def oddStatus(status):
    raise LeanEngineError(5, 'odd status', status)

@engine.define
def spin():
    while True:
        pass

@engine.define
def sleepy(seconds):
    time.sleep(seconds)
    return seconds

@engine.define
def slowBoom():
    time.sleep(0.05)
    raise RuntimeError('slow failure')

@engine.define
def exits():
    sys.exit(3)

@engine.define
def interrupts():
    raise KeyboardInterrupt

@engine.define
def tokens(pause=0.05):
    first = engine.current.session_token
    time.sleep(pause)
    second = engine.current.session_token
    return [first, second]

@engine.before_save('Review')
def review_before_save(review):
    raise KeyError('hook internal detail')

CherryClass Root:
mask:
    def index(self):
        robust index
"""

BOOM_LINE = SITE.splitlines().index("    raise ValueError('secret internal detail 12345')") + 1
HELPER_LINE = SITE.splitlines().index("    return 100 // value") + 1
HOOK_LINE = SITE.splitlines().index("    raise KeyError('hook internal detail')") + 1


def without_key_environment() -> pytest.MonkeyPatch:
    mp = pytest.MonkeyPatch()
    for name in ENV_NAMES:
        mp.delenv(name, raising=False)
    return mp


@pytest.fixture(autouse=True)
def _no_key_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def site_folder(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("robust")
    compile_site(folder, SITE)
    return folder


@pytest.fixture(scope="module")
def server(site_folder):
    mp = without_key_environment()
    try:
        with ThreadServer(site_folder, server={"logFile": "site.log", "threadPool": 20},
                          extra=KEYS) as running:
            yield running
    finally:
        mp.undo()


def call(server: Any, name: str, body: Any = None, headers: dict[str, str] | None = None,
         route: str = "functions", timeout: float = 10) -> tuple[int, Any, Any]:
    data = json.dumps({} if body is None else body)
    reply = server.request("POST", f"/1.1/{route}/{name}", headers=headers or APP, body=data,
                           timeout=timeout)
    assert reply.header("Content-Type").startswith("application/json"), reply.body
    assert reply.header("Access-Control-Allow-Origin") == "*"
    return reply.status, json.loads(reply.body), reply


def assert_alive(server: Any) -> None:
    assert call(server, "hello")[:2] == (200, {"result": "hi"})
    assert server.get("/").text.strip() == "robust index"


def log_text(server: ThreadServer) -> str:
    path = server.folder / "site.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def wait_for_log(server: ThreadServer, text: str) -> str:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        log = log_text(server)
        if text in log:
            return log
        time.sleep(0.02)
    return log_text(server)


# ---- exceptions ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["functions", "call"])
def test_raising_function_is_500_141_without_traceback(server, route) -> None:
    status, body, reply = call(server, "boom", route=route)
    assert (status, body) == (500, SCRIPT_ERROR)
    for leak in (b"Traceback", b"secret internal detail", b"ValueError", b"site.cpy", b"line "):
        assert leak not in reply.body
    assert_alive(server)


def test_traceback_with_the_cpy_line_goes_to_the_log(server) -> None:
    assert call(server, "boom")[:2] == (500, SCRIPT_ERROR)
    log = wait_for_log(server, "secret internal detail 12345")
    assert "Traceback (most recent call last)" in log
    assert "ValueError: secret internal detail 12345" in log
    assert f'site.cpy", line {BOOM_LINE}' in log, log


def test_traceback_names_every_cpy_frame(server) -> None:
    assert call(server, "deepBoom")[:2] == (500, SCRIPT_ERROR)
    log = wait_for_log(server, "ZeroDivisionError")
    assert f'site.cpy", line {HELPER_LINE}' in log, log


def test_raising_hook_is_500_141_and_logged(server) -> None:
    status, body, reply = call(server, "Review/beforeSave", {"object": {"a": 1}}, headers=HOOK)
    assert (status, body) == (500, SCRIPT_ERROR)
    assert b"hook internal detail" not in reply.body
    log = wait_for_log(server, "hook internal detail")
    assert f'site.cpy", line {HOOK_LINE}' in log, log
    assert_alive(server)


@pytest.mark.parametrize("name", ["unserialisable", "aSet", "aGenerator", "circular"])
@pytest.mark.parametrize("route", ["functions", "call"])
def test_unserialisable_result_is_500_141(server, name, route) -> None:
    status, body, reply = call(server, name, route=route)
    assert (status, body) == (500, SCRIPT_ERROR)
    assert b"Traceback" not in reply.body and b"object at 0x" not in reply.body
    assert_alive(server)


@pytest.mark.parametrize("kind", ["nan", "inf"])
@pytest.mark.parametrize("route", ["functions", "call"])
def test_non_finite_number_result_is_500_141(server, kind, route) -> None:
    """NaN/Infinity are not JSON: a client's strict parser would choke on `{"result":NaN}`."""
    status, body, reply = call(server, "notANumber", {"kind": kind}, route=route)
    assert (status, body) == (500, SCRIPT_ERROR), reply.body
    json.loads(reply.body, parse_constant=lambda name: pytest.fail(f"{name} in {reply.body!r}"))


@pytest.mark.parametrize("status", [299, 599])
def test_lean_engine_error_with_an_unnamed_http_status_is_sent(server, status) -> None:
    """LeanEngineError(code, message, status): that status, even one without a reason phrase."""
    got, body, _ = call(server, "oddStatus", {"status": status})
    assert (got, body) == (status, {"code": 5, "error": "odd status"})
    assert_alive(server)


@pytest.mark.parametrize("status", [0, 1000, "oops"])
def test_lean_engine_error_with_an_impossible_status_is_500_141(server, status) -> None:
    """A status that is no HTTP status is a bug in cloud code: a JSON 500/141, never a bare 500."""
    got, body, reply = call(server, "oddStatus", {"status": status})
    assert (got, body) == (500, SCRIPT_ERROR), reply.body
    assert_alive(server)


def test_many_failures_in_a_row_leave_the_server_serving(server) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        names = ("boom", "unserialisable", "circular")
        replies = list(pool.map(lambda n: call(server, names[n % 3])[:2], range(30)))
    assert replies == [(500, SCRIPT_ERROR)] * 30
    assert_alive(server)


@pytest.mark.parametrize("name", ["exits", "interrupts"])
def test_system_exit_or_interrupt_in_cloud_code_does_not_stop_the_server(site_folder, name) -> None:
    """sys.exit() / KeyboardInterrupt raised by a cloud function is a failure of that call."""
    with ServerProcess(site_folder, extra=KEYS) as server:
        try:
            status, body, reply = call(server, name, timeout=5)
        except (ConnectionError, http.client.HTTPException) as exc:  # the server went away
            pytest.fail(f"{name}: no answer ({exc!r})")
        assert (status, body) == (500, SCRIPT_ERROR)
        time.sleep(0.3)  # a server that stops on it would be gone by now
        assert server.process.poll() is None, server.log()
        assert_alive(server)


# ---- timeouts (functionTimeout) ----------------------------------------------------------


def test_function_timeout_answers_503_and_the_server_goes_on(site_folder) -> None:
    extra = KEYS + "functionTimeout = 0.5\n"
    with ServerProcess(site_folder, extra=extra) as server:
        with ThreadPoolExecutor(max_workers=4) as pool:
            spins = [pool.submit(call, server, "spin") for _ in range(2)]
            for future in spins:
                status, body, reply = future.result(timeout=10)
                assert status == 503
                assert set(body) == {"code", "error"} and body["code"] == 124
                assert isinstance(body["error"], str) and body["error"]
                assert b"Traceback" not in reply.body
        # Two loops still spin in the server; it answers everything else.
        for _ in range(3):
            assert_alive(server)
        assert call(server, "sleepy", {"seconds": 0.05})[:2] == (200, {"result": 0.05})
        assert call(server, "boom")[:2] == (500, SCRIPT_ERROR)
        assert call(server, "slowBoom")[:2] == (500, SCRIPT_ERROR)
        status, body, _ = call(server, "spin")
        assert (status, body["code"]) == (503, 124)
        # Under the timeout, each caller still sees its own session token.
        tokens = sign_up_users(server, 10)
        with ThreadPoolExecutor(max_workers=10) as pool:
            results = list(pool.map(
                lambda token: call(server, "tokens", headers={**APP, "X-LC-Session": token})[:2],
                tokens))
        assert results == [(200, {"result": [token, token]}) for token in tokens]
        assert server.process.poll() is None
    assert "slow failure" in server.log()


# ---- concurrency ----------------------------------------------------------------------------


def sign_up_users(server: Any, count: int) -> list[str]:
    """The session tokens of `count` new users of the server's object store."""
    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(lambda _: server.sign_up(APP, f"user-{secrets.token_hex(8)}"), range(count)))


@pytest.fixture(scope="module")
def session_tokens(server) -> list[str]:
    return sign_up_users(server, 50)


def test_fifty_concurrent_callers_see_their_own_session_token(server, session_tokens) -> None:
    def one(token: str) -> tuple[int, Any, str]:
        status, body, _ = call(server, "tokens", {"pause": 0.05},
                               headers={**APP, "X-LC-Session": token})
        return status, body, token

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, session_tokens))
    for status, body, token in results:
        assert (status, body) == (200, {"result": [token, token]})


def test_fifty_concurrent_rpc_callers_see_their_own_session_token(server, session_tokens) -> None:
    def one(n: int) -> tuple[int, Any, str]:
        token = session_tokens[n]
        headers = {**APP, "X-AVOSCloud-Session-Token": token} if n % 2 else \
            {**APP, "X-LC-Session": token}
        status, body, _ = call(server, "tokens", {"pause": 0.02}, headers=headers, route="call")
        return status, body, token

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    for status, body, token in results:
        assert (status, body) == (200, {"result": [token, token]})


def test_calls_without_session_see_none_after_calls_with_one(server, session_tokens) -> None:
    with ThreadPoolExecutor(max_workers=20) as pool:
        with_session = list(pool.map(lambda token: call(server, "tokens", {"pause": 0},
                                                        headers={**APP, "X-LC-Session": token})[:2],
                                     session_tokens[:40]))
        results = list(pool.map(lambda n: call(server, "tokens", {"pause": 0})[:2], range(40)))
    assert with_session == [(200, {"result": [token, token]}) for token in session_tokens[:40]]
    assert results == [(200, {"result": [None, None]})] * 40


# ---- request body size ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_server(site_folder):
    mp = without_key_environment()
    try:
        with ThreadServer(site_folder, server={"maxRequestBodySize": 1024}, extra=KEYS) as running:
            yield running
    finally:
        mp.undo()


def big_params(size: int) -> bytes:
    return json.dumps({"seconds": 0, "padding": "x" * size}).encode()


def send_raw(server: Any, head: bytes, body: bytes) -> tuple[int, bytes]:
    """Send a whole request at once; return the answer's status and everything after it.

    The server may answer before reading the whole body and then close: the request is
    written in one piece (no broken pipe) and a reset after the answer is not an error.
    """
    request = (b"POST /1.1/functions/sleepy HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"X-LC-Id: " + APP_ID.encode() + b"\r\nX-LC-Key: " + APP_KEY.encode() +
               b"\r\nContent-Type: application/json\r\nConnection: close\r\n" + head +
               b"\r\n" + body)
    answer = b""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except ConnectionResetError:
            pass
    status_line = answer.split(b"\r\n", 1)[0].split()
    assert len(status_line) >= 2, answer
    return int(status_line[1]), answer


def test_body_over_the_limit_is_413(small_server) -> None:
    body = big_params(4000)
    status, answer = send_raw(small_server, b"Content-Length: %d\r\n" % len(body), body)
    assert status == 413
    assert b"Traceback" not in answer
    assert_alive(small_server)


def test_chunked_body_over_the_limit_is_413(small_server) -> None:
    data = big_params(4000)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 500]), data[i:i + 500])
                      for i in range(0, len(data), 500)) + b"0\r\n\r\n"
    status, answer = send_raw(small_server, b"Transfer-Encoding: chunked\r\n", chunks)
    assert status == 413
    assert b"Traceback" not in answer
    assert_alive(small_server)


def test_bodies_under_the_limit_are_served(small_server) -> None:
    body = json.dumps({"seconds": 0, "padding": "x" * 900}).encode()
    status, answer = send_raw(small_server, b"Content-Length: %d\r\n" % len(body), body)
    assert status == 400 and b'"code":1' in answer  # the padding param does not fit sleepy()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    status, answer = send_raw(small_server, b"Transfer-Encoding: chunked\r\n", chunked)
    assert status == 400 and b'"code":1' in answer


def test_body_under_the_limit_is_served(small_server) -> None:
    reply = small_server.request("POST", "/1.1/functions/sleepy", headers=APP,
                                 body=json.dumps({"seconds": 0}))
    assert (reply.status, json.loads(reply.body)) == (200, {"result": 0})
